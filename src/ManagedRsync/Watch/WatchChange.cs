using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>What happened to a path, as far as a replica cares.</summary>
public enum ChangeKind : byte
{
    /// <summary>Data was written and the file is still open for writing (IN_MODIFY): wait for the close.</summary>
    Writing,
    /// <summary>The path exists with new content or metadata and is ready to send (close-write, create, attrib, moved in, found by a scan).</summary>
    Changed,
    /// <summary>The path (a file, or a directory with its whole subtree) is gone from the tree.</summary>
    Deleted,
    /// <summary>A directory whose subtree must be re-sent as a whole (no watch on it, or it was moved in).</summary>
    SubtreeDirty,
    /// <summary>Events were lost (IN_Q_OVERFLOW, unmount, root replaced): only a full sync is safe.</summary>
    FullRescan,
}

/// <summary>
/// One change reported by <see cref="TreeWatcher"/>, relative to the watched root. <paramref name="Created"/>: a new
/// non-directory that may still be open for writing (IN_CREATE, FAN_CREATE without FAN_CLOSE_WRITE): it is sent like
/// any change, but it does not start a batch at once after an idle period, since its data may be on the way.
/// </summary>
public readonly record struct WatchChange(ChangeKind Kind, RawPath Path, bool IsDirectory, bool Created = false);
