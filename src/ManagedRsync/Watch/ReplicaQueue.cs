using System.Diagnostics;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>Retry policy of a replica queue.</summary>
public sealed class ReplicaQueueOptions
{
    /// <summary>The wait after a first failed push; doubled after each further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>The longest wait between retries.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The journal is rewritten when it grows past this many bytes even while pushes keep failing.</summary>
    public long CompactAbove { get; init; } = 4 << 20;

    /// <summary>The clock the waits between retries run on (tests give one that records them).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The wait after the <paramref name="consecutiveFailures"/>-th failed push in a row: <see cref="InitialBackoff"/>
    /// doubled for each failure after the first, never more than <see cref="MaxBackoff"/> (so a replica that comes
    /// back is tried again within that long).
    /// </summary>
    public TimeSpan BackoffAfter(int consecutiveFailures)
    {
        // The exponent stops growing long before a double could overflow; the cap has been reached by then.
        double ms = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(consecutiveFailures - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, ms));
    }
}

/// <summary>
/// The changes one replica still owes, and the loop that pushes them. Each replica has its own queue, journal and
/// backoff, so a slow or dead replica never holds back the others. A change is removed only after a push that
/// carried it succeeded; a path changed again while its push was in flight stays pending.
/// </summary>
public sealed class ReplicaQueue : IDisposable
{
    private readonly IReplicaTarget _target;
    private readonly ChangeJournal? _journal;
    private readonly ReplicaQueueOptions _options;
    private readonly Action<string> _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<RawPath, (PendingOp Op, long Seq)> _pending = [];
    private readonly SemaphoreSlim _signal = new(0);
    private long _seq;
    private long _fullSeq; // > 0: a full sync is owed, requested at this sequence number
    private bool _journalBehind; // a journal write failed (disk full): the file lacks changes until a rewrite succeeds
    private long _owedSince; // Stopwatch timestamp of the oldest change not yet carried by a push (the trace's queue wait)

    /// <summary>A queue for <paramref name="target"/>, resumed from <paramref name="journal"/> when given.</summary>
    public ReplicaQueue(IReplicaTarget target, ChangeJournal? journal, ReplicaQueueOptions options, Action<string> log, bool startWithFullSync)
    {
        _target = target;
        _journal = journal;
        _options = options;
        _log = log;
        if (journal is not null)
        {
            var restored = new Dictionary<RawPath, PendingOp>();
            bool full = journal.Load(restored);
            foreach (KeyValuePair<RawPath, PendingOp> kv in restored)
                _pending[kv.Key] = (kv.Value, ++_seq);
            if (full)
                _fullSeq = ++_seq;
            if (restored.Count > 0 || full)
                log($"{target.Name}: restored {restored.Count} pending change(s){(full ? " and a full sync" : "")} from the journal");
        }
        if (startWithFullSync)
            Enqueue(true, []);
    }

    /// <summary>The replica's name.</summary>
    public string Name => _target.Name;

    /// <summary>Changes owed (a pending full sync counts one).</summary>
    public int Depth
    {
        get
        {
            lock (_lock)
                return _pending.Count + (_fullSeq > 0 ? 1 : 0);
        }
    }

    /// <summary>When a push last succeeded; null before the first.</summary>
    public DateTimeOffset? LastSuccess { get; private set; }
    /// <summary>The last push failure's message; null after a success.</summary>
    public string? LastError { get; private set; }
    /// <summary>Failed pushes since the last success.</summary>
    public int ConsecutiveFailures { get; private set; }
    /// <summary>Batches pushed successfully.</summary>
    public long BatchesSent { get; private set; }

    /// <summary>Adds changes; they are durable in the journal when this returns.</summary>
    public void Enqueue(bool fullSync, IReadOnlyList<KeyValuePair<RawPath, PendingOp>> changes)
    {
        lock (_lock)
        {
            if (_pending.Count == 0 && _fullSeq == 0)
                _owedSince = Stopwatch.GetTimestamp();
            if (fullSync)
                _fullSeq = ++_seq;
            foreach (KeyValuePair<RawPath, PendingOp> kv in changes)
            {
                PendingOp op = kv.Value;
                if (op == PendingOp.Send && _pending.TryGetValue(kv.Key, out var before) && before.Op is PendingOp.Delete or PendingOp.SendTree)
                    op = PendingOp.SendTree; // deleted then recreated: match the replica's old subtree as a whole
                // A deleted or re-sent directory covers whatever was pending under it; an older op there could even
                // name a path through what is now a symlink, which the daemon refuses ("invalid path from sender").
                if (op is PendingOp.Delete or PendingOp.SendTree)
                    DropUnder(kv.Key);
                _pending[kv.Key] = (op, ++_seq);
            }
            if (_journalBehind)
                RewriteJournal();
            else
                WriteJournal(j => j.Append(fullSync, changes));
        }
        _signal.Release();
    }

