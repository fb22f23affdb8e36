using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Protocol;

/// <summary>
/// --bwlimit pacing as rsync io.c does it, on a simulated clock: writes are cut to bwlimit*128 bytes (at least 512),
/// a debt under a tenth of a second is never slept, and over a run the sleeps add up to the bytes at the limit (with
/// io.c's integer ONE_SEC/1024 = 976 microseconds per KiB).
/// </summary>
public sealed class BandwidthPacerTests
{
    [Theory]
    [InlineData(1, 512)]
    [InlineData(4, 512)]
    [InlineData(100, 12_800)]
    [InlineData(10_000, 1_280_000)]
    public void WritesAreCutToAnEighthOfASecond(int kibPerSecond, int writeMax) =>
        Assert.Equal(writeMax, new BandwidthPacer(kibPerSecond).WriteMax);

    [Fact]
    public void SleepsAddUpToTheBytesAtTheLimit()
    {
        long now = 0;
        var sleeps = new List<long>();
        var pacer = new BandwidthPacer(100, () => now, us => { sleeps.Add(us); now += us; });
        var sink = new MemoryStream();
        var paced = new PacedStream(sink, pacer);
        var chunk = new byte[64 * 1024];
        for (int i = 0; i < 16; i++)
            paced.Write(chunk); // 1 MiB in 64 KiB writes, each cut to 12,800-byte socket writes
        Assert.Equal(16 * chunk.Length, sink.Length);
        // 1 MiB at 100 KiB/s: 1,048,576 * 976 / 100 us = 10.23 s, less the last debt under 0.1 s that is never slept.
        double slept = sleeps.Sum() / 1e6;
        Assert.InRange(slept, 10.23 - 0.1, 10.24);
        Assert.All(sleeps, us => Assert.True(us >= 100_000, $"slept {us} us"));
    }

    [Fact]
    public void TimeAlreadySpentPaysTheDebt()
    {
        long now = 0;
        long slept = 0;
        var pacer = new BandwidthPacer(100, () => now, us => { slept += us; now += us; });
        for (int i = 0; i < 80; i++)
        {
            pacer.Wrote(12_800);
            now += 200_000; // the writer is slower than the limit on its own: 12,800 bytes per 0.2 s = 62.5 KiB/s
        }
        // Only the first write, with no earlier write to measure from, is slept off (12,800 * 976 / 100 us).
        Assert.Equal(124_928, slept);
    }
}
