using ManagedRsync.Daemon;

namespace ManagedRsync.Watch;

/// <summary>
/// One connection to a daemon module opened ahead of need: connected, greeted, the module requested and the
/// challenge answered (rsync clientserver.c: start_inband_exchange up to "@RSYNCD: OK"), so a batch's push only sends
/// its server arguments and starts. That set-up (a fork, the config, a round trip or two) was most of a single-file
/// push's time. The daemon waits for the arguments at most its handshake timeout (clientserver.c:
/// daemon_handshake_timeout: the module's "timeout" when set, never more than 60 s), so a standby connection older
/// than <c>maxAge</c>, or one the daemon has closed or written to, is replaced; a push takes a fresh one then.
/// </summary>
/// <remarks>
/// The daemon logs "connect from" and "rsync allowed access" for each standby connection, also for the ones replaced
/// unused, and each holds one of the module's "max connections" slots while it waits.
/// </remarks>
internal sealed class StandbyModule : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<DaemonSession>> _open;
    private readonly TimeSpan _maxAge;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Timer _refresh;
    private Task<DaemonSession>? _standby;
    private long _openedAt;
    private bool _disposed;

    /// <param name="open">Opens a module connection up to "@RSYNCD: OK".</param>
    /// <param name="maxAge">Longest a connection waits on standby (under the daemon's handshake timeout).</param>
    /// <param name="checkEvery">How often the standby connection is checked and replaced when stale.</param>
    public StandbyModule(Func<CancellationToken, Task<DaemonSession>> open, TimeSpan maxAge, TimeSpan checkEvery)
    {
        _open = open;
        _maxAge = maxAge;
        _refresh = new Timer(_ => Refresh(), null, checkEvery, checkEvery);
    }

    /// <summary>
    /// A connection at "@RSYNCD: OK": the standby one when it is still waiting (Standby true: a failure may then be the
    /// daemon having given up on it, and a retry over a fresh one is right), else a fresh one.
    /// </summary>
    public async Task<(DaemonSession Session, bool Standby)> TakeAsync(CancellationToken ct)
    {
        Task<DaemonSession>? standby;
        long openedAt;
        lock (_lock)
        {
            standby = _standby;
            openedAt = _openedAt;
            _standby = null;
        }
        if (standby is not null)
        {
            try
            {
                // One still being opened is as fresh as a new one would be.
                DaemonSession session = await standby.WaitAsync(ct).ConfigureAwait(false);
                if (session.IsQuiet && Environment.TickCount64 - openedAt < (long)_maxAge.TotalMilliseconds)
                    return (session, true);
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Opening it failed (daemon down, password changed since): the fresh attempt below says why.
            }
        }
        return (await _open(ct).ConfigureAwait(false), false);
    }

    /// <summary>
    /// Starts opening the next standby connection, unless one is there or on its way (called when a push takes its
    /// connection and after each push). One whose opening failed is replaced: a daemon that refused it while a push
    /// held its only "max connections" slot accepts it once that push is over.
    /// </summary>
    public void Prepare()
    {
        lock (_lock)
        {
            if (_disposed || _standby is { IsFaulted: false, IsCanceled: false })
                return;
            OpenLocked();
        }
    }

    private void OpenLocked()
    {
        _openedAt = Environment.TickCount64;
        Task<DaemonSession> opening = _open(_stop.Token);
        _ = opening.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default); // observed: the failure matters only to a push, which then opens its own
        _standby = opening;
    }

    // Replaces a standby connection that is stale (near the daemon's deadline), closed or failed.
    private void Refresh()
    {
        Task<DaemonSession>? old;
        lock (_lock)
        {
            old = _standby;
            if (_disposed || old is null || !old.IsCompleted)
                return;
            bool usable = old.IsCompletedSuccessfully && old.Result.IsQuiet
                && Environment.TickCount64 - _openedAt < (long)_maxAge.TotalMilliseconds;
            if (usable)
                return;
            OpenLocked();
        }
        if (old.IsCompletedSuccessfully)
            _ = old.Result.DisposeAsync().AsTask();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<DaemonSession>? standby;
        lock (_lock)
        {
            _disposed = true;
            standby = _standby;
            _standby = null;
        }
        await _refresh.DisposeAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        if (standby is not null)
        {
            try
            {
                await (await standby.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // It never opened: nothing to close.
            }
        }
        _stop.Dispose();
    }
}
