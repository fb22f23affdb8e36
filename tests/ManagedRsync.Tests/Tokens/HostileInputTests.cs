using System.IO.Compression;
using K4os.Compression.LZ4;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>Token streams a hostile or broken peer could send: every one ends in a protocol violation, never a crash.</summary>
public class HostileInputTests
{
    private static RsyncException Rejects(TokenCodec codec, byte[] stream, int blockCount = int.MaxValue, long maxLiteral = long.MaxValue, int protocol = 31)
    {
        using var decoder = TokenCodecFactory.CreateDecoder(codec, protocol, new MemoryStream(stream));
        decoder.BeginFile(blockCount, maxLiteral);
        var basis = new byte[16];
        var e = Assert.Throws<RsyncException>(() => TokenStreams.Patch(decoder, basis, 1));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        return e;
    }

    public static IEnumerable<object[]> SmallVectors() =>
        TokenVectors.Cases().Where(c => (string)c[0] == "small" && (int)c[2] == 31 && (string)c[3] == "push");

    [Theory]
    [MemberData(nameof(SmallVectors))]
    public void TruncatedStockStreamIsRejected(string set, string codec, int protocol, string direction)
    {
        var stream = TokenVectors.Stream(set, codec, protocol, direction);
        var (basis, _, blockLength) = TokenVectors.Files(set);
        foreach (var cut in new[] { 0, 1, 2, 5, stream.Length / 3, stream.Length / 2, stream.Length - 2, stream.Length - 1 })
        {
            using var decoder = TokenCodecFactory.CreateDecoder(TokenVectors.Codec(codec), protocol, new MemoryStream(stream[..cut]));
            var e = Assert.Throws<RsyncException>(() => TokenStreams.Patch(decoder, basis, blockLength));
            Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x1f })]
    [InlineData(new byte[] { 0x22 })]
    public void UnknownFlagIsRejected(byte[] stream) =>
        Assert.Contains("unknown flag", Rejects(TokenCodec.Zlib, stream).Message, StringComparison.Ordinal);

    [Fact]
    public void RunOfZeroIsRejected() => Rejects(TokenCodec.Lz4, [0xC0, 0x00, 0x00]);

    [Fact]
    public void NegativeLongTokenIsRejected() => Rejects(TokenCodec.Zstd, [0x20, 0xff, 0xff, 0xff, 0xff]);

    [Fact]
    public void LongTokenPastTheLimitIsRejected() => Rejects(TokenCodec.Zlib, [0x20, 0xff, 0xff, 0xff, 0x7f]);

    [Fact]
    public void RelativeTokenPastTheLimitIsRejected()
    {
        // token.c: MAX_TOKEN_INDEX is 0x7ffffffe; one more, relative to it, overflows.
        using var decoder = TokenCodecFactory.CreateDecoder(TokenCodec.Lz4, 31, new MemoryStream([0x20, 0xfe, 0xff, 0xff, 0x7f, 0x81]));
        Assert.Equal(DeltaTokenKind.Match, decoder.Read(out _, out var block));
        Assert.Equal(0x7ffffffe, block);
        Assert.Throws<RsyncException>(() => decoder.Read(out _, out _));
    }

    [Fact]
    public void BlockBeyondTheFileIsRejected() =>
        Assert.Contains("does not exist", Rejects(TokenCodec.Zlib, [0x85, 0x00], blockCount: 3).Message, StringComparison.Ordinal);

    [Fact]
    public void RunBeyondTheFileIsRejectedBeforeAnyOfItIsReturned()
    {
        using var decoder = TokenCodecFactory.CreateDecoder(TokenCodec.Zlib, 31, new MemoryStream([0xC0, 0x05, 0x00, 0x00]));
        decoder.BeginFile(blockCount: 3);
        Assert.Throws<RsyncException>(() => decoder.Read(out _, out _));
    }

    [Fact]
    public void PlainBlockBeyondTheFileIsRejected() => Rejects(TokenCodec.None, [0xf0, 0xff, 0xff, 0xff], blockCount: 4);

    [Fact]
    public void PlainMinimumIntIsRejected() => Rejects(TokenCodec.None, [0x00, 0x00, 0x00, 0x80]);

    [Fact]
    public void PlainLiteralOverTheBudgetIsRejectedBeforeReading() =>
        Rejects(TokenCodec.None, [0x00, 0x00, 0x00, 0x40], maxLiteral: 1 << 20);

    [Fact]
    public void PlainLongLiteralRunIsReadInChunks()
    {
        // simple_recv_token accepts runs longer than CHUNK_SIZE (some peers use 64 KiB); they arrive in pieces.
        var data = new byte[70_000];
        new Random(5).NextBytes(data);
        var stream = BitConverter.GetBytes(data.Length).Concat(data).Concat(new byte[4]).ToArray();
        Assert.Equal(data, TokenStreams.Decode(TokenCodec.None, 31, stream, [], 1));
    }

    [Fact]
    public void CorruptDeflateDataIsRejected() =>
        Assert.Contains("deflate", Rejects(TokenCodec.Zlib, [0x40, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]).Message, StringComparison.Ordinal);

    [Fact]
    public void DeflateBombStopsAtTheFileBudget()
    {
        // 64 MiB of zeros deflates to about 64 KiB; the decoder must stop once the file's literal budget is spent.
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
                deflate.Write(zeros);
            deflate.Flush();
        }
        var stream = Frame(compressed.ToArray()[..^4]).Append((byte)0).ToArray();

        Assert.Contains("exceeds", Rejects(TokenCodec.Zlib, stream, maxLiteral: 4 << 20).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeflateDataAfterTheFinalBlockIsRejected()
    {
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write("final block"u8);
        var stream = Frame([.. compressed.ToArray(), 0x12, 0x34]).Append((byte)0).ToArray();

        Rejects(TokenCodec.ZlibX, stream);
    }

    [Fact]
    public void Lz4BlockExpandingBeyondItsBufferIsRejected()
    {
        var zeros = new byte[100_000];
        var block = new byte[LZ4Codec.MaximumOutputSize(zeros.Length)];
        var n = LZ4Codec.Encode(zeros, block, LZ4Level.L00_FAST);
        Assert.True(n < 16383);

        Rejects(TokenCodec.Lz4, [.. Frame(block[..n]), 0]);
    }

    [Fact]
    public void EmptyLz4ChunkIsRejected() => Rejects(TokenCodec.Lz4, [0x40, 0x00, 0x00]);

    [Fact]
    public void CorruptZstdDataIsRejected() =>
        Assert.Contains("zstd", Rejects(TokenCodec.Zstd, [0x40, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00]).Message, StringComparison.Ordinal);

    [Fact]
    public void ZstdBombStopsAtTheFileBudget()
    {
        var wire = new MemoryStream();
        using (var encoder = TokenCodecFactory.CreateEncoder(TokenCodec.Zstd, 31, 19, wire))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 32; i++)
                encoder.WriteLiteral(zeros);
            encoder.Finish();
        }
        Assert.True(wire.Length < 100_000);

        Rejects(TokenCodec.Zstd, wire.ToArray(), maxLiteral: 1 << 20);
    }

    // A frame that asks for a window above rsync's limit (2^27, zstd's default that rsync's receiver keeps) is refused
    // before the window is allocated; one at the limit, as a stock sender at --compress-level=22 writes, decodes.
    [Theory]
    [InlineData(ZstdTokenDecoder.MaxWindowLog, true)]
    [InlineData(ZstdTokenDecoder.MaxWindowLog + 1, false)]
    [InlineData(31, false)]
    public void ZstdWindowIsBoundedToRsyncsLimit(int windowLog, bool accepted)
    {
        var compressed = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(compressed, level: 1, leaveOpen: true))
        {
            zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
            zstd.Write("hello, window"u8);
            zstd.Flush(); // streamed with no size pledged: the frame header carries the window size, not the content size
        }
        byte[] frame = compressed.ToArray();
        Assert.Equal(windowLog - 10, frame[5] >> 3); // zstd frame header: Window_Descriptor exponent
        byte[] stream = [.. Frame(frame), 0];

        if (accepted)
        {
            using var decoder = TokenCodecFactory.CreateDecoder(TokenCodec.Zstd, 31, new MemoryStream(stream));
            Assert.Equal(DeltaTokenKind.Literal, decoder.Read(out ReadOnlySpan<byte> literal, out _));
            Assert.Equal("hello, window"u8.ToArray(), literal.ToArray());
        }
        else
        {
            Assert.Contains("too much memory", Rejects(TokenCodec.Zstd, stream).Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>DEFLATED_DATA chunks of at most 16383 bytes around compressed bytes.</summary>
    private static IEnumerable<byte> Frame(byte[] compressed)
    {
        for (var i = 0; i < compressed.Length; i += 16383)
        {
            var n = Math.Min(16383, compressed.Length - i);
            yield return (byte)(0x40 + (n >> 8));
            yield return (byte)n;
            foreach (var b in compressed.AsSpan(i, n).ToArray())
                yield return b;
        }
    }
}
