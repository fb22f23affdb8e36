using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// fanotify(7) and the file-handle calls that turn its directory handles back into paths: fanotify_init(2),
/// fanotify_mark(2), name_to_handle_at(2), open_by_handle_at(2). Constants keep the names and values of
/// &lt;linux/fanotify.h&gt; and &lt;fcntl.h&gt;; descriptors are owned by <see cref="DescriptorHandle"/>.
/// </summary>
internal static unsafe partial class Interop
{
    // fanotify_init flags (linux/fanotify.h).
    public const uint FAN_CLASS_NOTIF = 0x0;
    public const uint FAN_CLOEXEC = 0x1;
    public const uint FAN_NONBLOCK = 0x2;
    public const uint FAN_REPORT_DIR_FID = 0x400;
    public const uint FAN_REPORT_NAME = 0x800;
    public const uint FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;

    // fanotify_mark flags.
    public const uint FAN_MARK_ADD = 0x1;
    public const uint FAN_MARK_DONT_FOLLOW = 0x4;
    public const uint FAN_MARK_ONLYDIR = 0x8;
    public const uint FAN_MARK_FILESYSTEM = 0x100;

    // Event bits: the ones shared with inotify have inotify's values (fanotify(7) names them alike on purpose).
    public const ulong FAN_ACCESS = 0x1;
    public const ulong FAN_MODIFY = 0x2;
    public const ulong FAN_ATTRIB = 0x4;
    public const ulong FAN_CLOSE_WRITE = 0x8;
    public const ulong FAN_CLOSE_NOWRITE = 0x10;
    public const ulong FAN_OPEN = 0x20;
    public const ulong FAN_MOVED_FROM = 0x40;
    public const ulong FAN_MOVED_TO = 0x80;
    public const ulong FAN_CREATE = 0x100;
    public const ulong FAN_DELETE = 0x200;
    public const ulong FAN_DELETE_SELF = 0x400;
    public const ulong FAN_MOVE_SELF = 0x800;
    public const ulong FAN_Q_OVERFLOW = 0x4000;
    public const ulong FAN_RENAME = 0x10000000;
    public const ulong FAN_ONDIR = 0x40000000;

    /// <summary>fanotify_event_metadata.vers this decoder understands (FANOTIFY_METADATA_VERSION, unchanged since 3.7).</summary>
    public const byte FANOTIFY_METADATA_VERSION = 3;

    // fanotify_event_info_header.info_type.
    public const byte FAN_EVENT_INFO_TYPE_FID = 1;
    public const byte FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
    public const byte FAN_EVENT_INFO_TYPE_DFID = 3;
    public const byte FAN_EVENT_INFO_TYPE_OLD_DFID_NAME = 10;
    public const byte FAN_EVENT_INFO_TYPE_NEW_DFID_NAME = 12;

    /// <summary>MAX_HANDLE_SZ (linux/exportfs.h): the largest f_handle any file system encodes.</summary>
    public const int MAX_HANDLE_SZ = 128;

    [LibraryImport(Libc, EntryPoint = "fanotify_init", SetLastError = true)]
    public static partial int FanotifyInit(uint flags, uint eventFileFlags);

    [LibraryImport(Libc, EntryPoint = "fanotify_mark", SetLastError = true)]
    public static partial int FanotifyMark(int fanotifyFd, uint flags, ulong mask, int dirFd, byte* pathname);

    [LibraryImport(Libc, EntryPoint = "name_to_handle_at", SetLastError = true)]
    public static partial int NameToHandleAt(int dirFd, byte* pathname, byte* handle, int* mountId, int flags);

    [LibraryImport(Libc, EntryPoint = "open_by_handle_at", SetLastError = true)]
    public static partial int OpenByHandleAt(int mountFd, byte* handle, int flags);
}
