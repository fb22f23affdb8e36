using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// A stock rsync daemon module as a replica, through the library's push client: each transfer of
/// <see cref="TransferReplicaTarget"/> is one push over a fresh connection (stock 3.x daemons accept
/// --delete-missing-args from a pushing client).
/// </summary>
public sealed class DaemonReplicaTarget : TransferReplicaTarget
{
    private readonly DaemonAddress _destination;
    private readonly Func<string?>? _password;
    private readonly Func<PushRequest, CancellationToken, Task<TransferStats>> _push;

    /// <summary>
    /// A replica at <paramref name="destination"/>. <paramref name="options"/> are the target's rsync options (their
    /// --delete applies to full syncs and re-sent trees); <paramref name="delete"/> says whether deleted paths are sent
    /// as deletions (--delete-missing-args); <paramref name="filters"/> gives the watch's filter rules as they stand
    /// for each push. Each push connects with <paramref name="connection"/> (null: from the address) as
    /// <paramref name="user"/> (null: the address's), asks <paramref name="password"/> only when the daemon wants one
    /// (the file may be rotated between pushes), and reports to <paramref name="events"/>.
    /// </summary>
    /// <remarks>
    /// A push that ends with rsync's 24 (files vanished since the event) succeeded: that is normal for a live tree and
    /// the next event covers it. Any other non-zero result (23: some files failed) throws, so the batch is kept and
    /// retried with backoff (<see cref="ReplicaQueue"/>).
    /// </remarks>
    public DaemonReplicaTarget(string name, string source, DaemonAddress destination, TransferOptions options, bool delete,
        Func<FilterList>? filters, DaemonConnectOptions? connection, string? user, Func<string?>? password, ITransferEvents? events)
        : this(name, source, destination, options, delete, password, filters, async (request, ct) =>
        {
            request = request with { Connection = connection, User = user };
            TransferResult result = await Client.RsyncClient.PushAsync(request, events, ct).ConfigureAwait(false);
            if (result.ExitCode is not (RsyncExitCode.Ok or RsyncExitCode.Vanished))
                throw new RsyncException(RsyncErrorKind.RemoteError, result.ExitCode, $"push ended with rsync exit code {(int)result.ExitCode}");
            return result.Stats;
        })
    {
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
}
