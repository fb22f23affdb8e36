using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>patch(basis, delta(signature(basis), new)) == new, for the shapes of change that matter.</summary>
public class DeltaRoundTripTests
{
    public enum Edit { Identical, Scattered, Inserted, Deleted, Appended, Truncated, Empty, Unrelated, Shuffled }

    public static TheoryData<int, Edit, int> Cases()
    {
        var data = new TheoryData<int, Edit, int>();
        int[] sizes = [0, 1, 699, 700, 1400, 5000, 70_000, 300_000];
        foreach (int size in sizes)
            foreach (var edit in Enum.GetValues<Edit>())
                data.Add(size, edit, size * 31 + (int)edit);
        return data;
    }

    internal static byte[] Mutate(byte[] basis, Edit edit, Random random)
    {
        var list = new List<byte>(basis);
        switch (edit)
        {
            case Edit.Scattered:
                for (int i = 0; i < Math.Max(1, basis.Length / 1000); i++)
                    if (list.Count > 0)
                        list[random.Next(list.Count)] ^= (byte)(1 + random.Next(255));
                break;
            case Edit.Inserted:
                for (int i = 0; i < 3; i++)
                    list.InsertRange(random.Next(list.Count + 1), RandomBytes(random, 1 + random.Next(2000)));
                break;
            case Edit.Deleted:
                for (int i = 0; i < 3 && list.Count > 0; i++)
                {
                    int at = random.Next(list.Count);
                    list.RemoveRange(at, Math.Min(list.Count - at, 1 + random.Next(3000)));
                }
                break;
            case Edit.Appended:
                list.AddRange(RandomBytes(random, 1 + random.Next(5000)));
                break;
            case Edit.Truncated:
                list.RemoveRange(list.Count / 2, list.Count - list.Count / 2);
                break;
            case Edit.Empty:
                list.Clear();
                break;
            case Edit.Unrelated:
                return RandomBytes(random, basis.Length + 17);
            case Edit.Shuffled:
            {
                // Blocks of the basis in another order, with a byte of glue between them.
                var result = new List<byte>();
                for (int at = basis.Length - 700; at > -700; at -= 700)
                {
                    result.AddRange(basis.Skip(Math.Max(0, at)).Take(at < 0 ? 700 + at : 700));
                    result.Add((byte)random.Next(256));
                }
                return [.. result];
            }
        }
        return [.. list];
    }

