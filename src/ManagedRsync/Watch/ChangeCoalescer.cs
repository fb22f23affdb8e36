using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>When a batch is cut.</summary>
public sealed class CoalescerOptions
{
    /// <summary>
    /// Quiet window (--delay): a change that follows at least this long without changes starts a batch at once; the
    /// changes that follow it within this window wait until no change arrived for this long.
    /// </summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest a change waits under a steady stream of other changes.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest a file still open for writing (IN_MODIFY, no IN_CLOSE_WRITE yet) is held back.</summary>
    public TimeSpan MaxOpenWait { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Coalesces watcher changes per path and hands finished batches to <c>flush</c>. The first change after an idle
/// period (no change for <see cref="CoalescerOptions.Delay"/>) goes out at once, as soon as it is complete (not a file
/// still open for writing or just created): nothing is known to follow it, and whatever does follow is collected
/// by the quiet window while its push is in flight (a replica queue sends what arrived meanwhile right after). A path seen
/// many times goes out once with its latest state; a file being written is held until IN_CLOSE_WRITE or
/// <see cref="CoalescerOptions.MaxOpenWait"/>; a deleted directory drops the pending changes under it; a full rescan
/// drops everything else. Thread-safe: the watcher thread adds, <see cref="RunAsync"/> cuts batches.
/// <para>A burst (at least <see cref="BurstChanges"/> changes within two <see cref="RateWindowMs"/> windows) is cut in
/// few, large batches, since each push pays a fixed cost (the daemon's fork, the file list, the goodbye) and a
/// writer on a loaded machine pauses often enough to close a 10 ms window hundreds of times: while the rate stays
/// high the quiet window becomes twice the longest pause seen between changes of the burst in the last window or two
/// (not the idle spell before it; at least <see cref="CoalescerOptions.Delay"/>, at most
/// <see cref="CoalescerOptions.MaxWait"/>), and a batch is cut as soon
/// as <see cref="BurstBatch"/> changes are pending, so the replicas start on a burst at once and then take what piled
/// up during each push. Changes still wait at most <see cref="CoalescerOptions.MaxWait"/>, and a single change after
/// a quiet spell still goes at once.</para>
/// </summary>
internal sealed class ChangeCoalescer
{
    private struct Entry
    {
        public PendingOp Op;
        public bool Writing;
        public long WritingSince;
        public bool Created; // made and not yet closed after writing, as far as the events tell
    }

    /// <summary>At most this many changes are checked for completeness before a leading batch gives way to the window.</summary>
    private const int LeadingLimit = 64;

    /// <summary>Changes within the current and the previous rate window that make a burst.</summary>
    internal const int BurstChanges = 64;

    /// <summary>The rate window: a burst is judged, and its pauses remembered, over this and the window before.</summary>
    internal const int RateWindowMs = 500;

    /// <summary>In a burst, a batch is cut once this many changes are pending, whatever the quiet window says.</summary>
    internal const int BurstBatch = 1024;

    /// <summary>Changes and the longest pause between two of them, over one rate window.</summary>
    private struct RateWindow
    {
        public int Changes;
        public long LongestPause;
    }

    private readonly CoalescerOptions _options;
    private readonly Action<bool, List<KeyValuePair<RawPath, PendingOp>>> _flush;
    private readonly Action<string>? _trace;
    private readonly Lock _lock = new();
    private readonly Dictionary<RawPath, Entry> _pending = [];
    private readonly SemaphoreSlim _signal = new(0);
    private bool _full;
    private long _firstPending = long.MaxValue;
    private long _lastChange;
    private bool _holdingOnlyOpenFiles;
    private bool _leading; // the pending changes began after an idle period: cut once all of them are complete
    private long _windowStart;
    private RateWindow _window, _previousWindow;
    private bool _fullSignalled; // RunAsync was woken for a burst batch of BurstBatch changes
    private int _burstCutAt = BurstBatch; // pending count that cuts a burst batch: files still open stay behind a cut

    public ChangeCoalescer(CoalescerOptions options, Action<bool, List<KeyValuePair<RawPath, PendingOp>>> flush, Action<string>? trace = null)
    {
        _options = options;
        _flush = flush;
        _trace = trace;
        _lastChange = Environment.TickCount64; // a start is activity: a change right after it waits for the window
    }

    /// <summary>Changes not yet handed on.</summary>
    public int Depth
    {
        get
        {
            lock (_lock)
                return _pending.Count + (_full ? 1 : 0);
        }
    }

    public void Add(in WatchChange change) => Add(change, Environment.TickCount64);

    /// <summary>As <see cref="Add(in WatchChange)"/> at the time <paramref name="now"/> (Environment.TickCount64).</summary>
    internal void Add(in WatchChange change, long now)
    {
        lock (_lock)
        {
            bool wasEmpty = _pending.Count == 0 && !_full;
            long pause = now - _lastChange;
            if (wasEmpty && pause >= QuietWindow())
                _leading = true;
            CountRate(now, pause);
            switch (change.Kind)
            {
                case ChangeKind.FullRescan:
                    _full = true;
                    _pending.Clear();
                    break;
                case ChangeKind.Writing:
                    ref Entry w = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_pending, change.Path, out bool existed);
                    if (!existed || !w.Writing)
                        w.WritingSince = now;
                    w.Writing = true;
                    w.Created = false;
                    w.Op = PendingOp.Send;
                    break;
                case ChangeKind.Changed:
                    // Deleted then recreated: the replica's old subtree must be matched as a whole.
                    _pending[change.Path] = new Entry
                    {
                        Op = _pending.TryGetValue(change.Path, out Entry before) && before.Op is PendingOp.Delete or PendingOp.SendTree
                            ? PendingOp.SendTree : PendingOp.Send,
                        Created = change.Created,
                    };
                    break;
                case ChangeKind.SubtreeDirty:
                    _pending[change.Path] = new Entry { Op = PendingOp.SendTree };
                    break;
                case ChangeKind.Deleted:
                    if (change.IsDirectory)
                        RemoveUnder(change.Path);
                    _pending[change.Path] = new Entry { Op = PendingOp.Delete };
                    break;
            }
            _lastChange = now;
            if (_leading && _pending.Count > LeadingLimit)
                _leading = false; // a burst: the window batches it
            if (_leading && !wasEmpty)
                _signal.Release(); // the leading batch may be complete now (the close after the create)
            if (wasEmpty || _holdingOnlyOpenFiles)
            {
                if (wasEmpty)
                    _firstPending = now;
                _holdingOnlyOpenFiles = false;
                _signal.Release();
            }
            else if (!_fullSignalled && _pending.Count >= _burstCutAt && InBurst)
            {
                _fullSignalled = true;
                _signal.Release();
            }
        }
    }

    /// <summary>Whether the changes come fast enough to be a burst (as of the last change).</summary>
    private bool InBurst => _window.Changes + _previousWindow.Changes >= BurstChanges;

    /// <summary>
    /// The quiet window that closes a batch: --delay, or in a burst twice its longest recent pause (a writer that
    /// pauses that long is still writing), bounded by --max-delay.
    /// </summary>
    private long QuietWindow()
    {
        long delay = (long)_options.Delay.TotalMilliseconds;
        if (!InBurst)
            return delay;
        long pause = Math.Max(_window.LongestPause, _previousWindow.LongestPause);
        return Math.Clamp(2 * pause, delay, Math.Max(delay, (long)_options.MaxWait.TotalMilliseconds));
    }

    private void CountRate(long now, long pause)
    {
        if (now - _windowStart >= RateWindowMs)
        {
            _previousWindow = now - _windowStart < 2 * RateWindowMs ? _window : default;
            _window = default;
            _windowStart = now;
        }
        // A pause counts only inside a burst: when the changes before it, in the rate windows moved on to its end,
        // already made one. A writer that stalls in the middle of a stream is still batched across its stalls (why
        // the window grows at all); the idle spell before a stream (a save after a quiet minute, a script's previous
        // step) follows few or no changes, or outlasts the rate windows, and so never sets the window of the burst it
        // starts. Counted, 860 ms of idle before a 10,000-file burst made its window --max-delay, and the last 788
        // files waited a second after the writer had finished. The first pauses of a burst go uncounted too (its rate
        // is not a burst's yet): the next pause as long cuts one more batch, counts, and the window holds from then
        // on. Only a pause after a burst and shorter than the rate windows cannot be told from a stall; it counts,
        // and a pause as long as --max-delay never does.
        if (InBurst && pause < (long)_options.MaxWait.TotalMilliseconds)
            _window.LongestPause = Math.Max(_window.LongestPause, pause);
        _window.Changes++;
    }

    /// <summary>Cuts batches until cancelled; the last pending changes are left for <see cref="FlushAll"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            long wait = CutIfDue(Environment.TickCount64, force: false);
            if (wait < 0)
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            else
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1, wait)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands on everything pending now, files still open included (shutdown).</summary>
    public void FlushAll() => CutIfDue(Environment.TickCount64, force: true);