    /// <summary>Pushes until cancelled. Failures are logged and retried with capped exponential backoff.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Depth == 0)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (await PushOnceAsync(cancellationToken).ConfigureAwait(false))
                continue;
            await Task.Delay(_options.BackoffAfter(ConsecutiveFailures), _options.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Pushes what is pending now, once. True when it succeeded (or nothing was pending).</summary>
    public async Task<bool> PushOnceAsync(CancellationToken cancellationToken)
    {
        ChangeBatch batch;
        long upTo;
        lock (_lock)
        {
            if (_pending.Count == 0 && _fullSeq == 0)
                return true;
            upTo = _seq;
            batch = Snapshot();
            if (WatchTrace.Enabled)
                _log($"{_target.Name}: trace: push of {batch} starts, its oldest change queued {Stopwatch.GetElapsedTime(_owedSince).TotalMilliseconds:0.0} ms ago");
            _owedSince = Stopwatch.GetTimestamp(); // what arrives from now on waits for the next push
        }
        var clock = Stopwatch.StartNew();
        SyncResult result;
        try
        {
            result = await _target.SyncAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // any push failure is retried later; the process keeps watching
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ConsecutiveFailures++;
            LastError = $"{DateTimeOffset.UtcNow:O} {SystemError.Describe(ex)}";
            _log($"{_target.Name}: push of {batch} failed (attempt {ConsecutiveFailures}, {Depth} pending, kept for retry): {SystemError.Describe(ex)}");
            CompactIfLarge();
            return false;
        }
        lock (_lock)
        {
            if (_fullSeq > 0 && _fullSeq <= upTo)
                _fullSeq = 0;
            List<RawPath>? done = null;
            foreach (KeyValuePair<RawPath, (PendingOp Op, long Seq)> kv in _pending)
            {
                if (kv.Value.Seq <= upTo)
                    (done ??= []).Add(kv.Key);
            }
            if (done is not null)
            {
                foreach (RawPath p in done)
                    _pending.Remove(p);
            }
            RewriteJournal();
        }
        ConsecutiveFailures = 0;
        LastError = null;
        LastSuccess = DateTimeOffset.UtcNow;
        BatchesSent++;
        _log($"{_target.Name}: batch {batch}: {result.Files} files, {result.Bytes} bytes in {clock.Elapsed.TotalMilliseconds:0.0} ms"
            + (WatchTrace.Enabled ? $" (trace: {result.ConnectWait.TotalMilliseconds:0.0} ms waiting for the connection)" : ""));
        return true;
    }

    /// <summary>Stops the push loop (pending changes stay in the journal).</summary>
    public void Dispose()
    {
        _journal?.Dispose();
        _signal.Dispose();
    }

    private ChangeBatch Snapshot()
    {
        if (_fullSeq > 0)
            return ChangeBatch.Full;
        var send = new List<RawPath>();
        var trees = new List<RawPath>();
        var delete = new List<RawPath>();
        foreach (KeyValuePair<RawPath, (PendingOp Op, long Seq)> kv in _pending)
        {
            (kv.Value.Op switch
            {
                PendingOp.Send => send,
                PendingOp.SendTree => trees,
                _ => delete,
            }).Add(kv.Key);
        }
        send.Sort();
        trees.Sort();
        delete.Sort();
        return new ChangeBatch(false, send, trees, delete);
    }

    private void DropUnder(RawPath dir)
    {
        List<RawPath>? gone = null;
        foreach (RawPath p in _pending.Keys)
        {
            if (p.IsUnder(dir) && p != dir)
                (gone ??= []).Add(p);
        }
        if (gone is not null)
        {
            foreach (RawPath p in gone)
                _pending.Remove(p);
        }
    }

    private void CompactIfLarge()
    {
        lock (_lock)
        {
            if (_journal is not null && (_journalBehind || _journal.Length > _options.CompactAbove))
                RewriteJournal();
        }
    }

    // Under _lock: the journal becomes exactly the pending set (also what catches it up after a failed write).
    private void RewriteJournal() =>
        WriteJournal(j => j.Rewrite(_fullSeq > 0, _pending.Select(kv => new KeyValuePair<RawPath, PendingOp>(kv.Key, kv.Value.Op))));

    /// <summary>
    /// A journal that cannot be written (disk full, I/O error) must not stop replication: the changes stay pending in
    /// memory and are pushed as usual; the journal is rewritten whole at the next chance. Meanwhile a crash would lose
    /// only the journal's copy, and every start begins with a full sync, which covers them.
    /// </summary>
    private void WriteJournal(Action<ChangeJournal> write)
    {
        if (_journal is null)
            return;
        try
        {
            write(_journal);
            if (_journalBehind)
                _log($"{_target.Name}: the journal is written again ({Depth} pending)");
            _journalBehind = false;
        }
        catch (IOException ex)
        {
            if (!_journalBehind)
                _log($"{_target.Name}: cannot write the journal ({SystemError.Describe(ex)}); changes are kept in memory and pushed as usual, the journal is rewritten when it can be");
            _journalBehind = true;
        }
    }
}
