using ManagedRsync.Client;
using ManagedRsync.Filters;
using ManagedRsync.Transports;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Watch;

/// <summary>
/// A directory on another host reached through a remote shell as a replica (`mrsync watch SRC/ [USER@]HOST:/path`):
/// each transfer of <see cref="TransferReplicaTarget"/> is one <see cref="RsyncClient.PushAsync(RemoteShellPushRequest, ITransferEvents?, CancellationToken)"/>,
/// which runs the shell (ssh by default) once and the rsync server on the far side over it, so a batch costs at most
/// two shell processes (its changed paths, its re-sent trees) and a quiet watch none. The user's ssh setup applies as
/// for `rsync -e ssh`: with ControlMaster/ControlPersist the shells of successive batches share one ssh connection.
/// </summary>
public sealed class RemoteShellReplicaTarget : TransferReplicaTarget
{
    private readonly RemoteShell _shell;
    private readonly string _destination;
    private readonly ITransferEvents? _events;

    /// <summary>
    /// <paramref name="options"/> are the target's rsync options (their --delete applies to full syncs and re-sent
    /// trees); <paramref name="delete"/> says whether deleted paths are sent as deletions (--delete-missing-args);
    /// <paramref name="filters"/> gives the watch's filter rules as they stand for each push; <paramref name="events"/>
    /// receives the pushes' messages (the remote side's stderr among them).
    /// </summary>
    /// <param name="name">The replica's name in logs.</param>
    /// <param name="source">The watched tree.</param>
    /// <param name="shell">How to reach the host and start rsync there.</param>
    /// <param name="destination">The path on the host, as written after "HOST:".</param>
    /// <param name="options">The target's rsync options.</param>
    /// <param name="delete">Send deleted paths as deletions (--delete-missing-args).</param>
    /// <param name="filters">The watch's filter rules, asked for each push.</param>
    /// <param name="events">Receives the pushes' messages, or null.</param>
    public RemoteShellReplicaTarget(string name, string source, RemoteShell shell, string destination, TransferOptions options,
        bool delete, Func<FilterList>? filters, ITransferEvents? events = null)
        : base(name, source, options, delete, filters)
    {
        _shell = shell;
        // The contents of SRC/ go into the directory, whether or not it was written with a trailing slash.
        _destination = destination.Length == 0 || destination.EndsWith('/') ? destination : destination + "/";
        _events = events;
    }

    /// <inheritdoc/>
    protected override async Task<TransferStats> TransferAsync(ReplicaPass pass, CancellationToken cancellationToken) =>
        Succeeded(await RsyncClient.PushAsync(new RemoteShellPushRequest
        {
            Shell = _shell,
            Destination = _destination,
            Sources = pass.Sources,
            SourceRoot = pass.SourceRoot,
            RelativePaths = pass.RelativePaths,
            Options = pass.Options,
            Filters = pass.Filters,
        }, _events, cancellationToken).ConfigureAwait(false), "push over the remote shell");
}
