using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// Watches a directory tree and turns kernel events into <see cref="WatchChange"/>s, from one of two event sources
/// (<see cref="TreeWatcherOptions.Backend"/>): one inotify watch per directory, or one fanotify file-system mark
/// (TreeWatcher.Fanotify.cs). Both feed the same reporting, move, root-gone and fallback logic here, so the observer
/// (coalescer, journal, replicas) cannot tell them apart. With inotify:
/// <list type="bullet">
/// <item>Watch descriptors map to paths both ways. A new directory gets its watch first and is then listed, so a
/// file created before the watch existed is still reported (a file seen twice is harmless).</item>
/// <item>IN_MOVED_FROM and IN_MOVED_TO pair by cookie (inotify(7): the kernel queues the pair together); a pair inside
/// the tree moves the subtree's mapping and keeps its watches. An unpaired IN_MOVED_FROM at the end of a read is a
/// move out of the tree (delete); an unpaired IN_MOVED_TO is a move in (scan, create).</item>
/// <item>IN_Q_OVERFLOW re-walks the tree for missed directories and reports a full rescan.</item>
/// <item>ENOSPC (max_user_watches) leaves the rest of the tree unwatched: a loud warning says how many watches the tree
/// needs, and unwatched subtrees are reported dirty every <see cref="TreeWatcherOptions.FallbackScanInterval"/>.</item>
/// <item>A directory that may not be read (EACCES) is reported once through
/// <see cref="ITreeWatchObserver.OnAccessChanged"/> and skipped; a chmod on it (IN_ATTRIB) retries it.</item>
/// <item>A deleted or replaced root drops every watch and is looked for again at the same interval; nothing is
/// reported deleted for it.</item>
/// </list>
/// All bookkeeping runs on one reader thread, so none of it is locked.
/// </summary>
public sealed partial class TreeWatcher : IDisposable
{
    private readonly byte[] _root;
    private readonly TreeWatcherOptions _options;
    private readonly ITreeWatchObserver _observer;
    private readonly InotifyMask _watchMask;
    private readonly Dictionary<int, RawPath> _wdToPath = [];
    private readonly Dictionary<RawPath, int> _pathToWd = [];
    private readonly HashSet<RawPath> _unwatched = [];
    private readonly HashSet<RawPath> _denied = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InotifyInstance? _inotify;
    private WatchEventQueue? _queue;
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile int _watchCount;
    private bool _rootMissing;
    private bool _limitHitThisPass;
    private long _nextFallback;

    // An IN_MOVED_FROM waiting for its IN_MOVED_TO.
    private bool _moveFromPending;
    private uint _moveCookie;
    private RawPath _movePath;
    private bool _moveIsDir;

