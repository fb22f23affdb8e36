using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>Waiting on descriptors: poll(2), and eventfd(2) to wake a poll from another thread.</summary>
internal static unsafe partial class Interop
{
    public const short POLLIN = 0x1;

    // sys/eventfd.h defines its flags as the O_ ones.
    public const int EFD_NONBLOCK = O_NONBLOCK;
    public const int EFD_CLOEXEC = O_CLOEXEC;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);
}
