using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>inotify(7): inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2). Descriptors are owned by <see cref="DescriptorHandle"/>.</summary>
internal static unsafe partial class Interop
{
    // sys/inotify.h defines its flags as the O_ ones.
    public const int IN_NONBLOCK = O_NONBLOCK;
    public const int IN_CLOEXEC = O_CLOEXEC;

    [LibraryImport(Libc, EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport(Libc, EntryPoint = "inotify_add_watch", SetLastError = true)]
    public static partial int InotifyAddWatch(int fd, byte* pathname, uint mask);

    [LibraryImport(Libc, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int InotifyRmWatch(int fd, int wd);
}