    /// <summary>A watcher of the tree under <paramref name="root"/>, reporting to <paramref name="observer"/>; call Start to begin.</summary>
    public TreeWatcher(string root, TreeWatcherOptions options, ITreeWatchObserver observer)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string trimmed = root.Length > 1 ? root.TrimEnd('/') : root;
        _root = System.Text.Encoding.UTF8.GetBytes(trimmed.Length == 0 ? "/" : trimmed);
        _options = options;
        _observer = observer;
        InotifyMask events = options.Events & InotifyMask.IN_ALL_EVENTS;
        if (options.Recursive)
            events |= TreeWatcherOptions.StructureEvents;
        _watchMask = events | InotifyMask.IN_ONLYDIR | InotifyMask.IN_DONT_FOLLOW | InotifyMask.IN_EXCL_UNLINK;
    }

    /// <summary>Watches in use (inotify: one per directory; fanotify: 1, the file-system mark).</summary>
    public int WatchCount => _watchCount;

    /// <summary>The event source in use, known once <see cref="Start"/> returned.</summary>
    public WatchBackend Backend { get; private set; }

    /// <summary>
    /// Why <see cref="WatchBackend.Auto"/> did not get fanotify (null when it did, or when inotify was asked for):
    /// the one line a caller logs.
    /// </summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Subtrees left unwatched by the watch limit (covered by periodic re-sends).</summary>
    public int UnwatchedSubtrees { get; private set; }

    /// <summary>Pauses the reader took inside event streams so that each read carries many records (for tests).</summary>
    internal long StreamPauses => _queue?.StreamPauses ?? 0;

    /// <summary>Completes when the reader thread ends; faulted when it failed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Sets the watches on the whole tree (on the caller's thread, so when this returns every directory present is
    /// watched) and starts the reader thread.
    /// </summary>
    public void Start()
    {
        if (!RawDirectory.IsDirectory(_root))
            throw new RsyncException(RsyncErrorKind.FileSelection,
                $"cannot watch {System.Text.Encoding.UTF8.GetString(_root)}: not a directory (or a symlink; watch its target)");
        if (StartFanotify())
        {
            Backend = WatchBackend.Fanotify;
            _queue = _fanotify;
            _watchCount = 1;
        }
        else
        {
            Backend = WatchBackend.Inotify;
            _queue = _inotify = new InotifyInstance();
            WatchTree(RawPath.Root, report: false);
        }
        _nextFallback = Environment.TickCount64 + (long)_options.FallbackScanInterval.TotalMilliseconds;
        if (_options.WithoutReader)
            return;
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = Backend == WatchBackend.Fanotify ? "mrsync fanotify" : "mrsync inotify" };
        _thread.Start();
    }

    /// <summary>The absolute path bytes of a tree-relative path.</summary>
    public byte[] FullPath(RawPath path)
    {
        if (path.IsRoot)
            return _root;
        bool slash = _root[^1] == '/';
        byte[] full = new byte[_root.Length + (slash ? 0 : 1) + path.ByteCount];
        _root.CopyTo(full, 0);
        if (!slash)
            full[_root.Length] = (byte)'/';
        path.CopyTo(full.AsSpan(_root.Length + (slash ? 0 : 1)));
        return full;
    }

    /// <summary>Stops watching and closes the kernel queue.</summary>
    public void Dispose()
    {
        _stopping = true;
        _queue?.Wake();
        _thread?.Join();
        _queue?.Dispose();
        _completion.TrySetResult();
    }

    /// <summary>Handles one read's worth of kernel records (the reader thread's step; tests call it with <see cref="TreeWatcherOptions.WithoutReader"/>).</summary>
    internal void Feed(ReadOnlySpan<byte> batch)
    {
        if (_fanotify is not null)
        {
            foreach (FanotifyEvent e in new FanotifyEventEnumerator(batch))
                Handle(e);
        }
        else
        {
            foreach (InotifyEvent e in new InotifyEventEnumerator(batch))
                Handle(e);
        }
    }

    /// <summary>How long an unpaired IN_MOVED_FROM at the end of a read waits for its IN_MOVED_TO before it counts as a move out of the tree.</summary>
    private const int MovePairWaitMs = 50;

    private void ReadLoop()
    {
        try
        {
            WatchEventQueue queue = _queue!;
            while (!_stopping)
            {
                bool fallback = _rootMissing || _unwatched.Count > 0;
                int timeout = fallback ? (int)Math.Max(1, _nextFallback - Environment.TickCount64) : -1;
                // An IN_MOVED_FROM that ended the last read waits a little for its IN_MOVED_TO: the kernel queues the
                // two one after the other within the rename (fsnotify_move), and a read can fall between them.
                if (_moveFromPending)
                    timeout = timeout < 0 ? MovePairWaitMs : Math.Min(timeout, MovePairWaitMs);
                ReadOnlySpan<byte> batch = queue.WaitAndRead(timeout);
                if (_stopping)
                    break;
                if (batch.IsEmpty)
                    ResolveUnpairedMove();
                else
                    Feed(batch);
                if (fallback && Environment.TickCount64 >= _nextFallback)
                    RunFallback();
                _observer.OnIdle();
            }
            _completion.TrySetResult();
        }
#pragma warning disable CA1031 // the reader thread must report every failure through Completion, not crash the process
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _observer.OnWarning($"{(_fanotify is null ? "inotify" : "fanotify")} reader stopped: {SystemError.Describe(ex)}");
            _completion.TrySetException(ex);
        }
    }
}
