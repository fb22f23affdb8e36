using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// Real-time replication of one source tree to several replicas: a <see cref="TreeWatcher"/> feeds a
/// <see cref="ChangeCoalescer"/>, whose batches go to one <see cref="ReplicaQueue"/> per target (own journal, own
/// backoff). Every start begins with a full sync of each target; stopping flushes the pending batch first.
/// </summary>
public sealed class WatchService : ITreeWatchObserver, IDisposable
{
    private readonly WatchServiceOptions _options;
    private readonly Action<string> _log;
    private readonly ChangeCoalescer _coalescer;
    private readonly List<ReplicaQueue> _queues = [];
    private readonly IReadOnlyList<IReplicaTarget> _targets;
    private TreeWatcher? _watcher;
    private bool _statusFailing;

    /// <summary>A service replicating <see cref="WatchServiceOptions.Source"/> to <paramref name="targets"/>, logging to <paramref name="log"/>.</summary>
    public WatchService(WatchServiceOptions options, IReadOnlyList<IReplicaTarget> targets, Action<string> log)
    {
        if (targets.Count == 0)
            throw new RsyncException(RsyncErrorKind.Usage, "watch needs at least one target");
        _options = options;
        _log = log;
        // The names a sibling walk found come back as changes: the next batch sends each with its other names.
        var siblings = new HardLinkSiblings(options.Source, names =>
        {
            foreach (RawPath name in names)
                _coalescer!.Add(new WatchChange(ChangeKind.Changed, name, false)); // set below, before any batch
        });
        _targets = targets;
        _coalescer = new ChangeCoalescer(options.Batching, (full, batch) =>
        {
            if (!full)
                siblings.AddTo(batch);
            foreach (ReplicaQueue q in _queues)
                q.Enqueue(full, batch);
        }, WatchTrace.Enabled ? log : null);
        if (options.StateDirectory is not null)
            Directory.CreateDirectory(options.StateDirectory);
        foreach (IReplicaTarget t in targets)
        {
            ChangeJournal? journal = options.StateDirectory is null ? null : OpenJournal(Path.Combine(options.StateDirectory, JournalName(t.Name)));
            _queues.Add(new ReplicaQueue(t, journal, options.Retry, log, startWithFullSync: true));
        }
    }

    /// <summary>One queue per replica, in the order the targets were given.</summary>
    public IReadOnlyList<ReplicaQueue> Queues => _queues;

    /// <summary>Watches in use (0 before the watches are set).</summary>
    public int WatchCount => _watcher?.WatchCount ?? 0;

    /// <summary>The event source in use (inotify before the watcher started).</summary>
    public WatchBackend Backend => _watcher?.Backend ?? WatchBackend.Inotify;

    /// <summary>False once the watcher thread has stopped (the systemd watchdog then stops being fed).</summary>
    public bool IsHealthy => _watcher is { Completion.IsCompleted: false };

    /// <summary>Changes waiting for their quiet window.</summary>
    public int BatchingDepth => _coalescer.Depth;

    /// <summary>The status file written for `mrsync watch --status`; null without a state directory.</summary>
    public string? StatusFile => _options.StateDirectory is null ? null : Path.Combine(_options.StateDirectory, "status");

    /// <summary>
    /// Sets the watches, calls <paramref name="onReady"/> once every directory is watched, then replicates until
    /// <paramref name="stop"/>; then flushes the pending batch (bounded by <see cref="WatchServiceOptions.ShutdownGrace"/>).
    /// </summary>
    public async Task RunAsync(Action? onReady, CancellationToken stop)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _watcher = new TreeWatcher(_options.Source, new TreeWatcherOptions
        {
            Exclude = _options.Exclude,
            FallbackScanInterval = _options.FallbackScanInterval,
            Backend = _options.Backend,
            IgnoreOwnProcess = _options.IgnoreOwnProcess,
        }, this);
        _watcher.Start();
        if (_watcher.FallbackReason is { } why)
            _log($"watch backend: inotify, not fanotify: {why}");
        _log(_watcher.Backend == WatchBackend.Fanotify
            ? $"watching {_options.Source} with {_watcher.Describe()}, ready in {clock.Elapsed.TotalMilliseconds:0} ms; {_queues.Count} target(s)"
            : $"watching {_options.Source}: {_watcher.WatchCount} directories in {clock.Elapsed.TotalMilliseconds:0} ms; {_queues.Count} target(s)");
        onReady?.Invoke();