    internal static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    private static byte[] RoundTrip(byte[] basis, byte[] newFile, DeltaOptions? options = null)
    {
        var signature = DeltaEngine.CreateSignature(new MemoryStream(basis), options);
        var sigFile = new MemoryStream();
        SignatureFile.Write(signature, sigFile);
        sigFile.Position = 0;
        var delta = new MemoryStream();
        DeltaEngine.WriteDelta(sigFile, new MemoryStream(newFile), delta);
        delta.Position = 0;
        var output = new MemoryStream();
        long written = DeltaEngine.ApplyDelta(new MemoryStream(basis), delta, output);
        Assert.Equal(newFile.Length, written);
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PatchRebuildsTheNewFile(int size, Edit edit, int seed)
    {
        var random = new Random(seed);
        var basis = RandomBytes(random, size);
        var newFile = Mutate(basis, edit, random);
        Assert.Equal(newFile, RoundTrip(basis, newFile));
    }

    [Theory]
    [InlineData(ChecksumKind.Md4, 64)]
    [InlineData(ChecksumKind.Md5, 100)]
    [InlineData(ChecksumKind.Sha1, 333)]
    [InlineData(ChecksumKind.Xxh64, 1024)]
    [InlineData(ChecksumKind.Xxh3, 8)]
    [InlineData(ChecksumKind.Xxh128, 131072)]
    public void EveryChecksumAndBlockLengthRoundTrips(ChecksumKind kind, int blockLength)
    {
        var random = new Random(blockLength);
        var basis = RandomBytes(random, 200_000);
        var newFile = Mutate(basis, Edit.Inserted, random);
        var options = new DeltaOptions { Checksum = kind, BlockLength = blockLength, StrongLength = 4 };
        Assert.Equal(newFile, RoundTrip(basis, newFile, options));
    }

    [Fact]
    public void IdenticalFileIsAllMatchesInBlockOrder()
    {
        // All-zero blocks share one weak and strong sum: rsync's preference for the block after the last match keeps
        // the output a single run 0, 1, 2, ... instead of repeating the first block of the chain.
        var basis = new byte[700 * 50 + 123];
        var (tokens, _) = Match(basis, basis, 700);
        Assert.Equal(Enumerable.Range(0, 51), tokens.Blocks);
        Assert.Equal(0, tokens.LiteralBytes);
        Assert.True(tokens.Finished);
    }

    [Fact]
    public void LiteralRunsNeverExceedAChunk()
    {
        var random = new Random(5);
        var (tokens, _) = Match(RandomBytes(random, 10_000), RandomBytes(random, 200_000), 700);
        Assert.All(tokens.Tokens, t => Assert.InRange(t.Literal!.Length, 1, MatchFinder.ChunkSize));
        Assert.Equal(200_000, tokens.LiteralBytes);
    }

    [Fact]
    public void InsertionCostsAboutOneBlockOfLiteral()
    {
        var random = new Random(9);
        var basis = RandomBytes(random, 100 * 1000);
        var newFile = basis.Take(50_500).Concat(new byte[] { 1, 2, 3 }).Concat(basis.Skip(50_500)).ToArray();
        var (tokens, finder) = Match(basis, newFile, 1000);
        Assert.Equal(99, finder.Matches);
        Assert.Equal(1003, tokens.LiteralBytes); // the three bytes and the block they broke
        var output = new MemoryStream();
        DeltaPatcher.Apply(new MemoryStream(basis), BlockLayout.For(basis.Length, 31, 16, 1000) with { StrongLength = 16 },
            tokens, output);
        Assert.Equal(newFile, output.ToArray());
    }

    [Fact]
    public void TransferSumIsTheSumOfTheNewFile()
    {
        var random = new Random(3);
        var basis = RandomBytes(random, 50_000);
        var newFile = Mutate(basis, Edit.Scattered, random);
        var sig = Signature.Compute(new MemoryStream(basis), BlockLayout.For(basis.Length, 31, 16), BlockChecksum.Create(ChecksumVariant.Md5, 77));
        var finder = new MatchFinder(sig, BlockChecksum.Create(ChecksumVariant.Md5, 77));
        using var sum = FileChecksum.CreateTransferSum(ChecksumVariant.Md5, 77);
        finder.Run(new MemoryStream(newFile), new RecordedTokens(), sum);
        var digest = new byte[16];
        sum.GetDigestAndReset(digest);
        Assert.Equal(System.Security.Cryptography.MD5.HashData(newFile), digest);
    }

    [Fact]
    public async Task AsyncFormsMatchTheSyncOnes()
    {
        var random = new Random(11);
        var basis = RandomBytes(random, 120_000);
        var newFile = Mutate(basis, Edit.Deleted, random);
        var progress = new List<long>();
        var options = new DeltaOptions { Progress = new SyncProgress(progress.Add) };
        var sig = new MemoryStream();
        await DeltaEngine.WriteSignatureAsync(new MemoryStream(basis), sig, options);
        sig.Position = 0;
        var delta = new MemoryStream();
        await DeltaEngine.WriteDeltaAsync(DeltaEngine.ReadSignature(sig), new MemoryStream(newFile), delta, options);
        delta.Position = 0;
        var output = new MemoryStream();
        await DeltaEngine.ApplyDeltaAsync(new MemoryStream(basis), delta, output, options);
        Assert.Equal(newFile, output.ToArray());
        Assert.Contains((long)newFile.Length, progress);
    }

    [Fact]
    public void UnseekableBasisUsesTheStreamingBlockLength()
    {
        var random = new Random(12);
        var basis = RandomBytes(random, 10_000);
        var signature = DeltaEngine.CreateSignature(new ForwardOnlyStream(basis));
        Assert.Equal(new SumHeader(5, DeltaOptions.StreamingBlockLength, 16, 10_000 - 4 * 2048), signature.Header);
        var seekable = DeltaEngine.CreateSignature(new MemoryStream(basis), new DeltaOptions { BlockLength = 2048 });
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(seekable.WeakSum(i), signature.WeakSum(i));
            Assert.Equal(seekable.StrongSum(i).ToArray(), signature.StrongSum(i).ToArray());
        }
    }

    internal static (RecordedTokens, MatchFinder) Match(byte[] basis, byte[] newFile, int blockLength)
    {
        var strong = BlockChecksum.Create(ChecksumVariant.Xxh128, 0);
        var header = BlockLayout.For(basis.Length, 31, 16, blockLength) with { StrongLength = 16 };
        var finder = new MatchFinder(Signature.Compute(new MemoryStream(basis), header, strong), strong);
        var tokens = new RecordedTokens();
        finder.Run(new MemoryStream(newFile), tokens);
        return (tokens, finder);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

/// <summary>A stream that cannot seek or tell its length, like a pipe.</summary>
internal sealed class ForwardOnlyStream(byte[] data) : Stream
{
    private readonly MemoryStream _inner = new(data);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 777));
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
