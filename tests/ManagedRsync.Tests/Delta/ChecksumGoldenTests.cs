using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>Our checksums against what stock rsync put on the wire (Vectors/Delta/sums.txt).</summary>
public class ChecksumGoldenTests
{
    public static TheoryData<string> Runs()
    {
        var data = new TheoryData<string>();
        foreach (var run in StockRsyncSumRun.Load())
            data.Add(run.ToString());
        return data;
    }

    private static StockRsyncSumRun Find(string name) => StockRsyncSumRun.Load().Single(r => r.ToString() == name);

    [Fact]
    public void VectorsCoverEveryChoiceProtocolAndSeed()
    {
        var runs = StockRsyncSumRun.Load();
        Assert.Equal(162, runs.Count);
        Assert.Equal(6, runs.Select(r => r.Protocol).Distinct().Count());
        Assert.Contains(runs, r => r.Seed < 0);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void HeaderMatchesStockGenerator(string name)
    {
        var run = Find(name);
        long length = new FileInfo(StockRsyncSumRun.VectorPath(run.File)).Length;
        var header = BlockLayout.For(length, run.Protocol, ChecksumNames.DigestLength(run.Variant), run.BlockLength);
        Assert.Equal(new SumHeader(run.Count, run.BlockLength, run.StrongLength, run.Remainder), header);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void RollingChecksumMatchesStockSum1OnEveryPath(string name)
    {
        var run = Find(name);
        var data = File.ReadAllBytes(StockRsyncSumRun.VectorPath(run.File));
        for (int b = 0; b < run.Count; b++)
        {
            var block = data.AsSpan(b * run.BlockLength, Math.Min(run.BlockLength, data.Length - b * run.BlockLength));
            Assert.Equal(run.Sum1[b], RollingChecksum.ComputeScalar(block));
            Assert.Equal(run.Sum1[b], RollingChecksum.ComputeVector128(block));
            Assert.Equal(run.Sum1[b], RollingChecksum.ComputeVector256(block));
            Assert.Equal(run.Sum1[b], RollingChecksum.Compute(block));
        }
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void BlockSumsMatchStockPrefix(string name)
    {
        var run = Find(name);
        var data = File.ReadAllBytes(StockRsyncSumRun.VectorPath(run.File));
        var sum = BlockChecksum.Create(run.Variant, run.Seed, ChecksumNames.SeedBeforeData(run.Choice != "auto", run.Protocol >= 30));
        Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
        for (int b = 0; b < run.Count; b++)
        {
            var block = data.AsSpan(b * run.BlockLength, Math.Min(run.BlockLength, data.Length - b * run.BlockLength));
            sum.Compute(block, digest);
            Assert.Equal(Convert.ToHexString(run.StrongPrefix[b]), Convert.ToHexString(digest[..run.StrongLength]));
        }
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void TransferSumMatchesStockSender(string name)
    {
        var run = Find(name);
        var data = File.ReadAllBytes(StockRsyncSumRun.VectorPath(run.File));
        using var sum = FileChecksum.CreateTransferSum(run.Variant, run.Seed);
        // Fed in uneven pieces: the sum must not depend on how the file was read.
        for (int at = 0; at < data.Length; at += 333)
            sum.Append(data.AsSpan(at, Math.Min(333, data.Length - at)));
        var digest = new byte[sum.DigestLength];
        sum.GetDigestAndReset(digest);
        Assert.Equal(Convert.ToHexString(run.FileSum.AsSpan(0, digest.Length)), Convert.ToHexString(digest));
    }
}
