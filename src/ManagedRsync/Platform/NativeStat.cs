using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Platform;

/// <summary>
/// lstat and fstat through statx(2), which has one struct layout on every Linux architecture and gives what the file
/// list needs and .NET's FileSystemInfo does not: nanosecond mtime, uid, gid, inode, device, rdev and link count.
/// </summary>
internal static class NativeStat
{
    public readonly record struct Info(
        int Mode, long Size, long MTime, int MTimeNsec, int Uid, int Gid, long Ino, long Dev, int Nlink,
        int RdevMajor, int RdevMinor, long ATime = 0);

    /// <summary>lstat(2) of <paramref name="path"/>; returns the errno on failure.</summary>
    public static int TryLstat(string path, out Info info) => TryStatx(path, Interop.AT_SYMLINK_NOFOLLOW, out info);

    /// <summary>stat(2) of <paramref name="path"/>, following symlinks; returns the errno on failure.</summary>
    public static int TryStat(string path, out Info info) => TryStatx(path, 0, out info);

    private static int TryStatx(string path, int flags, out Info info) => TryStatAt(Interop.AT_FDCWD, path, flags, out info);

    /// <summary>statx(2) of <paramref name="name"/> in the directory <paramref name="dirFd"/>; returns the errno on failure.</summary>
    public static unsafe int TryStatAt(int dirFd, string name, int flags, out Info info)
    {
        Interop.Statx b;
        if (Interop.StatxAt(dirFd, name, flags, Interop.STATX_BASIC_STATS, &b) != 0)
        {
            info = default;
            return Marshal.GetLastPInvokeError();
        }
        info = From(in b);
        return 0;
    }

    /// <summary>
    /// statx(2) of <paramref name="nameZ"/>, a name in the directory <paramref name="dirFd"/> as bytes ending in a NUL;
    /// returns the errno on failure.
    /// </summary>
    /// <exception cref="ArgumentException">The name does not end in a NUL.</exception>
    [System.Runtime.CompilerServices.SkipLocalsInit] // statx fills all 256 bytes, and nothing is read after a failure
    public static unsafe int TryStatAt(int dirFd, ReadOnlySpan<byte> nameZ, int flags, out Info info)
    {
        if (nameZ.IsEmpty || nameZ[^1] != 0)
            throw new ArgumentException("the name must end in a NUL", nameof(nameZ));
        Interop.Statx b;
        int rc;
        fixed (byte* p = nameZ)
            rc = Interop.StatxAt(dirFd, p, flags, Interop.STATX_BASIC_STATS, &b);
        if (rc != 0)
        {
            info = default;
            return Marshal.GetLastPInvokeError();
        }
        info = From(in b);
        return 0;
    }

    private static Info From(in Interop.Statx b) =>
        new(b.Mode, (long)b.Size, b.MtimeSeconds, (int)b.MtimeNanoseconds, (int)b.Uid, (int)b.Gid, (long)b.Ino,
            ((long)b.DevMajor << 32) | b.DevMinor, (int)b.Nlink, (int)b.RdevMajor, (int)b.RdevMinor, b.AtimeSeconds);

    /// <summary>Owner uid and st_mode of an open file (fstat: the file actually read, whatever the path now is).</summary>
    /// <exception cref="IOException">statx failed (the message carries strerror and the errno).</exception>
    public static unsafe (uint Uid, uint Mode) OwnerAndMode(SafeFileHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            Interop.Statx b;
            if (Interop.StatxAt((int)handle.DangerousGetHandle(), "", Interop.AT_EMPTY_PATH, Interop.STATX_BASIC_STATS, &b) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            }
            return (b.Uid, b.Mode);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
