using System.Runtime.InteropServices;
using ManagedRsync.Destination;

namespace ManagedRsync.Watch;

/// <summary>
/// The libc calls the watcher needs: inotify(7), poll(2) and eventfd(2) to wait for it, and open/getdents64 to
/// list directories by raw name bytes (the BCL decodes names as UTF-8 and would lose names that are not valid
/// UTF-8). All take and return plain descriptors; <see cref="FileDescriptor"/> owns their lifetimes.
/// </summary>
internal static unsafe partial class Interop
{
    private const string Libc = "libc";

    // open(2) flags and errno values are DestinationNative's (one table, with the arm64 O_DIRECTORY/O_NOFOLLOW values);
    // sys/inotify.h and sys/eventfd.h define their flags as the O_ ones.
    internal const int O_RDONLY = DestinationNative.O_RDONLY;
    internal const int O_NONBLOCK = DestinationNative.O_NONBLOCK;
    internal const int O_CLOEXEC = DestinationNative.O_CLOEXEC;
    internal static readonly int O_DIRECTORY = DestinationNative.O_DIRECTORY;
    internal static readonly int O_NOFOLLOW = DestinationNative.O_NOFOLLOW;
    internal const int IN_NONBLOCK = O_NONBLOCK;
    internal const int IN_CLOEXEC = O_CLOEXEC;
    internal const int EFD_NONBLOCK = O_NONBLOCK;
    internal const int EFD_CLOEXEC = O_CLOEXEC;

    internal const short POLLIN = 0x1;

    // errno values (asm-generic/errno-base.h, errno.h); the ones the destination also uses come from there.
    internal const int ENOENT = DestinationNative.ENOENT;
    internal const int EINTR = DestinationNative.EINTR;
    internal const int EAGAIN = 11;
    internal const int EACCES = DestinationNative.EACCES;
    internal const int ENOTDIR = DestinationNative.ENOTDIR;
    internal const int EMFILE = 24;
    internal const int ENOSPC = 28;
    internal const int ELOOP = DestinationNative.ELOOP;

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
