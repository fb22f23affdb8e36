using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// The tree watcher on real directories with a real kernel event source, ordinary and hard cases; the same tests run
/// once per backend (<see cref="InotifyTreeWatcherTests"/>, <see cref="FanotifyTreeWatcherTests"/>, which needs
/// root as CI runs it, and fails rather than falls back when it cannot have fanotify).
/// </summary>
public abstract class TreeWatcherTests : IDisposable
{
    private protected readonly TempTree _tree = new();
    private protected readonly ChangeCollector _seen = new();
    private protected TreeWatcher? _watcher;

    private protected TreeWatcherTests(WatchBackend backend) => Backend = backend;

    private protected WatchBackend Backend { get; }

    private protected bool Fanotify => Backend == WatchBackend.Fanotify;

    public void Dispose()
    {
        _watcher?.Dispose();
        _tree.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the watcher with this class's backend (the options' own Backend is replaced).</summary>
    private protected TreeWatcher Start(TreeWatcherOptions? options = null, ITreeWatchObserver? observer = null)
    {
        TreeWatcherOptions o = options ?? new TreeWatcherOptions();
        _watcher = new TreeWatcher(_tree.Root, new TreeWatcherOptions
        {
            Events = o.Events,
            Recursive = o.Recursive,
            ReportChanges = o.ReportChanges,
            Exclude = o.Exclude,
            FallbackScanInterval = o.FallbackScanInterval,
            ListBeforeWatch = o.ListBeforeWatch,
            WatchBudget = o.WatchBudget,
            IgnoreOwnProcess = o.IgnoreOwnProcess,
            FanotifyWithoutRename = o.FanotifyWithoutRename,
            Backend = Backend,
        }, observer ?? _seen);
        _watcher.Start();
        Assert.Equal(Backend, _watcher.Backend);
        return _watcher;
    }

