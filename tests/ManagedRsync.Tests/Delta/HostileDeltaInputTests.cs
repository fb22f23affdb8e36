using System.Buffers.Binary;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>Sum headers, signatures and deltas from an untrusted source: errors, never crashes or huge allocations.</summary>
public class HostileDeltaInputTests
{
    private static byte[] Header(int count, int blength, int s2length, int remainder)
    {
        var b = new byte[16];
        new SumHeader(count, blength, s2length, remainder).Write(b, 31);
        return b;
    }

    [Theory]
    [InlineData(-1, 700, 2, 0)]                  // negative count
    [InlineData(10, 0, 2, 0)]                    // blocks of nothing
    [InlineData(10, -700, 2, 0)]                 // negative block length
    [InlineData(10, (1 << 17) + 1, 2, 0)]        // above MAX_BLOCK_SIZE for protocol 30+
    [InlineData(10, 700, 17, 0)]                 // strong sum longer than the md5 digest
    [InlineData(10, 700, -1, 0)]                 // negative strong length
    [InlineData(10, 700, 2, 701)]                // remainder beyond the block
    [InlineData(10, 700, 2, -5)]                 // negative remainder
    [InlineData(int.MaxValue, 1 << 17, 16, 700)] // the largest header is fine to read, as long as nothing is sized by it
    public void SumHeaderBoundsAreChecked(int count, int blength, int s2length, int remainder)
    {
        var bytes = Header(count, blength, s2length, remainder);
        if (count == int.MaxValue)
        {
            var header = SumHeader.Read(bytes, 31, 16);
            Assert.Equal((long)(count - 1) * blength + remainder, header.FileLength);
            // A signature for it starts small and grows only as sums really arrive.
            var sig = new Signature(header);
            Assert.Equal(0, sig.Count);
            return;
        }
        var e = Assert.Throws<RsyncException>(() => SumHeader.Read(bytes, 31, 16));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public void OldProtocolsAllowBigBlocksAndImplyTheStrongLength()
    {
        var bytes = new byte[12];
        new SumHeader(3, 1 << 20, 2, 5).Write(bytes, 26);
        Assert.Equal(new SumHeader(3, 1 << 20, 2, 5), SumHeader.Read(bytes, 26, 16));
        var e = Assert.Throws<RsyncException>(() => SumHeader.Read(bytes.AsSpan(0, 11), 26, 16));
        Assert.Equal("Truncated sum header: 11 bytes", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public void MoreSumsThanAnnouncedIsAViolation()
    {
        var sig = new Signature(new SumHeader(1, 700, 2, 0));
        sig.Add(1, [1, 2]);
        var e = Assert.Throws<RsyncException>(() => sig.Add(2, [3, 4]));
        Assert.Equal("More block sums than the 1 announced", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public void PatcherRejectsABlockBeyondTheBasis()
    {
        var tokens = new RecordedTokens();
        tokens.WriteMatch(3, default);
        var e = Assert.Throws<RsyncException>(() =>
            DeltaPatcher.Apply(new MemoryStream(new byte[2100]), new SumHeader(3, 700, 2, 0), tokens, new MemoryStream()));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal("Block index 3 out of range: the basis has 3 blocks", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public void ASignatureFileOfAnotherKindIsInvalidDeltaFileData()
    {
        var (_, sig, _) = MakeFiles();
        sig[0] ^= 1;
        var e = Assert.Throws<RsyncException>(() => SignatureFile.Read(new MemoryStream(sig)));
        Assert.StartsWith("Invalid delta file data: not a ManagedRsync ", e.Message, StringComparison.Ordinal);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    private static (byte[] Basis, byte[] Signature, byte[] Delta) MakeFiles()
    {
        var random = new Random(1);
        var basis = DeltaRoundTripTests.RandomBytes(random, 5000);
        var newFile = DeltaRoundTripTests.Mutate(basis, DeltaRoundTripTests.Edit.Inserted, random);
        var sig = new MemoryStream();
        DeltaEngine.WriteSignature(new MemoryStream(basis), sig);
        var delta = new MemoryStream();
        DeltaEngine.WriteDelta(new MemoryStream(sig.ToArray()), new MemoryStream(newFile), delta);
        return (basis, sig.ToArray(), delta.ToArray());
    }

    private static void AssertViolation(Action action) =>
        Assert.Equal(RsyncErrorKind.ProtocolViolation, Assert.Throws<RsyncException>(action).Kind);

    [Fact]
    public void TruncatedSignatureAndDeltaAreViolations()
    {
        var (basis, sig, delta) = MakeFiles();
        for (int cut = 0; cut < sig.Length; cut += 7)
            AssertViolation(() => SignatureFile.Read(new MemoryStream(sig, 0, cut)));
        for (int cut = 0; cut < delta.Length; cut += 13)
            AssertViolation(() => DeltaEngine.ApplyDelta(new MemoryStream(basis), new MemoryStream(delta, 0, cut), new MemoryStream()));
    }

    [Fact]
    public void CorruptHeadersAreViolations()
    {
        var (basis, sig, delta) = MakeFiles();
        void Sig(Action<byte[]> corrupt)
        {
            var copy = (byte[])sig.Clone();
            corrupt(copy);
            AssertViolation(() => SignatureFile.Read(new MemoryStream(copy)));
        }
        Sig(b => b[0] ^= 1);                                                      // magic
        Sig(b => b[4] = 9);                                                       // version
        Sig(b => b[5] = 200);                                                     // checksum variant
        Sig(b => b[6] = 17);                                                      // strong length above xxh128's 16
        Sig(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), -1));       // block length
        Sig(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), 1 << 30)); // count not matching the length
        Sig(b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), -5));      // basis length

        void Delta(Action<byte[]> corrupt)
        {
            var copy = (byte[])delta.Clone();
            corrupt(copy);
            AssertViolation(() => DeltaEngine.ApplyDelta(new MemoryStream(basis), new MemoryStream(copy), new MemoryStream()));
        }
        Delta(b => b[1] ^= 1);
        Delta(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 1 << 20)); // remainder beyond the block
        Delta(b => b[24] = (byte)'Z');                                               // unknown token
        Delta(b => b[^1] ^= 0x40);                                                   // whole-file sum
    }

    [Fact]
    public void HostileTokensAreViolations()
    {
        var basis = new byte[2100];
        byte[] Build(params byte[][] tokens)
        {
            var head = new byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(head, 0x4C44524D);
            head[4] = 1;
            head[5] = (byte)ChecksumVariant.Xxh128;
            BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(8), 700);
            BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(12), 3);
            return [.. head, .. tokens.SelectMany(t => t)];
        }
        static byte[] Token(byte kind, int a, int b)
        {
            var t = new byte[9];
            t[0] = kind;
            BinaryPrimitives.WriteInt32LittleEndian(t.AsSpan(1), a);
            BinaryPrimitives.WriteInt32LittleEndian(t.AsSpan(5), b);
            return t;
        }
        void Bad(byte[] delta) =>
            AssertViolation(() => DeltaEngine.ApplyDelta(new MemoryStream(basis), new MemoryStream(delta), new MemoryStream()));
        Bad(Build(Token((byte)'M', 3, 1)));                  // block == count
        Bad(Build(Token((byte)'M', -1, 1)));                 // negative block
        Bad(Build(Token((byte)'M', 2, 2)));                  // run past the end
        Bad(Build(Token((byte)'M', 1, int.MaxValue)));       // run that overflows int
        Bad(Build(Token((byte)'M', 0, 0)));                  // empty run
        Bad(Build(Token((byte)'L', 0, 0)[..5]));             // empty literal
        Bad(Build(Token((byte)'L', 40_000, 0)[..5]));        // literal above a chunk
        Bad(Build(Token((byte)'L', 100, 0)[..5], new byte[50])); // literal cut short
    }

    [Fact]
    public void WrongBasisFailsTheWholeFileCheck()
    {
        var (basis, _, delta) = MakeFiles();
        for (int i = 0; i < basis.Length; i += 100)
            basis[i] ^= 1;
        var e = Assert.Throws<RsyncException>(() => DeltaEngine.ApplyDelta(new MemoryStream(basis), new MemoryStream(delta), new MemoryStream()));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }
}
