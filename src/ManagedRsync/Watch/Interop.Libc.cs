using System.Runtime.InteropServices;

namespace ManagedRsync.Watch;

/// <summary>
/// The libc calls the watcher needs: inotify(7), poll(2) and eventfd(2) to wait for it, and open/getdents64 to
/// list directories by raw name bytes (the BCL decodes names as UTF-8 and would lose names that are not valid
/// UTF-8). All take and return plain descriptors; <see cref="FileDescriptor"/> owns their lifetimes.
/// </summary>
internal static unsafe partial class Interop
{
    private const string Libc = "libc";

    // fcntl.h / sys/inotify.h / sys/eventfd.h values for Linux (x86-64 and arm64 agree on these).
    internal const int O_RDONLY = 0x0;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int IN_NONBLOCK = O_NONBLOCK;
    internal const int IN_CLOEXEC = O_CLOEXEC;
    internal const int EFD_NONBLOCK = O_NONBLOCK;
    internal const int EFD_CLOEXEC = O_CLOEXEC;

    internal const short POLLIN = 0x1;

    // errno values (asm-generic/errno-base.h).
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int ENOTDIR = 20;
    internal const int EMFILE = 24;
    internal const int ENOSPC = 28;
    internal const int ELOOP = 40;

    // dirent.h d_type values.
    internal const byte DT_UNKNOWN = 0;
    internal const byte DT_DIR = 4;
    internal const byte DT_REG = 8;
    internal const byte DT_LNK = 10;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "inotify_init1", SetLastError = true)]
    internal static partial int InotifyInit1(int flags);

    [LibraryImport(Libc, EntryPoint = "inotify_add_watch", SetLastError = true)]
    internal static partial int InotifyAddWatch(int fd, byte* pathname, uint mask);

    [LibraryImport(Libc, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    internal static partial int InotifyRmWatch(int fd, int wd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initval, int flags);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    internal static partial int Open(byte* pathname, int flags, int mode);

    /// <summary>getdents64(2): glibc exports it since 2.30. Records are linux_dirent64 (see <see cref="RawDirectory"/>).</summary>
    [LibraryImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    internal static partial nint GetDents64(int fd, byte* dirp, nuint count);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport(Libc, EntryPoint = "readlink", SetLastError = true)]
    internal static partial nint ReadLink(byte* pathname, byte* buf, nuint bufsiz);
}
