using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ManagedRsync.Cli.Native;

/// <summary>The two libc calls the password-file rules need: the effective uid, and a file's owner and mode.</summary>
internal static partial class LibC
{
    private const int AtFdcwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;

    // struct statx (linux/stat.h) has the same layout on every architecture, unlike struct stat:
    // stx_uid is at offset 20, stx_mode (16 bits) at offset 28; the struct is 256 bytes.
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuidNative();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    public static uint GetEffectiveUserId() => GetEuidNative();

    /// <summary>Owner uid and st_mode of <paramref name="path"/>, not following a final symlink.</summary>
    /// <exception cref="IOException">statx failed (the message carries strerror and errno).</exception>
    public static (uint Uid, uint Mode) LStat(string path) => Statx(AtFdcwd, path, AtSymlinkNoFollow);

    /// <summary>Owner uid and st_mode of an open file (fstat: the file actually read, whatever the path now is).</summary>
    public static (uint Uid, uint Mode) FStat(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath);
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
        byte* buffer = stackalloc byte[StatxSize];
        if (StatxNative(dirfd, path, flags, StatxMode | StatxUid, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
        }
        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(span[StatxUidOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(span[StatxModeOffset..]));
    }
}
