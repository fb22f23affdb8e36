using System.Runtime.InteropServices;
using ManagedRsync.Destination;

namespace ManagedRsync.Watch;

/// <summary>
/// fanotify(7) and the file-handle calls that turn its directory handles back into paths: fanotify_init(2),
/// fanotify_mark(2), name_to_handle_at(2), open_by_handle_at(2). Constants keep the names and values of
/// &lt;linux/fanotify.h&gt; and &lt;fcntl.h&gt;; descriptors are owned by <see cref="FileDescriptor"/>.
/// </summary>
internal static unsafe partial class Interop
{
    // fanotify_init flags (linux/fanotify.h).
    internal const uint FAN_CLASS_NOTIF = 0x0;
    internal const uint FAN_CLOEXEC = 0x1;
    internal const uint FAN_NONBLOCK = 0x2;
    internal const uint FAN_REPORT_DIR_FID = 0x400;
    internal const uint FAN_REPORT_NAME = 0x800;
    internal const uint FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;

    // fanotify_mark flags.
    internal const uint FAN_MARK_ADD = 0x1;
    internal const uint FAN_MARK_DONT_FOLLOW = 0x4;
    internal const uint FAN_MARK_ONLYDIR = 0x8;
    internal const uint FAN_MARK_FILESYSTEM = 0x100;

    // Event bits: the ones shared with inotify have inotify's values (fanotify(7) names them alike on purpose).
    internal const ulong FAN_ACCESS = 0x1;
    internal const ulong FAN_MODIFY = 0x2;
    internal const ulong FAN_ATTRIB = 0x4;
    internal const ulong FAN_CLOSE_WRITE = 0x8;
    internal const ulong FAN_CLOSE_NOWRITE = 0x10;
    internal const ulong FAN_OPEN = 0x20;
    internal const ulong FAN_MOVED_FROM = 0x40;
    internal const ulong FAN_MOVED_TO = 0x80;
    internal const ulong FAN_CREATE = 0x100;
    internal const ulong FAN_DELETE = 0x200;
    internal const ulong FAN_DELETE_SELF = 0x400;
    internal const ulong FAN_MOVE_SELF = 0x800;
    internal const ulong FAN_Q_OVERFLOW = 0x4000;
    internal const ulong FAN_RENAME = 0x10000000;
    internal const ulong FAN_ONDIR = 0x40000000;

    /// <summary>fanotify_event_metadata.vers this decoder understands (FANOTIFY_METADATA_VERSION, unchanged since 3.7).</summary>
    internal const byte FANOTIFY_METADATA_VERSION = 3;

    // fanotify_event_info_header.info_type.
    internal const byte FAN_EVENT_INFO_TYPE_FID = 1;
    internal const byte FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
    internal const byte FAN_EVENT_INFO_TYPE_DFID = 3;
    internal const byte FAN_EVENT_INFO_TYPE_OLD_DFID_NAME = 10;
    internal const byte FAN_EVENT_INFO_TYPE_NEW_DFID_NAME = 12;

    /// <summary>O_PATH (asm-generic/fcntl.h; the same on x86-64 and arm64): a descriptor that only names the inode.</summary>
    internal const int O_PATH = 0x200000;
    internal const int AT_FDCWD = DestinationNative.AT_FDCWD;

    /// <summary>MAX_HANDLE_SZ (linux/exportfs.h): the largest f_handle any file system encodes.</summary>
    internal const int MAX_HANDLE_SZ = 128;

    internal const int EPERM = DestinationNative.EPERM;
    internal const int ENODEV = 19;
    internal const int EXDEV = DestinationNative.EXDEV;
    internal const int EINVAL = 22;
    internal const int ENAMETOOLONG = 36;
    internal const int ENOSYS = 38;
    internal const int EOPNOTSUPP = 95;
    internal const int ESTALE = 116;

    [LibraryImport(Libc, EntryPoint = "fanotify_init", SetLastError = true)]
    internal static partial int FanotifyInit(uint flags, uint eventFileFlags);

    [LibraryImport(Libc, EntryPoint = "fanotify_mark", SetLastError = true)]
    internal static partial int FanotifyMark(int fanotifyFd, uint flags, ulong mask, int dirFd, byte* pathname);

    [LibraryImport(Libc, EntryPoint = "name_to_handle_at", SetLastError = true)]
    internal static partial int NameToHandleAt(int dirFd, byte* pathname, byte* handle, int* mountId, int flags);

    [LibraryImport(Libc, EntryPoint = "open_by_handle_at", SetLastError = true)]
    internal static partial int OpenByHandleAt(int mountFd, byte* handle, int flags);
}
