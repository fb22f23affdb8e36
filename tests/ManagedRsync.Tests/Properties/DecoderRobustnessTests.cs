using System.Buffers;
using CsCheck;
using ManagedRsync.Daemon;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;
using ManagedRsync.Tests.Tokens;

namespace ManagedRsync.Tests.Properties;

/// <summary>
/// In-process fuzzing of the decoders a peer's bytes reach (not AFL-guided: random and mutated inputs from CsCheck):
/// valid streams from our own encoders with bytes flipped, inserted, dropped or cut off, and plain random bytes. Each
/// decoder must end in a result or in an <see cref="RsyncException"/>; any other exception (an index out of range,
/// a null reference, an overflow) is a finding and fails the sample, which CsCheck then shrinks.
/// </summary>
public sealed class DecoderRobustnessTests
{
    private static readonly Gen<(int Kind, int At, byte Value)[]> Mutations =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 6];

    private static byte[] Mutate(byte[] valid, (int Kind, int At, byte Value)[] mutations)
    {
        var bytes = new List<byte>(valid);
        foreach (var (kind, at, value) in mutations)
        {
            int pos = bytes.Count == 0 ? 0 : at % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[pos] ^= (byte)(value | 1); break;
                case 1: bytes.Insert(pos, value); break;
                case 2 when bytes.Count > 0: bytes.RemoveAt(pos); break;
                case 3: bytes.RemoveRange(pos, bytes.Count - pos); break;
            }
        }
        return [.. bytes];
    }

    private static void EndsInResultOrRsyncException(Action decode)
    {
        try
        {
            decode();
        }
        catch (RsyncException)
        {
        }
    }

    // --- token decoders (rsync token.c), every codec ---

    private static readonly byte[] Basis = [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 7))];

    private static readonly Gen<DeltaEvent[]> Events =
        Gen.Frequency((2, Gen.Byte.Array[1, 300].Select(b => DeltaEvent.OfLiteral(b))), (1, Gen.Int[0, 3].Select(DeltaEvent.OfMatch))).Array[0, 12];

    [Fact]
    public void TokenDecodersEndInADeltaOrAProtocolError() =>
        Gen.Select(Gen.OneOf(TokenCodec.None, TokenCodec.Zlib, TokenCodec.ZlibX, TokenCodec.Lz4, TokenCodec.Zstd), Events, Mutations)
            .Sample((codec, events, mutations) =>
            {
                byte[] valid = TokenStreams.Encode(codec, 31, events, Basis, 16, whole: false);
                byte[] stream = Mutate(valid, mutations);
                EndsInResultOrRsyncException(() =>
                {
                    using var decoder = TokenCodecFactory.CreateDecoder(codec, 31, new MemoryStream(stream));
                    decoder.BeginFile(4, 1 << 20);
                    TokenStreams.Patch(decoder, Basis, 16);
                });
            }, iter: 5_000);

    // --- the file list (rsync flist.c: recv_file_list) ---

    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
        {
        }
    }

    private static readonly Gen<FileEntry> Entries =
        Gen.Select(Gen.OneOf(0x8000, 0x4000, 0xA000, 0x2000, 0x1000), Gen.Byte[1, 255].Array[1, 20], Gen.Long[0, 1L << 40], Gen.Int[0, 999_999_999])
            .Select((type, name, size, nsec) => new FileEntry
            {
                Name = name, Mode = type | 0x1A4, Size = size, ModTime = 1_700_000_000, ModTimeNsec = nsec,
                LinkTarget = type == 0xA000 ? name : null, RdevMajor = 8, RdevMinor = 1,
            });

    [Fact]
    public void FileListReaderEndsInAListOrAProtocolError() =>
        Gen.Select(Gen.Int[28, 32], Entries.Array[1, 8], Mutations).Sample((protocol, entries, mutations) =>
        {
            var flags = protocol >= 30 ? CompatFlags.VarintFlistFlags | CompatFlags.SafeFlist | CompatFlags.Id0Names : CompatFlags.None;
            var session = new SessionParameters(protocol, flags, 0, "md5", "none");
            var options = TransferOptions.Archive with { HardLinks = true };
            var writer = new FileListWriter(session, options);
            var w = new ArrayBufferWriter<byte>();
            for (int i = 0; i < entries.Length; i++)
                writer.Write(w, entries[i], i);
            writer.WriteEnd(w, 0);
            byte[] wire = Mutate(w.WrittenSpan.ToArray(), mutations);
            EndsInResultOrRsyncException(() =>
            {
                var input = new MultiplexReader(new MemoryStream(wire), new NoMessages());
                try
                {
                    new FileListReader(input, session, options, 16).ReadAsync(CancellationToken.None).GetAwaiter().GetResult();
                }
                finally
                {
                    input.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            });
        }, iter: 5_000);

    // --- the multiplexed stream (rsync io.c: read_a_msg) ---

    [Fact]
    public void MultiplexReaderEndsInDataOrAProtocolError() =>
        Gen.Byte.Array[0, 200].Sample(raw =>
        {
            EndsInResultOrRsyncException(() =>
            {
                var input = new MultiplexReader(new MemoryStream(raw), new NoMessages());
                try
                {
                    input.StartMultiplexing();
                    var buffer = new byte[64];
                    while (true)
                        input.ReadExactlyAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
                finally
                {
                    input.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            });
        }, iter: 5_000);

    // --- the sum header (rsync io.c: read_sum_head) and the daemon greeting (clientserver.c) ---

    [Fact]
    public void SumHeaderIsReadOrRefused() =>
        Gen.Select(Gen.Byte.Array[0, 20], Gen.Int[20, 32], Gen.OneOf(2, 8, 16, 20)).Sample((bytes, protocol, digest) =>
            EndsInResultOrRsyncException(() => SumHeader.Read(bytes, protocol, digest)), iter: 5_000);

    [Fact]
    public void GreetingParserNeverThrows() =>
        // A block body: a bool-returning lambda would be CsCheck's predicate form, where false (not a greeting) fails.
        Gen.Select(Gen.OneOf("@RSYNCD: ", "@RSYNCD:", "", "@RSYNCD: 3"), Gen.String).Sample((prefix, rest) =>
        {
            if (DaemonGreeting.TryParse(prefix + rest, out var greeting))
                Assert.True(greeting.Protocol >= 0);
        }, iter: 5_000);
}