    /// <summary>Cuts a batch when one is due; returns milliseconds until the next check, or -1 when nothing is pending.</summary>
    internal long CutIfDue(long now, bool force)
    {
        bool full;
        List<KeyValuePair<RawPath, PendingOp>> batch;
        long next;
        lock (_lock)
        {
            if (_pending.Count == 0 && !_full)
                return -1;
            long quietAt = _lastChange + QuietWindow();
            long maxAt = _firstPending + (long)_options.MaxWait.TotalMilliseconds;
            long dueAt = Math.Min(quietAt, maxAt);
            string why = force ? "flush" : now >= maxAt ? "max-delay" : "quiet window";
            if (_leading && AllComplete())
                (dueAt, why) = (now, "first after idle");
            else if (_pending.Count >= _burstCutAt && InBurst)
                (dueAt, why) = (now, "burst size");
            if (!force && now < dueAt)
                return dueAt - now;
            if (_trace is not null)
                _trace($"trace: cut {_pending.Count} pending ({why}, window {QuietWindow()} ms, oldest {now - _firstPending} ms, last {now - _lastChange} ms ago)");
            _leading = false;
            _fullSignalled = false;
            full = _full;
            _full = false;
            batch = new List<KeyValuePair<RawPath, PendingOp>>(_pending.Count);
            long openBound = (long)_options.MaxOpenWait.TotalMilliseconds;
            long nextOpen = long.MaxValue;
            foreach (KeyValuePair<RawPath, Entry> kv in _pending)
            {
                if (kv.Value.Writing && !force && now - kv.Value.WritingSince < openBound)
                {
                    nextOpen = Math.Min(nextOpen, kv.Value.WritingSince + openBound);
                    continue;
                }
                batch.Add(new(kv.Key, kv.Value.Op));
            }
            foreach (KeyValuePair<RawPath, PendingOp> kv in batch)
                _pending.Remove(kv.Key);
            // Only files still being written remain: wake when the first of them hits its bound.
            _firstPending = _pending.Count > 0 ? now : long.MaxValue;
            _holdingOnlyOpenFiles = _pending.Count > 0;
            // Files still open are not a batch: the next burst batch is BurstBatch changes on top of them.
            _burstCutAt = _pending.Count + BurstBatch;
            next = _pending.Count == 0 ? -1 : Math.Max(1, Math.Min(nextOpen - now, (long)_options.MaxWait.TotalMilliseconds));
        }
        if (full || batch.Count > 0)
            _flush(full, batch);
        return next;
    }

    // Nothing pending is a file still open for writing or only just created (its close may be on the way).
    private bool AllComplete()
    {
        foreach (Entry e in _pending.Values)
        {
            if (e.Writing || e.Created)
                return false;
        }
        return true;
    }

    private void RemoveUnder(RawPath dir)
    {
        List<RawPath>? gone = null;
        foreach (RawPath p in _pending.Keys)
        {
            if (p.IsUnder(dir))
                (gone ??= []).Add(p);
        }
        if (gone is not null)
        {
            foreach (RawPath p in gone)
                _pending.Remove(p);
        }
    }
}
