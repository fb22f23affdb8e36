using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace ManagedRsync.Platform;

/// <summary>
/// Files: open(2) and the *at family, so that the confined destination resolves every path relative to a directory
/// descriptor (never from the working directory, never through a symlink it did not ask to follow), plus the plain
/// read/write/fsync/readlink the watcher needs. Paths are marshalled as their exact bytes
/// (<see cref="FileNameEncoding.PathMarshaller"/>) or passed as NUL-terminated byte pointers.
/// Constants keep their C names; the values are Linux's (asm-generic, with the x86-64 O_DIRECTORY/O_NOFOLLOW differences).
/// </summary>
internal static unsafe partial class Interop
{
    private const string Libc = "libc";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>O_PATH (asm-generic/fcntl.h; the same on x86-64 and arm64): a descriptor that only names the inode.</summary>
    public const int O_PATH = 0x200000;

    /// <summary>
    /// O_NOATIME (asm-generic/fcntl.h, 01000000; the same on x86-64 and arm64): reads through the descriptor leave the
    /// access time alone. Only the file's owner or a process with CAP_FOWNER may use it, else open(2) fails with EPERM.
    /// </summary>
    public const int O_NOATIME = 0x40000;

    // These two differ between x86-64 (and most arches) and arm64 (asm-generic/fcntl.h vs arch/arm64/include/uapi/asm/fcntl.h).
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const long UTIME_OMIT = (1L << 30) - 2;

    public const uint S_IFMT = 0xF000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFLNK = 0xA000;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* pathname, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags, uint mode);

    private const int POSIX_FADV_SEQUENTIAL = 2;

    [LibraryImport(Libc, EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    /// <summary>Asks for the kernel's sequential read-ahead on the whole of <paramref name="fd"/>; advice only, its failure changes nothing.</summary>
    public static void FadviseSequential(int fd) => _ = PosixFadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    public const int SEEK_SET = 0;

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt([MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string target, int newDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string linkPath);

    public const int R_OK = 4;

    /// <summary>access(2) with the real ids (a daemon's "ignore nonreadable": flist.c make_file asks access(R_OK)).</summary>
    [LibraryImport(Libc, EntryPoint = "access", SetLastError = true)]
    public static partial int Access([MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int mode);

    [LibraryImport(Libc, EntryPoint = "readlink", SetLastError = true)]
    public static partial nint ReadLink(byte* pathname, byte* buf, nuint bufsiz);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadlinkAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, byte* buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "linkat", SetLastError = true)]
    public static partial int LinkAt(int oldDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string oldPath, int newDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string newPath, int flags);

    [LibraryImport(Libc, EntryPoint = "renameat", SetLastError = true)]
    public static partial int RenameAt(int oldDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string oldPath, int newDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string newPath);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags);

    [LibraryImport(Libc, EntryPoint = "mknodat", SetLastError = true)]
    public static partial int MknodAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, uint mode, ulong dev);

    [LibraryImport(Libc, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(Libc, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int FChmodAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, uint mode, int flags);

    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(int fd, uint uid, uint gid);

    [LibraryImport(Libc, EntryPoint = "fchownat", SetLastError = true)]
    public static partial int FChownAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, uint uid, uint gid, int flags);

    [LibraryImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    public static partial int FUtimens(int fd, Timespec* times);

    [LibraryImport(Libc, EntryPoint = "utimensat", SetLastError = true)]
    public static partial int UtimensAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, Timespec* times, int flags);

    /// <summary>gnu_dev_makedev (sys/sysmacros.h): the 64-bit dev_t glibc passes to mknod.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
        | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
