using System.Globalization;
using System.Security.Cryptography;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// The tests of <see cref="WatchSystemFaultTests"/> change the machine (a sysctl, mounts) or depend on timing, so
/// they run alone, after the parallel collections, with a stock daemon of their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WatchSystemFaultCollection : ICollectionFixture<RsyncDaemonFixture>
{
    public const string Name = "watch system faults (alone)";
}

/// <summary>
/// Real faults under `mrsync watch` (its own process) pushing to a stock rsync daemon, each ending with the replica
/// equal to the source: the inotify watch limit hit through the real sysctl, the replica's disk full, the state
/// directory's disk full, one replica dead while another stays current (and the backoff schedule), SIGTERM / SIGINT /
/// SIGHUP with a batch pending, the network cut mid-push, a stalled connection (with --timeout, and without it: the
/// watch's stall timeout), and a steady write stream cut by
/// --max-delay. Waits are for conditions, with generous deadlines; what a changed sysctl or mount touched is restored
/// in a finally.
/// </summary>
[Collection(WatchSystemFaultCollection.Name)]
public sealed class WatchSystemFaultTests(RsyncDaemonFixture daemon)
{
    private const UnixFileMode Open = (UnixFileMode)0x1ED; // 0755

    [Fact]
    public async Task RealWatchLimitIsReportedAndTheUnwatchedSubtreesStillConverge()
    {
        // The watcher runs as nobody, whose watches are counted apart from root's (max_user_watches is per user), so
        // lowering the limit to 3 gives it exactly 3, whatever else root is watching; the limit is lowered only until
        // the watcher has hit it, then restored.
        using var s = new WatchScenario(daemon, backend: "inotify");
        File.SetUnixFileMode(s.Work, Open);
        File.SetUnixFileMode(s.Source, Open);
        foreach (string d in new[] { "a/b/c", "d/e", "f" })
            Directory.CreateDirectory(s.P(d));
        s.Write("a/b/c/1", "1\n");
        s.Write("d/e/2", "2\n");
        s.Write("f/3", "3\n");
        const string limitPath = "/proc/sys/fs/inotify/max_user_watches";
        string saved = File.ReadAllText(limitPath).Trim();
        string setpriv = ToolProcess.FindOnPath("setpriv") ?? throw new InvalidOperationException("setpriv is not installed (util-linux)");
        File.WriteAllText(limitPath, "3");
        try
        {
            s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", "--backend", "inotify", "--fallback-scan", "1s",
                s.Source + "/", s.Destination], [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]);
            await s.Watcher.WaitForLogAsync("inotify watch limit reached");
        }
        finally
        {
            File.WriteAllText(limitPath, saved);
        }
        Assert.Equal(saved, File.ReadAllText(limitPath).Trim());
        // root + a, a/b, a/b/c, d, d/e, f: one watch per directory, and the sysctl to raise.
        Assert.Contains("this tree needs 7 watches", s.Watcher.Log, StringComparison.Ordinal);
        Assert.Contains("sysctl -w fs.inotify.max_user_watches=", s.Watcher.Log, StringComparison.Ordinal);
        await s.Watcher.WaitForLogAsync("batch full sync");
        await s.ConvergedAsync();

        // Changes deep in the subtrees that got no watch: the periodic re-send (and, the limit being back, the
        // watches it then sets) carries them.
        s.Write("a/b/c/new", "new\n");
        s.Write("d/e/2", "2 changed\n");
        File.Delete(s.P("f/3"));
        Directory.CreateDirectory(s.P("d/e/g"));
        s.Write("d/e/g/deeper", "deeper\n");
        await s.ConvergedAsync();
        s.Write("a/b/c/later", "later\n");
        await s.ConvergedAsync();
    }

    [Fact]
    public async Task FullReplicaDiskIsRetriedUntilThereIsRoomAndNothingIsLost()
    {
        using var s = new WatchScenario(daemon);
        using SmallTmpfs disk = await SmallTmpfs.MountAsync(s.Replica, "1m");
        s.Write("a", "a\n");
        WatchProcess w = await s.StartWatchAsync();
        await s.ConvergedAsync();

        // 3 x 600 KiB into a 1 MiB file system: the daemon's receiver runs out of space.
        for (int i = 0; i < 3; i++)
            File.WriteAllBytes(s.P($"big{i}"), RandomNumberGenerator.GetBytes(600 * 1024));
        s.Write("small", "small\n");
        await w.WaitForLogAsync("failed (attempt 1");
        Assert.Contains("No space left on device", w.Log + daemon.DaemonLog, StringComparison.Ordinal);
        Assert.True(w.IsRunning, w.Log);

        await disk.GrowAsync("16m"); // room again: the next retry lands everything
        await s.ConvergedAsync();
        s.Write("after", "after\n");
        await s.ConvergedAsync();
    }

    [Fact]
    public Task FullStateDiskDoesNotStopReplicationAndTheJournalRecovers() => WatchFaultTests.WithOwnDaemonAsync(async own =>
    {
        using var s = new WatchScenario(own);
        string state = Path.Combine(s.Work, "state");
        using SmallTmpfs disk = await SmallTmpfs.MountAsync(state, "64k");
        s.Write("a", "a\n");
        WatchProcess w = await s.StartWatchAsync("--state-dir", state);
        await s.ConvergedAsync();

        disk.Fill();
        s.Write("b", "b\n");
        File.Delete(s.P("a"));
        Directory.CreateDirectory(s.P("d"));
        s.Write("d/x", "x\n");
        await s.ConvergedAsync(); // pushed although the journal cannot be written
        await w.WaitForLogAsync("cannot write the journal");
        Assert.True(w.IsRunning, w.Log);

        // Space back: the next batch rewrites the journal whole, and it works again: changes made while the daemon
        // is down survive a SIGKILL and are replayed by the next start.
        File.Delete(Path.Combine(state, "filler"));
        s.Write("c", "c\n");
        await w.WaitForLogAsync("the journal is written again");
        await s.ConvergedAsync();
        own.Stop();
        s.Write("while-down", "w\n");
        await w.WaitForLogAsync("failed (attempt 1");
        w.KillHard();
        await own.RestartAsync();
        WatchProcess again = await s.StartWatchAsync("--state-dir", state);
        Assert.Contains("restored", again.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("restored 0 pending", again.Log, StringComparison.Ordinal);
        await s.ConvergedAsync();
    });

    [Fact]
    public Task OneDeadReplicaBacksOffOnScheduleWhileTheOtherStaysCurrent() => WatchFaultTests.WithOwnDaemonAsync(async dead =>
    {
        using var s = new WatchScenario(daemon);
        string deadDest = $"{dead.Url}{DaemonModules.Open}/{s.Name}/";
        string deadReplica = Path.Combine(dead.ModulePath(DaemonModules.Open), s.Name);
        s.Write("a", "a\n");
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", s.Source + "/", s.Destination, deadDest]);
        await s.Watcher.WaitForLogAsync("batch full sync", count: 2);
        await s.ConvergedAsync();
        await Converge.WaitAsync(s.Source, deadReplica, s.Explain);

        dead.Stop();
        string failed = $"{deadDest}: push of";
        int FailuresOfDead() => s.Watcher.Log.Split('\n').Count(l => l.Contains(failed, StringComparison.Ordinal) && l.Contains("failed (attempt", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (int i = 0; FailuresOfDead() < 5; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the dead replica was not retried 5 times in 90 s\n{s.Explain()}");
            s.Write($"live{i}", $"{i}\n"); // the live replica keeps up meanwhile
            await s.ConvergedAsync();
            await Task.Delay(200);
        }

        // Attempt n+1 starts no sooner than 250 ms * 2^(n-1) after attempt n failed (ReplicaQueueOptions), and not
        // much later: the daemon is gone, so each attempt fails at once (connection refused).
        List<DateTime> at = s.Watcher.Log.Split('\n')
            .Where(l => l.Contains(failed, StringComparison.Ordinal) && l.Contains("failed (attempt", StringComparison.Ordinal))
            .Select(l => DateTime.Parse(l[..l.IndexOf(' ')], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))
            .ToList();
        for (int n = 1; n < 5; n++)
        {
            TimeSpan gap = at[n] - at[n - 1];
            TimeSpan backoff = TimeSpan.FromMilliseconds(250 * Math.Pow(2, n - 1));
            Assert.True(gap >= backoff - TimeSpan.FromMilliseconds(20) && gap <= backoff + TimeSpan.FromSeconds(10),
                $"attempt {n + 1} came {gap.TotalMilliseconds:0} ms after attempt {n}, expected {backoff.TotalMilliseconds:0} ms of backoff\n{s.Explain()}");
        }
        Assert.DoesNotContain($"{s.Destination}: push of", s.Watcher.Log, StringComparison.Ordinal); // the live one never failed

        await dead.RestartAsync();
        await Converge.WaitAsync(s.Source, deadReplica, s.Explain); // its next retry is at most 12 s away
    });

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    [InlineData("HUP")]
    public async Task SignalPushesThePendingBatchThenExitsCleanly(string signal)
    {
        using var s = new WatchScenario(daemon);
        string state = Path.Combine(s.Work, "state");
        s.Write("first", "first\n");
        // A quiet window of an hour: after the first change, which goes out at once, changes wait for the signal.
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "60m", "--max-delay", "60m", "--state-dir", state,
            s.Source + "/", s.Destination]);
        await s.Watcher.WaitForLogAsync("batch full sync");
        await s.ConvergedAsync();
        s.Write("second", "second\n");
        File.Delete(s.P("first"));
        string status = Path.Combine(state, "status");
        await Converge.UntilAsync(() => File.Exists(status) && File.ReadAllText(status).Contains("batching=2\n", StringComparison.Ordinal),
            "the watcher holds the two changes (status file: batching=2)", s.Explain);
        Assert.False(File.Exists(Path.Combine(s.Replica, "second")), "sent before the signal");

        s.Watcher.Signal(signal);
        int exit = await s.Watcher.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit} after SIG{signal}\n{s.Explain()}");
        Assert.Contains("stopping: pushing what is pending first", s.Watcher.Log, StringComparison.Ordinal);
        await s.ConvergedAsync(); // nothing runs any more: equal now, or never
    }

    [Fact]
    public async Task NetworkCutMidPushIsRetriedAndNothingIsLost()
    {
        using var s = new WatchScenario(daemon);
        await using var proxy = new FaultProxy(daemon.Port);
        s.ViaPort = proxy.Port;
        s.Write("a", "a\n");
        s.Write("gone", "gone\n");
        WatchProcess w = await s.StartWatchAsync();
        await s.ConvergedAsync();

        long before = proxy.Forwarded;
        proxy.CutAfter(256 * 1024);
        File.WriteAllBytes(s.P("big"), RandomNumberGenerator.GetBytes(8 << 20));
        s.Write("small", "small\n");
        File.Delete(s.P("gone"));
        await s.ConvergedAsync();
        Assert.Equal(1, proxy.Cuts);
        // The cut came 256 KiB into the 8 MiB file; all of it went through again afterwards (a push over the
        // waiting connection that fails is retried at once over a fresh one, then with backoff).
        Assert.True(proxy.Forwarded - before > (8 << 20) + 256 * 1024, $"nothing was sent again after the cut\n{s.Explain()}");
        Assert.True(w.IsRunning, w.Log);
    }

    [Fact]
    public async Task StalledConnectionTimesOutWithTimeoutAndIsRetried()
    {
        using var s = new WatchScenario(daemon);
        await using var proxy = new FaultProxy(daemon.Port);
        s.ViaPort = proxy.Port;
        s.Write("a", "a\n");
        WatchProcess w = await s.StartWatchAsync("--timeout=3");
        await s.ConvergedAsync();

        proxy.Stall();
        s.Write("b", "b\n");
        File.AppendAllText(s.P("a"), "more\n");
        await w.WaitForLogAsync("failed (attempt 1");
        Assert.Contains("timeout", w.Log, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(s.Replica, "b")));
        proxy.Resume();
        await s.ConvergedAsync();
    }

    // No --timeout: stock rsync would wait on the stalled daemon for ever; the watch's push ends at its stall timeout
    // (10 minutes by default, 3 s here; WatchStallTimeoutTests shows the default reaches the daemon as --timeout=600)
    // and is retried, and the replica converges once the stall is over.
    [Fact]
    public async Task StalledDaemonWithoutTimeoutEndsAtTheStallTimeoutAndConverges()
    {
        using var s = new WatchScenario(daemon);
        await using var proxy = new FaultProxy(daemon.Port);
        s.ViaPort = proxy.Port;
        s.Write("a", "a\n");
        WatchProcess w = await s.StartWatchAsync("--stall-timeout=3s");
        await s.ConvergedAsync();

        proxy.Stall();
        s.Write("b", "b\n");
        File.AppendAllText(s.P("a"), "more\n");
        await w.WaitForLogAsync("failed (attempt 1");
        string failure = w.Log.Split('\n').First(l => l.Contains("failed (attempt 1", StringComparison.Ordinal));
        Assert.Contains("timeout", failure, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(s.Replica, "b")));
        proxy.Resume();
        await s.ConvergedAsync();
    }

    [Fact]
    public async Task SteadyWriteStreamIsCutByMaxDelay()
    {
        using var s = new WatchScenario(daemon);
        s.Write("a", "a\n");
        // A 2 s quiet window that a write every 50 ms never leaves: only --max-delay (300 ms) cuts batches.
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "2s", "--max-delay", "300ms", s.Source + "/", s.Destination]);
        await s.Watcher.WaitForLogAsync("batch full sync");
        await s.ConvergedAsync();
        int batchesBefore = s.Watcher.CountLog(": batch ");
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        for (int i = 0; DateTime.UtcNow < end; i++)
        {
            s.Write($"stream{i:D4}", $"{i}\n");
            await Task.Delay(50);
        }
        int during = s.Watcher.CountLog(": batch ") - batchesBefore;
        // The first write after the idle start goes out at once; without --max-delay nothing else would before the end.
        Assert.True(during >= 3, $"only {during} batch(es) while 6 s of writes went on\n{s.Explain()}");
        await s.ConvergedAsync();
    }
}
