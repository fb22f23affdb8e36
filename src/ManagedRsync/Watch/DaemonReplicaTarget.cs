using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// A stock rsync daemon module as a replica, through the library's push client: each transfer of
/// <see cref="TransferReplicaTarget"/> is one push (stock 3.x daemons accept --delete-missing-args from a pushing
/// client) over a connection opened ahead of need (<see cref="StandbyModule"/>): greeted and authenticated while the
/// watch waits, so a batch's push starts with its server arguments.
/// </summary>
public sealed class DaemonReplicaTarget : TransferReplicaTarget, IAsyncDisposable
{
    /// <summary>Longest a connection waits on standby: under stock's 60 s handshake deadline (clientserver.c).</summary>
    internal static readonly TimeSpan StandbyMaxAge = TimeSpan.FromSeconds(40);

    private readonly DaemonAddress _destination;
    private readonly Func<string?>? _password;
    private readonly Func<PushRequest, CancellationToken, Task<TransferStats>> _push;
    private readonly StandbyModule? _standby;

    /// <summary>
    /// A replica at <paramref name="destination"/>. <paramref name="options"/> are the target's rsync options (their
    /// --delete applies to full syncs and re-sent trees); <paramref name="delete"/> says whether deleted paths are sent
    /// as deletions (--delete-missing-args); <paramref name="filters"/> gives the watch's filter rules as they stand
    /// for each push. Each connection is made with <paramref name="connection"/> (null: from the address) as
    /// <paramref name="user"/> (null: the address's), asks <paramref name="password"/> only when the daemon wants one
    /// (the file may be rotated: it is read for every connection), and reports to <paramref name="events"/>.
    /// </summary>
    /// <remarks>
    /// A push that ends with rsync's 24 (files vanished since the event) succeeded: that is normal for a live tree and
    /// the next event covers it. Any other non-zero result (23: some files failed) throws, so the batch is kept and
    /// retried with backoff (<see cref="ReplicaQueue"/>). A push over a standby connection that fails is tried once
    /// more at once over a fresh one (the daemon may have dropped the waiting connection; a push is idempotent).
    /// </remarks>
    public DaemonReplicaTarget(string name, string source, DaemonAddress destination, TransferOptions options, bool delete,
        Func<FilterList>? filters, DaemonConnectOptions? connection, string? user, Func<string?>? password, ITransferEvents? events)
        : base(name, source, options, delete, filters)
    {
        _destination = destination;
        _password = password;
        DaemonConnectOptions connect = new EventSink(events).Attach(
            connection ?? DaemonConnectOptions.ForAddress(destination, null, null, options.Protocol));
        _standby = new StandbyModule(ct => OpenModuleAsync(connect, destination.ModulePath, user ?? destination.User, password, ct),
            StandbyMaxAge, TimeSpan.FromSeconds(5));
        _push = (request, ct) => PushOverStandbyAsync(request, events, ct);
    }

    /// <summary>As the public constructor, with <paramref name="push"/> doing each push (tests record the requests).</summary>
    internal DaemonReplicaTarget(string name, string source, DaemonAddress destination, TransferOptions options, bool delete,
        Func<string?>? password, Func<FilterList>? filters, Func<PushRequest, CancellationToken, Task<TransferStats>> push)
        : base(name, source, options, delete, filters)
    {
        _destination = destination;
        _password = password;
        _push = push;
    }

    /// <inheritdoc/>
    protected override Task<TransferStats> TransferAsync(ReplicaPass pass, CancellationToken cancellationToken) =>
        _push(new PushRequest
        {
            Sources = pass.Sources,
            SourceRoot = pass.SourceRoot,
            RelativePaths = pass.RelativePaths,
            Destination = _destination,
            Password = _password,
            Filters = pass.Filters,
            Options = pass.Options,
        }, cancellationToken);

    // Connected, greeted, module requested, challenge answered: the daemon now waits for the server arguments.
    private static async Task<DaemonSession> OpenModuleAsync(DaemonConnectOptions connect, string modulePath, string? user,
        Func<string?>? password, CancellationToken ct)
    {
        DaemonSession session = await DaemonSession.ConnectAsync(connect, ct).ConfigureAwait(false);
        try
        {
            await session.RequestModuleAsync(modulePath, user, password ?? (() => null), ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TransferStats> PushOverStandbyAsync(PushRequest request, ITransferEvents? events, CancellationToken ct)
    {
        StandbyModule standby = _standby!;
        try
        {
            bool overStandby = false;
            async Task<DaemonSession> Open(IReadOnlyList<string> args, CancellationToken token)
            {
                long asked = System.Diagnostics.Stopwatch.GetTimestamp();
                (DaemonSession session, overStandby) = await standby.TakeAsync(token).ConfigureAwait(false);
                ConnectWaitTicks += System.Diagnostics.Stopwatch.GetElapsedTime(asked).Ticks;
                // In a burst the next push follows this one at once and would wait for a connect, the daemon's fork
                // and the module's login: a long batch has the next connection greeted while it runs. A short one
                // (a single file written) does not: that set-up would compete with its own push for the CPU, and
                // the next change after it usually comes later (the finally below opens it then).
                if (InLongBatch)
                    standby.Prepare();
                try
                {
                    await session.SendServerArgumentsAsync(args, token).ConfigureAwait(false);
                    return session;
                }
                catch
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            TransferResult result;
            try
            {
                result = await Client.RsyncClient.PushAsync(request, events, Open, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (overStandby && e is not OperationCanceledException)
            {
                result = await Client.RsyncClient.PushAsync(request, events, Open, ct).ConfigureAwait(false);
            }
            return Succeeded(result, "push");
        }
        finally
        {
            standby.Prepare(); // unless one is waiting already: the next batch's, opened while its changes settle
        }
    }

    /// <summary>Closes the standby connection.</summary>
    public ValueTask DisposeAsync() => _standby?.DisposeAsync() ?? ValueTask.CompletedTask;
}