        using var workers = new CancellationTokenSource();
        var tasks = new List<Task> { _coalescer.RunAsync(workers.Token), StatusLoopAsync(workers.Token) };
        foreach (ReplicaQueue q in _queues)
            tasks.Add(q.RunAsync(workers.Token));
        try
        {
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stop), _watcher.Completion).ConfigureAwait(false);
        }
        finally
        {
            _watcher.Dispose();
            _coalescer.FlushAll();
            await workers.CancelAsync().ConfigureAwait(false);
            await WhenAllQuietly(tasks).ConfigureAwait(false);
            await DrainAsync().ConfigureAwait(false);
            WriteStatus();
            foreach (IReplicaTarget t in _targets)
            {
                if (t is IAsyncDisposable held)
                    await held.DisposeAsync().ConfigureAwait(false); // a daemon target's standby connection
            }
        }
        await _watcher.Completion.ConfigureAwait(false);
    }

    /// <summary>Last pushes before exit; whatever does not make it stays in the journals.</summary>
    private async Task DrainAsync()
    {
        using var grace = new CancellationTokenSource(_options.ShutdownGrace);
        await Task.WhenAll(_queues.Select(async q =>
        {
            try
            {
                if (q.Depth > 0 && !await q.PushOnceAsync(grace.Token).ConfigureAwait(false))
                    _log($"{q.Name}: {q.Depth} change(s) not pushed at shutdown; kept in the journal for the next start");
            }
            catch (OperationCanceledException)
            {
                _log($"{q.Name}: shutdown grace expired; {q.Depth} change(s) kept in the journal for the next start");
            }
        })).ConfigureAwait(false);
    }

    void ITreeWatchObserver.OnChange(in WatchChange change) => _coalescer.Add(change);

    void ITreeWatchObserver.OnWarning(string message) => _log(message);

    void ITreeWatchObserver.OnAccessChanged(RawPath directory, bool denied) => _options.AccessChanged?.Invoke(directory, denied);

    /// <summary>Stops watching and pushing; the journals keep what is pending.</summary>
    public void Dispose()
    {
        _watcher?.Dispose();
        foreach (ReplicaQueue q in _queues)
            q.Dispose();
    }

    /// <summary>The status file: key=value lines, rewritten atomically.</summary>
    public void WriteStatus()
    {
        if (StatusFile is not { } path)
            return;
        var sb = new StringBuilder();
        sb.Append("updated=").Append(DateTimeOffset.UtcNow.ToString("O")).Append('\n');
        sb.Append("source=").Append(_options.Source).Append('\n');
        sb.Append("backend=").Append(Backend == WatchBackend.Fanotify ? "fanotify" : "inotify").Append('\n');
        sb.Append("watches=").Append(WatchCount).Append('\n');
        sb.Append("unwatched_subtrees=").Append(_watcher?.UnwatchedSubtrees ?? 0).Append('\n');
        sb.Append("batching=").Append(BatchingDepth).Append('\n');
        foreach (ReplicaQueue q in _queues)
        {
            string k = "target." + q.Name;
            sb.Append(k).Append(".queue=").Append(q.Depth).Append('\n');
            sb.Append(k).Append(".last_success=").Append(q.LastSuccess?.ToString("O") ?? "never").Append('\n');
            sb.Append(k).Append(".batches=").Append(q.BatchesSent).Append('\n');
            sb.Append(k).Append(".failures=").Append(q.ConsecutiveFailures).Append('\n');
            if (q.LastError is { } e)
                sb.Append(k).Append(".last_error=").Append(e.ReplaceLineEndings(" ")).Append('\n');
        }
        string tmp = path + ".tmp";
        try
        {
            File.WriteAllText(tmp, sb.ToString());
            File.Move(tmp, path, overwrite: true);
            _statusFailing = false;
        }
        catch (IOException ex)
        {
            // Disk full under the state directory: the status is informational, replication goes on; said once.
            if (!_statusFailing)
                _log($"cannot write the status file {path}: {SystemError.Describe(ex)}");
            _statusFailing = true;
            try
            {
                File.Delete(tmp);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.StatusInterval);
        WriteStatus();
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            WriteStatus();
    }

    private static async Task WhenAllQuietly(List<Task> tasks)
    {
        foreach (Task t in tasks)
        {
            try
            {
                await t.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static ChangeJournal OpenJournal(string path)
    {
        try
        {
            return new ChangeJournal(path);
        }
        catch (IOException ex)
        {
            throw new RsyncException(RsyncErrorKind.FileIo, $"cannot open the journal {path}: {SystemError.Describe(ex)}");
        }
    }

    /// <summary>A file name for a target's journal: readable, and distinct for distinct names.</summary>
    internal static string JournalName(string target)
    {
        var sb = new StringBuilder();
        foreach (char c in target)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        uint h = System.IO.Hashing.Crc32.HashToUInt32(Encoding.UTF8.GetBytes(target));
        return $"{sb}.{h:x8}.journal";
    }
}
