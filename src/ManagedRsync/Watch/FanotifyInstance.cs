// Implementation notes
// --------------------
// * One fanotify group per watcher: fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME | FAN_CLOEXEC |
//   FAN_NONBLOCK). Every event names the directory (a file handle) and the entry name, so creates, deletes and
//   renames need no file descriptor per event and no per-directory watch (fanotify(7), Linux 5.9).
// * One FAN_MARK_FILESYSTEM mark covers the whole file system holding the root (it needs CAP_SYS_ADMIN); events
//   outside the root are the caller's to drop. A second, inode mark on the root asks for FAN_DELETE_SELF and
//   FAN_MOVE_SELF on the root alone (asking the file-system mark for them would report every deleted inode twice).
// * FAN_RENAME (Linux 5.17) reports a move as one event with the old and the new directory and name; without it a
//   move is FAN_MOVED_FROM + FAN_MOVED_TO with no cookie to pair them, so it is a delete and a create.
// * Directory handles become paths with open_by_handle_at(O_PATH) on a descriptor of the root (CAP_DAC_READ_SEARCH)
//   and readlink of /proc/self/fd/N. A handle of a deleted directory fails with ESTALE.
// * The queue is bounded: without FAN_UNLIMITED_QUEUE it holds /proc/sys/fs/fanotify/max_queued_events (16384 by
//   default, read when the group is made); past it one FAN_Q_OVERFLOW is queued.
// * Identical events still queued are merged (mask bits or-ed): a create then delete of one name can arrive as one
//   event with both bits, so the caller looks at the file system to learn which came last.
using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>A fanotify group watching one file system, with directory handles resolved to paths.</summary>
internal sealed unsafe class FanotifyInstance : WatchEventQueue
{
    public const string MaxQueuedEventsPath = "/proc/sys/fs/fanotify/max_queued_events";

    /// <summary>Events the root's own inode mark asks for.</summary>
    private const ulong RootSelfEvents = Interop.FAN_DELETE_SELF | Interop.FAN_MOVE_SELF | Interop.FAN_ONDIR;

    private readonly DescriptorHandle _mountFd;

    private FanotifyInstance(int fd, DescriptorHandle mountFd, string fileSystem)
        : base(fd, "fanotify")
    {
        _mountFd = mountFd;
        FileSystem = fileSystem;
    }

    /// <summary>True when moves arrive as one FAN_RENAME event (Linux 5.17); false: FAN_MOVED_FROM / FAN_MOVED_TO.</summary>
    public bool HasRename { get; private set; }

    /// <summary>The type of the marked file system (from /proc/self/mountinfo), for logs.</summary>
    public string FileSystem { get; }

