using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// Faults around `mrsync watch` and a stock rsync daemon: the kernel queue overflowing, the daemon going away and
/// coming back, the watcher SIGKILLed while the daemon is away. Tests that stop a daemon start their own.
/// </summary>
public abstract class WatchFaultTests(RsyncDaemonFixture daemon, string backend)
{
    [Fact]
    public async Task KernelQueueOverflowEndsInAFullSyncThatConverges()
    {
        using var s = new WatchScenario(daemon, backend: backend);
        Directory.CreateDirectory(s.P("old"));
        for (int i = 0; i < 50; i++)
            s.Write($"old/{i}", $"{i}\n");
        Directory.CreateDirectory(s.P("burst"));
        if (backend == "fanotify")
            await FanotifyOverflowAsync(s);
        else
            await InotifyOverflowAsync(s);
        await s.Watcher!.WaitForLogAsync("queue overflowed");
        await s.ConvergedAsync();
        Assert.Equal(backend == "fanotify" ? FanotifyBurst : 101, Directory.GetFiles(Path.Combine(s.Replica, "burst")).Length);
    }

    private static async Task InotifyOverflowAsync(WatchScenario s)
    {
        WatchProcess w = await s.StartWatchAsync();
        await s.ConvergedAsync();

        // Stop the watcher so it cannot read, then queue more events than max_queued_events (inotify(7): the excess
        // is dropped and IN_Q_OVERFLOW queued). A rename is two events (IN_MOVED_FROM, IN_MOVED_TO) for one syscall.
        long limit = long.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_queued_events").Trim());
        Assert.True(limit <= 65536, $"max_queued_events is {limit}: too many events would be needed to overflow it in a test");
        w.Signal("STOP");
        try
        {
            for (int i = 0; i < 100; i++)
                s.Write($"burst/f{i:D3}", $"{i}\n");
            s.Write("burst/spin0", "spin\n");
            for (long i = 0; i < limit / 2 + 200; i++)
                File.Move(s.P($"burst/spin{i % 2}"), s.P($"burst/spin{(i + 1) % 2}"));
            Directory.Delete(s.P("old"), recursive: true);
        }
        finally
        {
            w.Signal("CONT");
        }
    }

    private const int FanotifyBurst = 1000;

    /// <summary>
    /// fanotify merges queued events with the same directory and name, so spinning two names cannot overflow it; and
    /// its queue is /proc/sys/fs/fanotify/max_queued_events (16384) read when the group is made. So the limit is
    /// lowered for the watcher's start only, and the burst is of distinct names.
    /// </summary>
    private static async Task FanotifyOverflowAsync(WatchScenario s)
    {
        const string limitPath = "/proc/sys/fs/fanotify/max_queued_events";
        string saved = File.ReadAllText(limitPath).Trim();
        WatchProcess w;
        File.WriteAllText(limitPath, "256");
        try
        {
            w = await s.StartWatchAsync();
        }
        finally
        {
            File.WriteAllText(limitPath, saved);
        }
        await s.ConvergedAsync();
        w.Signal("STOP");
        try
        {
            for (int i = 0; i < FanotifyBurst; i++)
                s.Write($"burst/f{i:D4}", $"{i}\n");
            Directory.Delete(s.P("old"), recursive: true);
        }
        finally
        {
            w.Signal("CONT");
        }
    }

    [Fact]
    public Task DaemonStoppedAndRestartedPendingChangesAreRetried() => WithOwnDaemonAsync(async own =>
    {
        using var s = new WatchScenario(own, backend: backend);
        s.Write("a", "a\n");
        s.Write("gone", "gone\n");
        WatchProcess w = await s.StartWatchAsync();
        await s.ConvergedAsync();

        own.Stop();
        s.Write("b", "b\n");
        File.AppendAllText(s.P("a"), "changed while the daemon was down\n");
        File.Delete(s.P("gone"));
        Directory.CreateDirectory(s.P("d/e"));
        s.Write("d/e/f", "f\n");
        await w.WaitForLogAsync("failed (attempt 2");
        await own.RestartAsync();
        await s.ConvergedAsync();

        // and the queue keeps working afterwards
        s.Write("after", "after\n");
        await s.ConvergedAsync();
    });

    [Fact]
    public Task WatcherKilledWhileDaemonIsDownReplaysItsJournal() => WithOwnDaemonAsync(async own =>
    {
        using var s = new WatchScenario(own, backend: backend);
        string state = Path.Combine(s.Work, "state");
        s.Write("a", "a\n");
        s.Write("gone", "gone\n");
        Directory.CreateDirectory(s.P("dir"));
        s.Write("dir/x", "x\n");
        WatchProcess w = await s.StartWatchAsync("--state-dir", state);
        await s.ConvergedAsync();

        own.Stop();
        s.Write("b", "b\n");
        File.Delete(s.P("gone"));
        Directory.Move(s.P("dir"), s.P("dir2"));
        await w.WaitForLogAsync("failed (attempt 1");
        w.KillHard();
        string journal = Assert.Single(Directory.GetFiles(state, "*.journal"));
        Assert.True(new FileInfo(journal).Length > 0, "the journal is empty after the failed push");

        // more changes while nothing watches; then the daemon and the watcher come back
        s.Write("while-dead", "w\n");
        File.Delete(s.P("a"));
        await own.RestartAsync();
        WatchProcess again = await s.StartWatchAsync("--state-dir", state);
        Assert.Contains("restored", again.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("restored 0 pending", again.Log, StringComparison.Ordinal);
        await s.ConvergedAsync();
        Assert.False(File.Exists(Path.Combine(s.Replica, "gone")));
        Assert.False(Directory.Exists(Path.Combine(s.Replica, "dir")));
    });

    /// <summary>Runs <paramref name="test"/> against a stock daemon of its own, which it may stop and restart.</summary>
    internal static async Task WithOwnDaemonAsync(Func<RsyncDaemonFixture, Task> test)
    {
        var own = new RsyncDaemonFixture();
        await own.InitializeAsync();
        try
        {
            await test(own);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }
}

/// <summary><see cref="WatchFaultTests"/> with one inotify watch per directory.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class InotifyWatchFaultTests(RsyncDaemonFixture daemon) : WatchFaultTests(daemon, "inotify");

/// <summary><see cref="WatchFaultTests"/> with the fanotify file-system mark (root, as CI runs them).</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class FanotifyWatchFaultTests(RsyncDaemonFixture daemon) : WatchFaultTests(daemon, "fanotify");
