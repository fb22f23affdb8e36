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
    public ChangeBatch(bool fullSync, IReadOnlyList<RawPath> send, IReadOnlyList<RawPath> sendTrees, IReadOnlyList<RawPath> delete)
    {
        FullSync = fullSync;
        Send = send;
        SendTrees = sendTrees;
        Delete = delete;
    }

    public bool FullSync { get; }
    public IReadOnlyList<RawPath> Send { get; }
    public IReadOnlyList<RawPath> SendTrees { get; }
    public IReadOnlyList<RawPath> Delete { get; }

    public int Count => (FullSync ? 1 : 0) + Send.Count + SendTrees.Count + Delete.Count;

    public static ChangeBatch Full { get; } = new(true, [], [], []);

    public override string ToString() =>
        FullSync ? "full sync" : $"{Send.Count} send, {SendTrees.Count} trees, {Delete.Count} delete";
}

/// <summary>What a push did, for the per-batch log line.</summary>
public readonly record struct SyncResult(long Files, long Bytes);

/// <summary>
/// A replica the watcher keeps in step: a stock rsync daemon module through the library's push, or a local directory.
/// A failed push throws; the caller keeps the batch and retries it.
/// </summary>
public interface IReplicaTarget
{
    /// <summary>Name for logs and the status file (the config section, or DEST as given).</summary>
    string Name { get; }

    Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken);
}
