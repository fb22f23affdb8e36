using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace ManagedRsync.FileList;

/// <summary>
/// lstat through statx(2), which has one struct layout on every Linux architecture and gives what the file list
/// needs and .NET's FileSystemInfo does not: nanosecond mtime, uid, gid, inode, device, rdev and link count.
/// </summary>
internal static partial class NativeStat
{
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_BASIC_STATS = 0x7ff;

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlkSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Pad1;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public long AtimeSec; public uint AtimeNsec; public int AtimePad;
        public long BtimeSec; public uint BtimeNsec; public int BtimePad;
        public long CtimeSec; public uint CtimeNsec; public int CtimePad;
        public long MtimeSec; public uint MtimeNsec; public int MtimePad;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirfd, [MarshalUsing(typeof(FileNameEncoding.PathMarshaller))] string path, int flags, uint mask, out StatxBuffer buffer);

    public readonly record struct Info(
        int Mode, long Size, long MTime, int MTimeNsec, int Uid, int Gid, long Ino, long Dev, int Nlink,
        int RdevMajor, int RdevMinor);

    /// <summary>lstat(2) of <paramref name="path"/>; returns the errno on failure.</summary>
    public static int TryLstat(string path, out Info info)
    {
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out StatxBuffer b) != 0)
        {
            info = default;
            return Marshal.GetLastPInvokeError();
        }
        info = new Info(b.Mode, (long)b.Size, b.MtimeSec, (int)b.MtimeNsec, (int)b.Uid, (int)b.Gid, (long)b.Ino,
            ((long)b.DevMajor << 32) | b.DevMinor, (int)b.Nlink, (int)b.RdevMajor, (int)b.RdevMinor);
        return 0;
    }

    public const int ENOENT = 2;
}
