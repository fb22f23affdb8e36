using System.Runtime.InteropServices;
using ManagedRsync.Destination;

namespace ManagedRsync.Cli.Native;

/// <summary>What the password-file rules need from libc: the effective uid, and a file's owner and mode (statx through
/// the library's one declaration).</summary>
internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuidNative();

    public static uint GetEffectiveUserId() => GetEuidNative();

    /// <summary>Owner uid and st_mode of an open file (fstat: the file actually read, whatever the path now is).</summary>
    public static (uint Uid, uint Mode) FStat(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Statx((int)handle.DangerousGetHandle(), "", DestinationNative.AT_EMPTY_PATH);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static unsafe (uint Uid, uint Mode) Statx(int dirfd, string path, int flags)
    {
        DestinationNative.Statx buffer;
        if (DestinationNative.StatxAt(dirfd, path, flags, DestinationNative.STATX_BASIC_STATS, &buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
        }
        return (buffer.Uid, buffer.Mode);
    }
}
