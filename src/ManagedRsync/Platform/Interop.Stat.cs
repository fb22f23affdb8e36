using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace ManagedRsync.Platform;

/// <summary>
/// statx(2): one struct layout on every Linux architecture (struct stat differs between x86-64 and arm64), with the
/// nanosecond mtime, uid, gid, inode, device, rdev and link count the file list needs.
/// </summary>
internal static unsafe partial class Interop
{
    public const uint STATX_BASIC_STATS = 0x7ff;

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
        [FieldOffset(64)] public long AtimeSeconds;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirFd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags, uint mask, Statx* buffer);

    /// <summary>statx(2) of a NUL-terminated name already in bytes (a directory listing's), nothing to marshal.</summary>
    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirFd, byte* path, int flags, uint mask, Statx* buffer);
}
