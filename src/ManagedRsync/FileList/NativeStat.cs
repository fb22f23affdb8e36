using System.Runtime.InteropServices;
using ManagedRsync.Destination;

namespace ManagedRsync.FileList;

/// <summary>
/// lstat through statx(2), which has one struct layout on every Linux architecture and gives what the file list
/// needs and .NET's FileSystemInfo does not: nanosecond mtime, uid, gid, inode, device, rdev and link count.
/// </summary>
internal static class NativeStat
{
    public readonly record struct Info(
        int Mode, long Size, long MTime, int MTimeNsec, int Uid, int Gid, long Ino, long Dev, int Nlink,
        int RdevMajor, int RdevMinor);

    /// <summary>lstat(2) of <paramref name="path"/>; returns the errno on failure.</summary>
    public static unsafe int TryLstat(string path, out Info info)
    {
        DestinationNative.Statx b;
        if (DestinationNative.StatxAt(DestinationNative.AT_FDCWD, path, DestinationNative.AT_SYMLINK_NOFOLLOW,
                DestinationNative.STATX_BASIC_STATS, &b) != 0)
        {
            info = default;
            return Marshal.GetLastPInvokeError();
        }
        info = new Info(b.Mode, (long)b.Size, b.MtimeSeconds, (int)b.MtimeNanoseconds, (int)b.Uid, (int)b.Gid, (long)b.Ino,
            ((long)b.DevMajor << 32) | b.DevMinor, (int)b.Nlink, (int)b.RdevMajor, (int)b.RdevMinor);
        return 0;
    }

    public const int ENOENT = DestinationNative.ENOENT;
}
