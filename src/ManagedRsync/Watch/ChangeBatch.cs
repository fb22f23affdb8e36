using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// What one push to one replica must do. Paths are relative to the source root. <see cref="Send"/> entries are sent
/// as themselves (a directory without its contents), <see cref="SendTrees"/> recursively, and <see cref="Delete"/>
/// entries (files or whole directories) are removed on the replica when deletions are enabled. With
/// <see cref="FullSync"/> the whole tree is synced and the lists are covered by it.
/// </summary>
public sealed class ChangeBatch
{
    /// <summary>A batch; the lists are taken as given.</summary>
    public ChangeBatch(bool fullSync, IReadOnlyList<RawPath> send, IReadOnlyList<RawPath> sendTrees, IReadOnlyList<RawPath> delete)
    {
        FullSync = fullSync;
        Send = send;
        SendTrees = sendTrees;
        Delete = delete;
    }

    /// <summary>The whole tree is to be synced (the lists are covered by it).</summary>
    public bool FullSync { get; }
    /// <summary>Paths sent as themselves (a directory without its contents).</summary>
    public IReadOnlyList<RawPath> Send { get; }
    /// <summary>Directories sent recursively.</summary>
    public IReadOnlyList<RawPath> SendTrees { get; }
    /// <summary>Paths removed on the replica when deletions are enabled.</summary>
    public IReadOnlyList<RawPath> Delete { get; }

    /// <summary>The number of changes (a full sync counts one).</summary>
    public int Count => (FullSync ? 1 : 0) + Send.Count + SendTrees.Count + Delete.Count;

    /// <summary>A batch that syncs the whole tree.</summary>
    public static ChangeBatch Full { get; } = new(true, [], [], []);

    /// <inheritdoc/>
    public override string ToString() =>
        FullSync ? "full sync" : $"{Send.Count} send, {SendTrees.Count} trees, {Delete.Count} delete";
}

/// <summary>What a push did, for the per-batch log line.</summary>
public readonly record struct SyncResult(long Files, long Bytes)
{
    /// <summary>How long the push waited for connections to the replica (zero where none is made).</summary>
    public TimeSpan ConnectWait { get; init; }
}

/// <summary>
/// A replica the watcher keeps in step: a stock rsync daemon module through the library's push, or a local directory.
/// A failed push throws; the caller keeps the batch and retries it.
/// </summary>
public interface IReplicaTarget
{
    /// <summary>Name for logs and the status file (the config section, or DEST as given).</summary>
    string Name { get; }

    /// <summary>Applies <paramref name="batch"/> to the replica; throws when it could not (the batch is then retried).</summary>
    Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken);
}
