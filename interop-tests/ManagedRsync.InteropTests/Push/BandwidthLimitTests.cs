using System.Diagnostics;
using System.Globalization;
using ManagedRsync.InteropTests.Fixtures;
using Xunit.Abstractions;

namespace ManagedRsync.InteropTests.Push;

/// <summary>
/// Timing tests: their collection runs alone (xunit runs collections with parallelization disabled after all others),
/// with a daemon of its own, so no CPU-heavy test stretches the measured time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedCollection : ICollectionFixture<RsyncDaemonFixture>
{
    public const string Name = "timed (runs alone)";
}

/// <summary>
/// --bwlimit paces our sending side as stock rsync paces its own (io.c: sleep_for_bwlimit): a push of a 1.5 MiB file at
/// 256 KiB/s, by stock rsync and by mrsync, each measured within 10% of the limit. The rate is read on the daemon's
/// side, off the growing temporary file: stock's receiver writes it in 256 KiB pieces (fileio.c: write_file buffers
/// WRITE_SIZE * 8), each written the moment its last byte arrives, so the time from the first piece to the fifth is
/// 1 MiB of paced data, without the half second or more a loaded machine spends on connecting, forking the daemon and
/// finishing (which would otherwise count as slow pacing).
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class BandwidthLimitTests(RsyncDaemonFixture daemon, ITestOutputHelper output) : IDisposable
{
    private const int LimitKib = 256;
    private const int Piece = 256 * 1024;
    private const int FileBytes = 6 * Piece;
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-bwlimit-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task PushIsPacedAtTheLimitLikeStock()
    {
        string src = Directory.CreateDirectory(Path.Combine(_work, "src")).FullName;
        byte[] data = new byte[FileBytes];
        new Random(11).NextBytes(data); // incompressible, and a new file: every byte goes over the wire
        File.WriteAllBytes(Path.Combine(src, "payload.bin"), data);

        // A round counts when stock's own push was paced within 10% of the limit: once in a CI run the machine held
        // stock to 81.5 % (mrsync at 100.2 % beside it), which says nothing about either side's pacing. Up to three
        // rounds; ours is judged in a round where stock's was on the limit.
        double target = LimitKib * 1024.0;
        var rounds = new List<string>();
        for (int round = 0; round < 3; round++)
        {
            double stockRate = await PacedRateAsync(src, "stock", a => daemon.RunRsyncAsync(a));
            double myRate = await PacedRateAsync(src, "mine", a => daemon.RunMrsyncAsync(a));
            string figures = $"limit {target:0} B/s, stock {stockRate:0} B/s ({stockRate / target:P1}), mrsync {myRate:0} B/s ({myRate / target:P1})";
            output.WriteLine(figures);
            rounds.Add(figures);
            if (Math.Abs(stockRate / target - 1) > 0.10)
                continue;
            Assert.True(Math.Abs(myRate / target - 1) <= 0.10, figures);
            return;
        }
        Assert.Fail("stock rsync itself was off the limit in every round: " + string.Join("; ", rounds));
    }

    private async Task<double> PacedRateAsync(string src, string who, Func<string[], Task<ProcessResult>> run)
    {
        string name = $"bw-{who}-{Guid.NewGuid():N}";
        string dest = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        Task<ProcessResult> push = run(["-a", "--bwlimit=" + LimitKib.ToString(CultureInfo.InvariantCulture), src + "/",
            $"{daemon.Url}{DaemonModules.Open}/{name}/"]);
        var clock = Stopwatch.StartNew();
        double first = -1, fifth = -1;
        while (!push.IsCompleted && fifth < 0)
        {
            long size = Largest(dest);
            if (first < 0 && size >= Piece)
                first = clock.Elapsed.TotalSeconds;
            if (size >= 5 * Piece)
                fifth = clock.Elapsed.TotalSeconds;
            await Task.Delay(2);
        }
        ProcessResult r = await push;
        string copy = Path.Combine(dest, "payload.bin");
        Assert.True(r.ExitCode == 0 && File.Exists(copy) && new FileInfo(copy).Length == FileBytes, daemon.Explain(r));
        Assert.True(first >= 0 && fifth > first, $"{who}: the temporary file was not seen growing piece by piece\n{daemon.Explain(r)}");
        return 4.0 * Piece / (fifth - first);
    }

    // The receiver's temporary file (".payload.bin.XXXXXX"), or the file once renamed.
    private static long Largest(string dir)
    {
        try
        {
            return Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { AttributesToSkip = 0 }).Select(f => f.Length).DefaultIfEmpty(0).Max() : 0;
        }
        catch (IOException)
        {
            return 0; // renamed or removed between listing and stat
        }
    }
}
