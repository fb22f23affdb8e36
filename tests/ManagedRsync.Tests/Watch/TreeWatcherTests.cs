using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>The tree watcher on real directories with real inotify, ordinary and hard cases.</summary>
public sealed class TreeWatcherTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly ChangeCollector _seen = new();
    private TreeWatcher? _watcher;

    public void Dispose()
    {
        _watcher?.Dispose();
        _tree.Dispose();
    }

    private TreeWatcher Start(TreeWatcherOptions? options = null, ITreeWatchObserver? observer = null)
    {
        _watcher = new TreeWatcher(_tree.Root, options ?? new TreeWatcherOptions(), observer ?? _seen);
        _watcher.Start();
        return _watcher;
    }

    [Fact]
    public void ReportsCreateWriteAndClose()
    {
        Start();
        using (FileStream f = File.Create(_tree["a.txt"]))
        {
            f.Write("hello"u8);
            f.Flush();
            _seen.WaitFor(s => s.Saw(ChangeKind.Writing, "a.txt"), "IN_MODIFY while open");
        }
        _seen.WaitFor(s => s.Changes.Count(c => c.Kind == ChangeKind.Changed && c.Path.Latin1 == "a.txt") >= 2, "create + close-write");
    }

    [Fact]
    public void MkdirPThenImmediateWritesAreAllSeen()
    {
        Start();
        string deep = _tree["x/y/z"];
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "f1"), "1");
        File.WriteAllText(_tree["x/y/f2"], "2");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "x/y/z/f1") && s.Saw(ChangeKind.Changed, "x/y/f2") && s.Saw(ChangeKind.Changed, "x/y/z"), "files written right after mkdir -p");
        Assert.Equal(4, _watcher!.WatchCount);
    }

    [Fact]
    public void NamesThatAreNotUtf8OrHoldNewlinesKeepTheirBytes()
    {
        Start();
        byte[] bad = [(byte)'b', 0xff, 0xfe, (byte)'x'];
        byte[] newline = "two\nlines"u8.ToArray();
        RawNames.CreateFile(_tree.Root, bad);
        RawNames.CreateFile(_tree.Root, newline);
        _seen.WaitFor(s => s.Changes.Any(c => c.Path.ToBytes().AsSpan().SequenceEqual(bad))
            && s.Changes.Any(c => c.Path.ToBytes().AsSpan().SequenceEqual(newline)), "raw names");
        WatchChange raw = _seen.Changes.First(c => c.Path.ToBytes().AsSpan().SequenceEqual(bad));
        Assert.False(raw.Path.IsValidUtf8);
        Assert.Equal("b\\377\\376x", raw.Path.ToString());
    }

    [Fact]
    public void QueueOverflowReportsFullRescanAndWatchesMissedDirectories()
    {
        // Hold the reader thread in its first callback while far more events than max_queued_events pile up.
        var gate = new ManualResetEventSlim();
        var blocking = new BlockingObserver(_seen, gate);
        Start(observer: blocking);
        long max = InotifyLimits.Current().MaxQueuedEvents;
        Assert.True(max is > 0 and <= 1_000_000, $"max_queued_events is {max}; this test floods past it");
        File.WriteAllText(_tree["first"], "blocks the reader");
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(20)), "reader never called back");
        Directory.CreateDirectory(_tree["burst"]);
        for (long i = 0; i <= max; i++)
            File.Create(_tree["f" + (i % 2000)]).Dispose(); // each: IN_CREATE or IN_CLOSE_WRITE (merged only when adjacent and identical)
        Directory.CreateDirectory(_tree["burst/made-during-overflow"]);
        gate.Set();
        _seen.WaitFor(s => s.Changes.Any(c => c.Kind == ChangeKind.FullRescan), "IN_Q_OVERFLOW -> full rescan");
        _seen.WaitFor(_ => _watcher!.WatchCount == 3, "directories created during the overflow are watched");
        File.WriteAllText(_tree["burst/made-during-overflow/later"], "seen");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "burst/made-during-overflow/later"), "events after the rescan");
    }

    private sealed class BlockingObserver(ChangeCollector inner, ManualResetEventSlim gate) : ITreeWatchObserver
    {
        public ManualResetEventSlim Entered { get; } = new();

        public void OnChange(in WatchChange change)
        {
            Entered.Set();
            gate.Wait();
            inner.OnChange(change);
        }

        public void OnWarning(string message) => inner.OnWarning(message);
    }

    [Fact]
    public void WatchLimitFallsBackToPeriodicResendAndSaysWhatToRaise()
    {
        Directory.CreateDirectory(_tree["a/b/c"]);
        Directory.CreateDirectory(_tree["d/e"]);
        Start(new TreeWatcherOptions { WatchBudget = 3, FallbackScanInterval = TimeSpan.FromMilliseconds(200) });
        Assert.Equal(3, _watcher!.WatchCount);
        string warning = _seen.Warnings.Single(w => w.Contains("watch limit", StringComparison.Ordinal));
        Assert.Contains("needs 6 watches", warning, StringComparison.Ordinal);
        Assert.Contains("/proc/sys/fs/inotify/max_user_watches", warning, StringComparison.Ordinal);
        Assert.Contains("sysctl -w fs.inotify.max_user_watches=", warning, StringComparison.Ordinal);
        _seen.WaitFor(s => s.Changes.Count(c => c.Kind == ChangeKind.SubtreeDirty) >= 2, "periodic re-send of unwatched subtrees");
    }

    [Fact]
    public void DeletedRootIsReportedNotPropagatedAndPickedUpWhenBack()
    {
        File.WriteAllText(_tree["x"], "x");
        Start(new TreeWatcherOptions { FallbackScanInterval = TimeSpan.FromMilliseconds(100) });
        string moved = _tree.Root + "-moved";
        Directory.Move(_tree.Root, moved);
        _seen.WaitFor(s => s.Warnings.Any(w => w.Contains("is gone", StringComparison.Ordinal)), "root gone warning");
        Assert.DoesNotContain(_seen.Changes, c => c.Kind == ChangeKind.Deleted);
        Directory.Move(moved, _tree.Root);
        _seen.WaitFor(s => s.Changes.Any(c => c.Kind == ChangeKind.FullRescan), "root back -> full rescan");
        File.WriteAllText(_tree["y"], "y");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "y"), "watching again");
    }

    [Fact]
    public void DirectoryReplacedBySymlinkIsNeverEntered()
    {
        using var outside = new TempTree();
        Directory.CreateDirectory(outside["deep"]);
        Directory.CreateDirectory(_tree["d"]);
        Start();
        Directory.Delete(_tree["d"]);
        Directory.CreateSymbolicLink(_tree["d"], outside.Root);
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "d"), "the symlink");
        File.WriteAllText(outside["deep/f"], "outside");
        File.WriteAllText(_tree["sentinel"], "s");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "sentinel"), "sentinel");
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Latin1.StartsWith("d/", StringComparison.Ordinal));
        Assert.Equal(1, _watcher!.WatchCount);
    }

    [Fact]
    public void ExcludedDirectoriesAreNotWatched()
    {
        Directory.CreateDirectory(_tree["keep"]);
        Directory.CreateDirectory(_tree["cache"]);
        var exclude = new ManagedRsync.Filters.FilterListBuilder().AddExclude("cache/").AddExclude("*.swp").Build();
        Start(new TreeWatcherOptions { Exclude = new WatchFilter(exclude, _tree.Root).CreatePredicate() });
        Assert.Equal(2, _watcher!.WatchCount);
        File.WriteAllText(_tree["keep/a.swp"], "");
        File.WriteAllText(_tree["keep/a"], "");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "keep/a"), "keep/a");
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Latin1.EndsWith(".swp", StringComparison.Ordinal));
    }
}
