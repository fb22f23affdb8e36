using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// openat2(2) with RESOLVE_BENEATH (Linux 5.6+): a relative path resolved under a directory descriptor, following
/// the symlinks it meets only while they stay beneath it (an absolute target, or a ".." that climbs above the
/// descriptor, fails with EXDEV). libc has no wrapper on every distribution, so it is reached through syscall(2);
/// the number is the same on every architecture (include/uapi/asm-generic/unistd.h: __NR_openat2 437).
/// </summary>
internal static unsafe partial class Interop
{
    private const long SYS_openat2 = 437;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long a1, byte* a2, OpenHow* a3, long a4);

    /// <summary>Returns the descriptor, or -1 with the errno in <c>Marshal.GetLastPInvokeError()</c>.</summary>
    public static int OpenAt2(int dirFd, byte* path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = 0, Resolve = resolve };
        return (int)Syscall4(SYS_openat2, dirFd, path, &how, sizeof(OpenHow));
    }
}
