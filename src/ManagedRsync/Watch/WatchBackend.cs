namespace ManagedRsync.Watch;

/// <summary>Which kernel interface a <see cref="TreeWatcher"/> reads (`mrsync watch --backend`).</summary>
public enum WatchBackend
{
    /// <summary>fanotify when it can watch the tree (privileged, Linux 5.9+, file handles), else inotify with the reason logged.</summary>
    Auto,

    /// <summary>One inotify watch per directory (any file system, any user).</summary>
    Inotify,

    /// <summary>One fanotify file-system mark for the whole tree; an error when it cannot be had.</summary>
    Fanotify,
}
