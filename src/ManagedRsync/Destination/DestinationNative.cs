using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using ManagedRsync.FileList;

namespace ManagedRsync.Destination;

/// <summary>
/// The libc calls the confined destination needs, all relative to a directory descriptor (the *at family) so that no
/// path is ever resolved from the process's working directory or through a symlink we did not ask to follow.
/// Constants keep their C names; the values are Linux's (asm-generic, with the x86-64 O_DIRECTORY/O_NOFOLLOW differences).
/// </summary>
internal static unsafe partial class DestinationNative
{
    private const string Libc = "libc";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    // These two differ between x86-64 (and most arches) and arm64 (asm-generic/fcntl.h vs arch/arm64/include/uapi/asm/fcntl.h).
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const long UTIME_OMIT = (1L << 30) - 2;

    public const uint STATX_BASIC_STATS = 0x7ff;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;

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

    /// <summary>struct statx (linux/stat.h): the same layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt([MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string target, int newDirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string linkPath);

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

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags, uint mask, Statx* buffer);

    [LibraryImport(Libc, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    public static partial nint ReadDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "rewinddir")]
    public static partial void RewindDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint dir);

    /// <summary>gnu_dev_makedev (sys/sysmacros.h): the 64-bit dev_t glibc passes to mknod.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
        | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    /// <summary>struct dirent64 on 64-bit glibc: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name.</summary>
    public const int DirentNameOffset = 19;
    public const int DirentTypeOffset = 18;
}
