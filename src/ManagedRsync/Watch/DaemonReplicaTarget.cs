using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Transfer;

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
    /// <paramref name="push"/> is the push client's entry point; <paramref name="filters"/> gives the watch's filter rules as they stand for each push; <paramref name="options"/> are the target's rsync
    /// options (their --delete applies to full syncs and re-sent trees); <paramref name="delete"/> says whether deleted
    /// paths are sent as deletions (--delete-missing-args).
    /// </summary>
    public DaemonReplicaTarget(string name, string source, DaemonAddress destination, TransferOptions options, bool delete,
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
