using ManagedRsync.Client;
using ManagedRsync.Filters;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Watch;

/// <summary>
/// A local directory as a replica (`mrsync watch SRC/ /some/dir`), through the library's local copy: each transfer of
/// <see cref="TransferReplicaTarget"/> is one <see cref="RsyncClient.CopyAsync"/> (rsync's sender and its
/// generator/receiver in this process, over an in-memory pipe), so a local replica gets what a daemon replica gets: the
/// target's rsync options, the watch's filter rules (unreadable directories protected among them), names that are not
/// UTF-8 with their bytes, and the destination written only through confined, no-follow opens.
/// </summary>
public sealed class LocalReplicaTarget : TransferReplicaTarget
{
    private readonly string _destination;
    private readonly ITransferEvents? _events;

    /// <summary>
    /// <paramref name="options"/> are the target's rsync options (their --delete applies to full syncs and re-sent
    /// trees); <paramref name="delete"/> says whether deleted paths are sent as deletions (--delete-missing-args);
    /// <paramref name="filters"/> gives the watch's filter rules as they stand for each copy; <paramref name="events"/>
    /// receives the copy's messages (file names with -v, errors).
    /// </summary>
    /// <param name="name">The replica's name in logs.</param>
    /// <param name="source">The watched tree.</param>
    /// <param name="destination">The replica directory.</param>
    /// <param name="options">The target's rsync options.</param>
    /// <param name="delete">Send deleted paths as deletions (--delete-missing-args).</param>
    /// <param name="filters">The watch's filter rules, asked for each copy.</param>
    /// <param name="events">Receives the copies' messages, or null.</param>
    public LocalReplicaTarget(string name, string source, string destination, TransferOptions options, bool delete,
        Func<FilterList>? filters, ITransferEvents? events = null)
        : base(name, source, options, delete, filters)
    {
        _destination = Path.GetFullPath(destination);
        _events = events;
    }

    /// <inheritdoc/>
    protected override async Task<TransferStats> TransferAsync(ReplicaPass pass, CancellationToken cancellationToken) =>
        Succeeded(await RsyncClient.CopyAsync(new LocalCopyRequest
        {
            Sources = pass.Sources,
            SourceRoot = pass.SourceRoot,
            RelativePaths = pass.RelativePaths,
            Destination = _destination + "/",
            Options = pass.Options,
            Filters = pass.Filters,
        }, _events, cancellationToken).ConfigureAwait(false), "local copy");
}
