namespace ManagedRsync.Watch;

/// <summary>inotify event and watch flags, with the C names and values of &lt;sys/inotify.h&gt; (inotify(7)).</summary>
[Flags]
#pragma warning disable CA1707, CA1711, CA1714 // the C names are the point: they match inotify(7) and inotifywait(1)
public enum InotifyMask : uint
{
    None = 0,
    IN_ACCESS = 0x00000001,
    IN_MODIFY = 0x00000002,
    IN_ATTRIB = 0x00000004,
    IN_CLOSE_WRITE = 0x00000008,
    IN_CLOSE_NOWRITE = 0x00000010,
    IN_OPEN = 0x00000020,
    IN_MOVED_FROM = 0x00000040,
    IN_MOVED_TO = 0x00000080,
    IN_CREATE = 0x00000100,
    IN_DELETE = 0x00000200,
    IN_DELETE_SELF = 0x00000400,
    IN_MOVE_SELF = 0x00000800,

    IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE,
    IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO,
    IN_ALL_EVENTS = 0x00000fff,

    // Set by the kernel in returned events.
    IN_UNMOUNT = 0x00002000,
    IN_Q_OVERFLOW = 0x00004000,
    IN_IGNORED = 0x00008000,

    // Flags for inotify_add_watch only.
    IN_ONLYDIR = 0x01000000,
    IN_DONT_FOLLOW = 0x02000000,
    IN_EXCL_UNLINK = 0x04000000,
    IN_MASK_CREATE = 0x10000000,
    IN_MASK_ADD = 0x20000000,
    IN_ISDIR = 0x40000000,
    IN_ONESHOT = 0x80000000,
}
#pragma warning restore CA1707, CA1711, CA1714