    /// <summary>Watches the kernel keeps for this tree: one per directory with inotify, the one file-system mark with fanotify.</summary>
    private protected int Watches(int directories) => Fanotify ? 1 : directories;

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
        _seen.WaitFor(s => s.Changes.Count(c => c.Kind == ChangeKind.Changed && c.Path.Text == "a.txt") >= 2, "create + close-write");
    }

    [Fact]
    public void AStreamOfEventsIsReadInBatchesAndNothingIsLost()
    {
        Start();
        Directory.CreateDirectory(_tree["s"]);
        const int Files = 3000;
        for (int i = 0; i < Files; i++)
            File.WriteAllText(_tree[$"s/f{i:D4}"], "x");
        _seen.WaitFor(s => s.Changes.Where(c => c.Kind == ChangeKind.Changed).Select(c => c.Path.Text).Distinct().Count() >= Files + 1,
            "every file of the stream");
        Assert.True(_watcher!.StreamPauses > 0, "the reader never paused inside a stream of 3,000 files");
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
        Assert.Equal(Watches(4), _watcher!.WatchCount);
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
        Assert.Equal("b\\#377\\#376x", raw.Path.ToString()); // as rsync prints it (log.c)
    }

    [Fact]
    public void QueueOverflowReportsFullRescanAndWatchesMissedDirectories()
    {
        // Hold the reader thread in its first callback while far more events than max_queued_events pile up.
        var gate = new ManualResetEventSlim();
        var blocking = new BlockingObserver(_seen, gate);
        Start(observer: blocking);
        long max = Fanotify ? InotifyLimits.Read(FanotifyLimitPath) : InotifyLimits.Current().MaxQueuedEvents;
        Assert.True(max is > 0 and <= 1_000_000, $"max_queued_events is {max}; this test floods past it");
        File.WriteAllText(_tree["first"], "blocks the reader");
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(20)), "reader never called back");
        Directory.CreateDirectory(_tree["burst"]);
        // inotify merges only adjacent identical events; fanotify merges any queued event with the same directory and
        // name (fanotify(7)), so there every event needs a name of its own.
        for (long i = 0; i <= max; i++)
            File.Create(_tree["f" + (Fanotify ? i : i % 2000)]).Dispose();
        Directory.CreateDirectory(_tree["burst/made-during-overflow"]);
        gate.Set();
        _seen.WaitFor(s => s.Changes.Any(c => c.Kind == ChangeKind.FullRescan), "queue overflow -> full rescan");
        _seen.WaitFor(_ => _watcher!.WatchCount == Watches(3), "directories created during the overflow are watched");
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
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text.StartsWith("d/", StringComparison.Ordinal));
        Assert.Equal(1, _watcher!.WatchCount);
    }

    [Fact]
    public void ExcludedDirectoriesAreNotWatched()
    {
        Directory.CreateDirectory(_tree["keep"]);
        Directory.CreateDirectory(_tree["cache"]);
        var exclude = new ManagedRsync.Filters.FilterListBuilder().AddExclude("cache/").AddExclude("*.swp").Build();
        Start(new TreeWatcherOptions { Exclude = new WatchFilter(exclude, _tree.Root).CreatePredicate() });
        Assert.Equal(Watches(2), _watcher!.WatchCount);
        File.WriteAllText(_tree["cache/inside-excluded"], "");
        Directory.CreateDirectory(_tree["cache/sub"]);
        File.WriteAllText(_tree["cache/sub/deeper"], "");
        File.WriteAllText(_tree["keep/a.swp"], "");
        File.WriteAllText(_tree["keep/a"], "");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "keep/a"), "keep/a");
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text.EndsWith(".swp", StringComparison.Ordinal));
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text.StartsWith("cache", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateDeleteRecreateOfOneNameEndsInItsLastState()
    {
        // The reader is held while the same names come and go, so fanotify merges their queued events into one
        // (create|delete bits, order lost): what the watcher reports last must still be each name's final state.
        var gate = new ManualResetEventSlim();
        var blocking = new BlockingObserver(_seen, gate);
        Start(observer: blocking);
        File.WriteAllText(_tree["first"], "blocks the reader");
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(20)), "reader never called back");
        for (int round = 0; round < 3; round++)
        {
            File.WriteAllText(_tree["again"], "v" + round);
            File.Delete(_tree["again"]);
            Directory.CreateDirectory(_tree["dir-again"]);
            Directory.Delete(_tree["dir-again"]);
            File.WriteAllText(_tree["gone"], "g");
            File.Delete(_tree["gone"]);
        }
        File.WriteAllText(_tree["again"], "final");
        Directory.CreateDirectory(_tree["dir-again"]);
        File.WriteAllText(_tree["sentinel"], "s");
        gate.Set();
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "sentinel"), "sentinel");
        WatchChange Last(string p) => _seen.Changes.Last(c => c.Path.Text == p);
        Assert.Equal(ChangeKind.Changed, Last("again").Kind);
        Assert.Equal((ChangeKind.Changed, true), (Last("dir-again").Kind, Last("dir-again").IsDirectory));
        Assert.Equal(ChangeKind.Deleted, Last("gone").Kind);
    }

    [Fact]
    public void MkdirPStormsMissNothing()
    {
        Start();
        var expected = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            string deep = $"s{i % 7}/{i}/a/b/c/d/e";
            Directory.CreateDirectory(_tree[deep]);
            File.WriteAllText(_tree[deep + "/f"], "x");
            File.WriteAllText(_tree[$"s{i % 7}/{i}/a/g"], "y");
            expected.Add(deep + "/f");
            expected.Add($"s{i % 7}/{i}/a/g");
        }
        _seen.WaitFor(s => expected.All(p => s.Saw(ChangeKind.Changed, p)), "every file written right after mkdir -p");
    }

    [Fact]
    public void RenamedDirectoryIsOneMoveAndEventsOutsideAreDropped()
    {
        using var outside = new TempTree();
        using var incoming = new TempTree();
        File.WriteAllText(incoming["brought"], "b");
        Directory.CreateDirectory(_tree["d/sub"]);
        Start();
        Directory.Move(_tree["d"], _tree["e"]);
        File.WriteAllText(_tree["e/sub/after"], "a");
        File.WriteAllText(outside["not-ours"], "n");
        Directory.Move(incoming.Root, _tree["moved-in"]);
        _seen.WaitFor(s => s.Saw(ChangeKind.Deleted, "d") && s.Saw(ChangeKind.Changed, "e") && s.Saw(ChangeKind.SubtreeDirty, "e")
            && s.Saw(ChangeKind.Changed, "e/sub/after") && s.Saw(ChangeKind.Changed, "moved-in")
            && (s.Saw(ChangeKind.SubtreeDirty, "moved-in") || s.Saw(ChangeKind.Changed, "moved-in/brought")),
            "the move, writes under the new name, a move in with its content");
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text.Contains("not-ours", StringComparison.Ordinal));
        Directory.Move(_tree["moved-in"], incoming.Root);
    }

    private const string FanotifyLimitPath = "/proc/sys/fs/fanotify/max_queued_events";
}

/// <summary><see cref="TreeWatcherTests"/> with one inotify watch per directory, and what only inotify has.</summary>
public sealed class InotifyTreeWatcherTests() : TreeWatcherTests(WatchBackend.Inotify)
{
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
}
