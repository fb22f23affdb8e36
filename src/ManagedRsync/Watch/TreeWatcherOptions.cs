using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>How a <see cref="TreeWatcher"/> watches.</summary>
public sealed class TreeWatcherOptions
{
    /// <summary>The events replication needs: content, metadata, and the tree's shape.</summary>
    public const InotifyMask ReplicationEvents =
        InotifyMask.IN_MODIFY | InotifyMask.IN_ATTRIB | InotifyMask.IN_CLOSE_WRITE | InotifyMask.IN_MOVED_FROM
        | InotifyMask.IN_MOVED_TO | InotifyMask.IN_CREATE | InotifyMask.IN_DELETE | InotifyMask.IN_DELETE_SELF
        | InotifyMask.IN_MOVE_SELF;

    /// <summary>Events the tree bookkeeping needs whatever else is asked for.</summary>
    internal const InotifyMask StructureEvents =
        InotifyMask.IN_CREATE | InotifyMask.IN_MOVED_FROM | InotifyMask.IN_MOVED_TO | InotifyMask.IN_DELETE
        | InotifyMask.IN_DELETE_SELF | InotifyMask.IN_MOVE_SELF;

    /// <summary>Kernel events to watch for (the structural ones are always added when <see cref="Recursive"/>).</summary>
    public InotifyMask Events { get; init; } = ReplicationEvents;

    /// <summary>Watch subdirectories too (one watch per directory).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>Report <see cref="WatchChange"/>s (scans of new directories, deletions); off for a plain event monitor.</summary>
    public bool ReportChanges { get; init; } = true;

    /// <summary>Paths (relative to the root) never watched nor reported; the bool says whether it is a directory.</summary>
    public Func<RawPath, bool, bool>? Exclude { get; init; }

    /// <summary>How often subtrees that could not be watched (watch limit) are re-sent, and a vanished root is looked for.</summary>
    public TimeSpan FallbackScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// List a new directory before watching it, as inotifywait does (so the listing's own OPEN/ACCESS/CLOSE events
    /// are not seen on the new watch). Replication keeps the default, watch first, which cannot miss a file.
    /// </summary>
    public bool ListBeforeWatch { get; init; }

    /// <summary>The event source: inotify (the default for library callers), fanotify, or the best one available.</summary>
    public WatchBackend Backend { get; init; } = WatchBackend.Inotify;

    /// <summary>
    /// fanotify only (it reports the causing process): drop events this process caused, e.g. a local replica or the
    /// state directory inside the watched file system.
    /// </summary>
    public bool IgnoreOwnProcess { get; init; }

    /// <summary>Tests only: fanotify without FAN_RENAME, as on Linux 5.9 to 5.16 (moves as delete + create).</summary>
    internal bool FanotifyWithoutRename { get; init; }

    /// <summary>
    /// Tests only: set the watches or the mark but start no reader thread; the test hands buffers laid out as the
    /// kernel's to <see cref="TreeWatcher.Feed"/> on its own thread (to measure what handling them costs).
    /// </summary>
    internal bool WithoutReader { get; init; }

    /// <summary>
    /// Tests only: behave as if max_user_watches allowed this many watches (ENOSPC past it), so the fallback path
    /// runs without lowering a machine-wide sysctl.
    /// </summary>
    internal int? WatchBudget { get; init; }
}
