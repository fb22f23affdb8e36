namespace ManagedRsync.Watch;

/// <summary>inotify event and watch flags, with the C names and values of &lt;sys/inotify.h&gt; (inotify(7)).</summary>
[Flags]
#pragma warning disable CA1707, CA1711, CA1714 // the C names are the point: they match inotify(7) and inotifywait(1)
public enum InotifyMask : uint
{
    /// <summary>No event.</summary>
    None = 0,
    /// <summary>File was read.</summary>
    IN_ACCESS = 0x00000001,
    /// <summary>File was written.</summary>
    IN_MODIFY = 0x00000002,
    /// <summary>Metadata changed.</summary>
    IN_ATTRIB = 0x00000004,
    /// <summary>A file opened for writing was closed.</summary>
    IN_CLOSE_WRITE = 0x00000008,
    /// <summary>A file not opened for writing was closed.</summary>
    IN_CLOSE_NOWRITE = 0x00000010,
    /// <summary>File was opened.</summary>
    IN_OPEN = 0x00000020,
    /// <summary>An entry was moved out of the directory.</summary>
    IN_MOVED_FROM = 0x00000040,
    /// <summary>An entry was moved into the directory.</summary>
    IN_MOVED_TO = 0x00000080,
    /// <summary>An entry was created in the directory.</summary>
    IN_CREATE = 0x00000100,
    /// <summary>An entry was deleted from the directory.</summary>
    IN_DELETE = 0x00000200,
    /// <summary>The watched directory itself was deleted.</summary>
    IN_DELETE_SELF = 0x00000400,
    /// <summary>The watched directory itself was moved.</summary>
    IN_MOVE_SELF = 0x00000800,

    /// <summary>Either close event.</summary>
    IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE,
    /// <summary>Either move event.</summary>
    IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO,
    /// <summary>Every event above.</summary>
    IN_ALL_EVENTS = 0x00000fff,

    // Set by the kernel in returned events.
    /// <summary>The file system was unmounted.</summary>
    IN_UNMOUNT = 0x00002000,
    /// <summary>The event queue overflowed: events were lost.</summary>
    IN_Q_OVERFLOW = 0x00004000,
    /// <summary>The watch was removed.</summary>
    IN_IGNORED = 0x00008000,

    // Flags for inotify_add_watch only.
    /// <summary>Watch only if the path is a directory.</summary>
    IN_ONLYDIR = 0x01000000,
    /// <summary>Do not follow a symlink.</summary>
    IN_DONT_FOLLOW = 0x02000000,
    /// <summary>No events for entries unlinked from the directory.</summary>
    IN_EXCL_UNLINK = 0x04000000,
    /// <summary>Fail if the path is already watched.</summary>
    IN_MASK_CREATE = 0x10000000,
    /// <summary>Add to an existing watch's mask.</summary>
    IN_MASK_ADD = 0x20000000,
    /// <summary>The event's entry is a directory.</summary>
    IN_ISDIR = 0x40000000,
    /// <summary>Remove the watch after one event.</summary>
    IN_ONESHOT = 0x80000000,
}
#pragma warning restore CA1707, CA1711, CA1714