    /// <summary>
    /// Makes a group with a file-system mark for the file system holding <paramref name="root"/>, asking for
    /// <paramref name="mask"/> plus moves (FAN_RENAME unless <paramref name="allowRename"/> is false or the kernel
    /// predates it). Null with <paramref name="reason"/> when fanotify cannot watch this tree here.
    /// </summary>
    public static FanotifyInstance? TryCreate(ReadOnlySpan<byte> root, ulong mask, bool allowRename, out string reason)
    {
        string rootText = Encoding.UTF8.GetString(root);
        int fd = Interop.FanotifyInit(Interop.FAN_CLASS_NOTIF | Interop.FAN_REPORT_DFID_NAME | Interop.FAN_CLOEXEC | Interop.FAN_NONBLOCK,
            (uint)(Interop.O_RDONLY | Interop.O_CLOEXEC));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            reason = errno switch
            {
                Interop.EINVAL => "the kernel does not support FAN_REPORT_DFID_NAME (Linux 5.9 or later is needed)",
                Interop.EPERM => "fanotify_init is not permitted (needs CAP_SYS_ADMIN before Linux 5.13)",
                Interop.ENOSYS => "the kernel was built without fanotify",
                Interop.EMFILE => "too many fanotify groups for this user (/proc/sys/fs/fanotify/max_user_groups)",
                _ => $"fanotify_init failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})",
            };
            return null;
        }
        int mountFd = OpenPath(root, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_CLOEXEC, out int openErrno);
        if (mountFd < 0)
        {
            _ = Interop.Close(fd);
            reason = $"cannot open {rootText}: {Marshal.GetPInvokeErrorMessage(openErrno)}";
            return null;
        }
        string canonical = FdPath(mountFd) ?? rootText;
        MountTable.Mount? mount = MountTable.Containing(canonical);
        var instance = new FanotifyInstance(fd, new DescriptorHandle(mountFd), mount?.Type ?? "unknown");
        if (MountTable.MountsUnder(canonical) is { } inner)
        {
            instance.Dispose();
            reason = $"{inner} is mounted inside the tree, and one file-system mark covers one file system";
            return null;
        }
        reason = instance.Mark(root, mask, allowRename);
        if (reason.Length == 0)
            reason = instance.MarkRoot(root);
        if (reason.Length == 0)
            reason = instance.ProbeHandles(root);
        if (reason.Length == 0)
            return instance;
        instance.Dispose();
        return null;
    }

    /// <summary>The file-system mark; "" when set, else why not.</summary>
    private string Mark(ReadOnlySpan<byte> root, ulong mask, bool allowRename)
    {
        ulong moves = allowRename ? Interop.FAN_RENAME : Interop.FAN_MOVED_FROM | Interop.FAN_MOVED_TO;
        int errno = AddMark(Interop.FAN_MARK_FILESYSTEM, mask | moves, root);
        if (errno == Interop.EINVAL && allowRename)
        {
            // FAN_RENAME is Linux 5.17; older kernels reject the unknown bit with EINVAL.
            moves = Interop.FAN_MOVED_FROM | Interop.FAN_MOVED_TO;
            errno = AddMark(Interop.FAN_MARK_FILESYSTEM, mask | moves, root);
        }
        HasRename = moves == Interop.FAN_RENAME;
        return errno switch
        {
            0 => "",
            Interop.EPERM => "a file-system mark needs CAP_SYS_ADMIN (run as root)",
            Interop.EOPNOTSUPP or Interop.ENODEV => $"the {FileSystem} file system does not give the file handles fanotify reports (EOPNOTSUPP)",
            Interop.EXDEV => $"the tree is a subvolume or a mount with its own fsid on {FileSystem} (EXDEV); only a file system's top can carry a file-system mark",
            Interop.EINVAL => "the kernel rejects this fanotify mark (FAN_REPORT_DFID_NAME file-system marks need Linux 5.9)",
            Interop.ENOSPC => "too many fanotify marks for this user (/proc/sys/fs/fanotify/max_user_marks)",
            _ => $"fanotify_mark failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})",
        };
    }

    /// <summary>
    /// The root's own inode mark (FAN_DELETE_SELF, FAN_MOVE_SELF); called again when a vanished root is back, since
    /// it may be a new inode. "" when set.
    /// </summary>
    public string MarkRoot(ReadOnlySpan<byte> root)
    {
        int errno = AddMark(Interop.FAN_MARK_ONLYDIR | Interop.FAN_MARK_DONT_FOLLOW, RootSelfEvents, root);
        return errno == 0 ? "" : $"fanotify_mark on the root failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }

    /// <summary>The root's handle must open again: that is what every event's directory goes through.</summary>
    private string ProbeHandles(ReadOnlySpan<byte> root)
    {
        byte[]? handle = HandleOf(root, out int errno);
        if (handle is null)
            return $"name_to_handle_at on the root failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        int fd = OpenDirectory(handle, out int openErrno);
        if (fd < 0)
        {
            return openErrno == Interop.EPERM
                ? "open_by_handle_at needs CAP_DAC_READ_SEARCH"
                : $"open_by_handle_at on the root's handle failed: {Marshal.GetPInvokeErrorMessage(openErrno)} (errno {openErrno})";
        }
        _ = Interop.Close(fd);
        return "";
    }

    /// <summary>
    /// The <c>struct file_handle</c> (handle_bytes, handle_type, f_handle) of <paramref name="path"/>, as fanotify
    /// reports a directory in its events (name_to_handle_at(2)); null with <paramref name="errno"/> when there is none.
    /// </summary>
    internal static byte[]? HandleOf(ReadOnlySpan<byte> path, out int errno)
    {
        Span<byte> handle = stackalloc byte[8 + Interop.MAX_HANDLE_SZ];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(handle, Interop.MAX_HANDLE_SZ); // handle_bytes: room offered
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        int mountId, r;
        fixed (byte* p = z)
        fixed (byte* h = handle)
            r = Interop.NameToHandleAt(Interop.AT_FDCWD, p, h, &mountId, 0);
        errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
        return r < 0 ? null : handle[..(8 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(handle))].ToArray();
    }

    private int AddMark(uint flags, ulong mask, ReadOnlySpan<byte> path)
    {
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        fixed (byte* p = z)
        {
            if (Interop.FanotifyMark(Fd, Interop.FAN_MARK_ADD | flags, mask, Interop.AT_FDCWD, p) == 0)
                return 0;
        }
        return Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The current absolute path of the directory whose <c>struct file_handle</c> is <paramref name="handle"/>,
    /// written to <paramref name="path"/>; its length, or -1 with errno (ESTALE: deleted; ENAMETOOLONG).
    /// </summary>
    public int ResolveDirectory(ReadOnlySpan<byte> handle, Span<byte> path, out int errno)
    {
        int fd = OpenDirectory(handle, out errno);
        if (fd < 0)
            return -1;
        try
        {
            int n = ReadFdPath(fd, path, out errno);
            // d_path of an unlinked directory still held open ends in " (deleted)": as good as stale.
            if (n >= 0 && path[..n].EndsWith(" (deleted)"u8))
            {
                errno = Interop.ESTALE;
                return -1;
            }
            return n;
        }
        finally
        {
            _ = Interop.Close(fd);
        }
    }

    private int OpenDirectory(ReadOnlySpan<byte> handle, out int errno)
    {
        int fd;
        fixed (byte* h = handle)
            fd = Interop.OpenByHandleAt(_mountFd.Fd, h, Interop.O_PATH | Interop.O_CLOEXEC);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>The path a descriptor refers to (readlink /proc/self/fd/N): the kernel's d_path, without symlinks.</summary>
    private static int ReadFdPath(int fd, Span<byte> path, out int errno)
    {
        Span<byte> link = stackalloc byte[32];
        "/proc/self/fd/"u8.CopyTo(link);
        bool ok = fd.TryFormat(link[14..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        link[14 + digits] = 0;
        nint n;
        fixed (byte* l = link)
        fixed (byte* p = path)
            n = ok ? Interop.ReadLink(l, p, (nuint)path.Length) : -1;
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (n >= path.Length)
        {
            errno = Interop.ENAMETOOLONG; // readlink truncated it
            return -1;
        }
        return (int)n;
    }

    internal static string? FdPath(int fd)
    {
        Span<byte> path = stackalloc byte[4096];
        int n = ReadFdPath(fd, path, out _);
        return n < 0 ? null : Encoding.UTF8.GetString(path[..n]);
    }

    /// <summary>The canonical absolute path of <paramref name="root"/> (symlinks in its ancestors resolved), as bytes.</summary>
    public static byte[]? CanonicalPath(ReadOnlySpan<byte> root)
    {
        int fd = OpenPath(root, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC, out _);
        if (fd < 0)
            return null;
        try
        {
            Span<byte> path = stackalloc byte[4096];
            int n = ReadFdPath(fd, path, out _);
            return n < 0 ? null : path[..n].ToArray();
        }
        finally
        {
            _ = Interop.Close(fd);
        }
    }

    private static int OpenPath(ReadOnlySpan<byte> path, int flags, out int errno)
    {
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        int fd;
        fixed (byte* p = z)
            fd = Interop.Open(p, flags, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    private protected override void DisposeCore() => _mountFd.Dispose();
}
