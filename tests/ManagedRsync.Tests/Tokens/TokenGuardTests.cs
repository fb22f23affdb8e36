using System.IO.Compression;
using K4os.Compression.LZ4;
using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>
/// One case per guard of the token decoders (rsync token.c: recv_token and its codecs), each asserting the guard's own
/// message and exit 12 (RERR_STREAMIO), so that another failure cannot pass for it. The table of every guard and the
/// test that reaches it is protocol-notes.md §26.
/// </summary>
public sealed class TokenGuardTests
{
    private static RsyncException Rejects(TokenCodec codec, byte[] stream, int blockCount = int.MaxValue, long maxLiteral = long.MaxValue)
    {
        using var decoder = TokenCodecFactory.CreateDecoder(codec, 31, new MemoryStream(stream));
        decoder.BeginFile(blockCount, maxLiteral);
        var e = Assert.Throws<RsyncException>(() => TokenStreams.Patch(decoder, new byte[16], 1));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        return e;
    }

    [Theory]
    [InlineData(TokenCodec.Zlib, new byte[] { 0x01 }, "0x01")]
    [InlineData(TokenCodec.Zstd, new byte[] { 0x1f }, "0x1f")]
    [InlineData(TokenCodec.Lz4, new byte[] { 0x22 }, "0x22")]
    public void UnknownFlagByte(TokenCodec codec, byte[] stream, string flag) =>
        Assert.Equal($"token stream: unknown flag byte {flag}", Rejects(codec, stream).Message);

    [Fact]
    public void TokenRunOfLengthZero() =>
        Assert.Equal("token stream: a token run of length 0", Rejects(TokenCodec.Lz4, [0xC0, 0x00, 0x00]).Message);

    [Theory]
    [InlineData(TokenCodec.Zstd, new byte[] { 0x20, 0xff, 0xff, 0xff, 0xff }, -1L)]
    [InlineData(TokenCodec.Zlib, new byte[] { 0x20, 0xff, 0xff, 0xff, 0x7f }, 2147483647L)]
    [InlineData(TokenCodec.None, new byte[] { 0x00, 0x00, 0x00, 0x80 }, 2147483647L)]
    public void TokenNumberPastRsyncsLimit(TokenCodec codec, byte[] stream, long token) =>
        Assert.Equal($"token stream: invalid token number {token}", Rejects(codec, stream).Message);

    [Fact]
    public void BlockPastTheFile() =>
        Assert.Equal("token stream: block 5 does not exist (the file has 3 blocks)",
            Rejects(TokenCodec.Zlib, [0x85, 0x00], blockCount: 3).Message);

    [Theory]
    [InlineData(TokenCodec.None, new byte[] { 0x05, 0x00, 0x00 })]
    [InlineData(TokenCodec.Zlib, new byte[] { 0x40 })]
    [InlineData(TokenCodec.Zstd, new byte[] { 0x20, 0x01 })]
    public void StreamEndsInTheMiddleOfADelta(TokenCodec codec, byte[] stream) =>
        Assert.Equal("token stream: the peer's data ended in the middle of a file's delta", Rejects(codec, stream).Message);

    [Fact]
    public void LiteralDataOverTheFilesBudget() =>
        Assert.Equal("token stream: the file's literal data exceeds what the file may hold",
            Rejects(TokenCodec.None, [0x00, 0x00, 0x00, 0x40], maxLiteral: 1 << 20).Message);

    [Fact]
    public void CorruptDeflateData()
    {
        string message = Rejects(TokenCodec.Zlib, [0x40, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]).Message;
        // The parenthesis holds .NET's own words about the deflate data.
        Assert.StartsWith("token stream: corrupt deflate data (", message, StringComparison.Ordinal);
        Assert.EndsWith(")", message, StringComparison.Ordinal);
    }

    // More bytes after the final block than the inflater buffers in one read: they are still there when it ends.
    [Fact]
    public void DeflateDataAfterTheFinalBlock() =>
        Assert.Equal("token stream: deflate data continues after the end of the deflate stream",
            Rejects(TokenCodec.ZlibX, [.. Frame([.. FinalDeflateBlock(), .. new byte[16000]]), 0]).Message);

    // A stream ended by a final block cannot take the sync-flush marker rsync's receiver puts back after a data run
    // (token.c: "the decompressor should be expecting to see the 0, 0, ff, ff bytes").
    [Fact]
    public void DeflateStreamThatLostSyncAtTheEndOfADataRun() =>
        Assert.Equal("token stream: deflate data lost sync at the end of a data run",
            Rejects(TokenCodec.Zlib, [.. Frame(FinalDeflateBlock()), 0]).Message);

    [Fact]
    public void Lz4BlockThatExpandsPastItsBuffer()
    {
        var zeros = new byte[100_000];
        var block = new byte[LZ4Codec.MaximumOutputSize(zeros.Length)];
        int n = LZ4Codec.Encode(zeros, block, LZ4Level.L00_FAST);
        string message = Rejects(TokenCodec.Lz4, [.. Frame(block[..n]), 0]).Message;
        Assert.StartsWith($"token stream: corrupt lz4 block of {n} bytes (or one that expands beyond ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptZstdData()
    {
        string message = Rejects(TokenCodec.Zstd, [0x40, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00]).Message;
        // The parenthesis holds zstd's own error name.
        Assert.StartsWith("token stream: corrupt zstd data (", message, StringComparison.Ordinal);
        Assert.EndsWith(")", message, StringComparison.Ordinal);
    }

    private static byte[] FinalDeflateBlock()
    {
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write("final block"u8);
        return compressed.ToArray();
    }

    /// <summary>DEFLATED_DATA chunks (token.c: flag 0x40 and a 14-bit length) around compressed bytes.</summary>
    private static byte[] Frame(byte[] compressed)
    {
        var framed = new List<byte>();
        for (int i = 0; i < compressed.Length; i += 16383)
        {
            int n = Math.Min(16383, compressed.Length - i);
            framed.Add((byte)(0x40 + (n >> 8)));
            framed.Add((byte)n);
            framed.AddRange(compressed.AsSpan(i, n).ToArray());
        }
        return [.. framed];
    }
}
