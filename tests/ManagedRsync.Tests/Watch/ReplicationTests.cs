using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// Real inotify, real directories: a <see cref="WatchService"/> keeps a local replica in step and every case ends
/// with the replica equal to the source, file by file.
/// </summary>
public sealed class ReplicationTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TempTree _src = new();
    private readonly TempTree _dst = new();
    private readonly TempTree _state = new();
    private readonly List<string> _log = [];

    public void Dispose()
    {
        _src.Dispose();
        _dst.Dispose();
        _state.Dispose();
    }

    private sealed class Running : IAsyncDisposable
    {
        public required WatchService Service { get; init; }
        public required Task Run { get; init; }
        public required CancellationTokenSource Stop { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Run;
            Service.Dispose();
            Stop.Dispose();
        }
    }

    private Running Start(IReplicaTarget target, TimeSpan? fallback = null)
    {
        var service = new WatchService(new WatchServiceOptions
        {
            Source = _src.Root,
            StateDirectory = _state.Root,
            Batching = new CoalescerOptions { Delay = TimeSpan.FromMilliseconds(20), MaxOpenWait = TimeSpan.FromMilliseconds(500) },
            Retry = new ReplicaQueueOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) },
            FallbackScanInterval = fallback ?? TimeSpan.FromSeconds(10),
        }, [target], m => { lock (_log) _log.Add(m); });
        var stop = new CancellationTokenSource();
        var ready = new ManualResetEventSlim();
        Task run = Task.Run(() => service.RunAsync(ready.Set, stop.Token));
        Assert.True(ready.Wait(TimeSpan.FromSeconds(20)), "watches never established");
        return new Running { Service = service, Run = run, Stop = stop };
    }

    // rsync -a --delete through the local-copy engine, as `mrsync watch -a --delete SRC/ DST` builds it.
    private LocalReplicaTarget Local(bool delete = true) => new("replica", _src.Root, _dst.Root,
        TransferOptions.Archive with { Delete = delete ? DeleteTiming.Default : DeleteTiming.None, WholeFile = true }, delete, filters: null);

    [Fact]
    public async Task InitialFullSyncThenFileChangesConverge()
    {
        File.WriteAllText(_src["before.txt"], "present at start");
        Directory.CreateDirectory(_src["old/dir"]);
        File.WriteAllText(_src["old/dir/f"], "x");
        await using Running r = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial full sync");

        File.WriteAllText(_src["new.txt"], "created");
        File.AppendAllText(_src["before.txt"], " and modified");
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "create + modify");

        File.Delete(_src["new.txt"]);
        File.Move(_src["before.txt"], _src["renamed.txt"]);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "delete + rename");

        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(_src["renamed.txt"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "chmod");
    }

    [Fact]
    public async Task ABurstFromAWriterThatKeepsPausingConvergesInFewPushes()
    {
        await using Running r = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial");
        int before = Batches();

        // 2,000 files in 40 directories made first, with a 25 ms pause after every 20 files (longer than the 20 ms
        // quiet window, as a writer on a loaded machine pauses): cut at every pause, as the watcher did, this was one
        // push per pause, some 100.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int d = 0; d < 40; d++)
            Directory.CreateDirectory(_src[$"burst/d{d:D2}"]);
        const int Files = 2000;
        for (int i = 0; i < Files; i++)
        {
            File.WriteAllText(_src[$"burst/d{i % 40:D2}/f{i:D4}"], "x");
            if (i % 20 == 19)
                Thread.Sleep(25);
        }
        TimeSpan writing = clock.Elapsed;
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "the burst");

        // A few batches while the burst is recognised, then one per 1,024 changes or per --max-delay (1 s) at most,
        // and one more at each stall longer than any before it; twice that per second of writing, for a loaded machine.
        int pushes = Batches() - before;
        int bound = 8 + (int)Math.Ceiling(Files / (double)ChangeCoalescer.BurstBatch) + 2 * (int)Math.Ceiling(writing.TotalSeconds);
        output.WriteLine($"{pushes} pushes for {Files} files written in {writing.TotalSeconds:0.0} s (bound {bound}), converged {clock.Elapsed.TotalSeconds:0.0} s after the first mkdir");
        Assert.True(pushes <= bound, $"{pushes} pushes for {Files} files written in {writing.TotalSeconds:0.0} s (bound {bound})");
    }

    private int Batches()
    {
        lock (_log)
            return _log.Count(l => l.Contains(": batch ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DirectoryRenamesMovesAndMkdirPConverge()
    {
        using var outside = new TempTree();
        Directory.CreateDirectory(_src["a/b"]);
        File.WriteAllText(_src["a/b/f1"], "1");
        await using Running r = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial");

        Directory.Move(_src["a"], _src["renamed"]);
        File.WriteAllText(_src["renamed/b/f2"], "written after the rename, through the moved watch");
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "directory rename");

        Directory.CreateDirectory(_src["p/q/r/s"]);
        File.WriteAllText(_src["p/q/r/s/deep"], "deep");
        File.WriteAllText(_src["p/q/mid"], "mid");
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "mkdir -p then immediate writes");

        Directory.CreateDirectory(outside["in/sub"]);
        File.WriteAllText(outside["in/sub/g"], "moved in");
        Directory.Move(outside["in"], _src["in"]);
        Directory.Move(_src["renamed"], outside["out"]);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "move in and out of the tree");

        File.WriteAllText(_src["in/sub/after"], "the moved-in directory is watched");
        Directory.Delete(_src["p"], recursive: true);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "write in moved-in dir, rm -r");
        Assert.Equal(Directory.GetDirectories(_src.Root, "*", SearchOption.AllDirectories).Length + 1, r.Service.WatchCount);
    }

    [Fact]
    public async Task SymlinksAreCopiedAndNeverFollowed()
    {
        using var outside = new TempTree();
        File.WriteAllText(outside["secret"], "outside the tree");
        Directory.CreateDirectory(_src["d"]);
        File.WriteAllText(_src["d/keep"], "k");
        await using Running r = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial");

        File.CreateSymbolicLink(_src["link-to-file"], "d/keep");
        File.CreateSymbolicLink(_src["link-outside"], outside.Root);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "symlinks");

        // A directory replaced by a symlink to somewhere else: the link is copied, its target is never entered.
        Directory.Delete(_src["d"], recursive: true);
        File.CreateSymbolicLink(_src["d"], outside.Root);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "directory replaced by a symlink");
        Assert.True(File.Exists(outside["secret"]));
        Assert.False(File.Exists(_dst["d/secret"]) && new FileInfo(_dst["d"]).LinkTarget is null);
    }

    [Fact]
    public async Task FileStillOpenForWritingIsSentAfterClose()
    {
        await using Running r = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial");
        using (var f = new FileStream(_src["growing.log"], FileMode.Create))
        {
            for (int i = 0; i < 5; i++)
            {
                f.Write(new byte[4096]);
                f.Flush();
                Thread.Sleep(30);
            }
        }
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "written slowly, then closed");
        Assert.Equal(5 * 4096, new FileInfo(_dst["growing.log"]).Length);
    }

    [Fact]
    public async Task TargetDownKeepsChangesAndRetriesUntilItIsBack()
    {
        var target = new SwitchableTarget(Local());
        await using Running r = Start(target);
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "initial");
        target.Down = true;
        File.WriteAllText(_src["while-down-1"], "1");
        Directory.CreateDirectory(_src["dir-while-down"]);
        File.WriteAllText(_src["dir-while-down/2"], "2");
        SpinWait.SpinUntil(() => target.Failures >= 2, TimeSpan.FromSeconds(20));
        Assert.True(target.Failures >= 2, "pushes to the down target were never retried");
        Assert.True(r.Service.Queues[0].Depth > 0);
        target.Down = false;
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "after the target came back");
    }

    [Fact]
    public async Task RestartAfterUncleanStopWhileTargetDownConverges()
    {
        var target = new SwitchableTarget(Local());
        target.Down = true;
        File.WriteAllText(_src["old"], "o");
        Running r = Start(target);
        File.WriteAllText(_src["changed-while-down"], "c");
        File.Delete(_src["old"]);
        SpinWait.SpinUntil(() => target.Failures >= 2, TimeSpan.FromSeconds(20));
        // Abandon it as a SIGKILL would: no flush, no drain; only the journal remains.
        r.Service.Dispose();
        string journal = Directory.GetFiles(_state.Root, "*.journal").Single();
        Assert.True(new FileInfo(journal).Length > 6, "nothing was journaled");

        File.WriteAllText(_dst["stale-on-replica"], "must be deleted by the restart's full sync");
        await using Running again = Start(Local());
        TreeCompare.WaitConverged(_src.Root, _dst.Root, "restart");
        await r.Stop.CancelAsync();
        await Task.WhenAny(r.Run, Task.Delay(5000));
    }
}
