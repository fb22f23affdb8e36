using ManagedRsync.Platform;

// Implementation notes
// --------------------
// * One inotify instance per watcher (inotify_init1 with IN_NONBLOCK | IN_CLOEXEC). Each watch is a directory;
//   files are covered by their directory's watch, as in dotnet/runtime FileSystemWatcher.Linux.cs.
// * Waiting and reading are WatchEventQueue's (poll on the descriptor and an eventfd, one pooled buffer); the
//   caller walks each batch with InotifyEventEnumerator (no allocation per event).
// * The buffer holds at least one maximal record (16 + NAME_MAX + 1 bytes, inotify(7)); a read into a smaller
//   buffer fails with EINVAL.
// * Limits: inotify_init1 fails with EMFILE at /proc/sys/fs/inotify/max_user_instances; inotify_add_watch fails
//   with ENOSPC at /proc/sys/fs/inotify/max_user_watches. Both surface as WatchLimitException naming the file.
// * Paths are passed as raw bytes so names that are not valid UTF-8 keep working; watches are always added with
//   IN_ONLYDIR | IN_DONT_FOLLOW so a directory replaced by a symlink is never followed out of the tree.
namespace ManagedRsync.Watch;

/// <summary>An inotify instance: per-directory watches on a <see cref="WatchEventQueue"/>.</summary>
internal sealed unsafe class InotifyInstance : WatchEventQueue
{
    public InotifyInstance()
        : base(Init(), "inotify")
    {
    }

    private static int Init()
    {
        int fd = Interop.InotifyInit1(Interop.IN_NONBLOCK | Interop.IN_CLOEXEC);
        if (fd >= 0)
            return fd;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Interop.EMFILE)
            throw new WatchLimitException(InotifyLimits.MaxUserInstancesPath, 0,
                "inotify_init1: too many inotify instances for this user (EMFILE); raise " +
                $"{InotifyLimits.MaxUserInstancesPath} (currently {InotifyLimits.Read(InotifyLimits.MaxUserInstancesPath)}), " +
                "e.g. sysctl -w fs.inotify.max_user_instances=1024");
        throw Errno("inotify_init1", errno);
    }

    /// <summary>
    /// Adds (or replaces) a watch on a directory given as raw path bytes. Returns the watch descriptor, or -1 with
    /// <paramref name="errno"/> set for per-path failures the caller handles (ENOENT, ENOTDIR, EACCES, ELOOP).
    /// Throws <see cref="WatchLimitException"/> on ENOSPC.
    /// </summary>
    public int TryAddWatch(ReadOnlySpan<byte> path, InotifyMask mask, out int errno)
    {
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        int wd;
        fixed (byte* p = z)
            wd = Interop.InotifyAddWatch(Fd, p, (uint)mask);
        if (wd >= 0)
        {
            errno = 0;
            return wd;
        }
        errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Interop.ENOSPC)
            throw new WatchLimitException(InotifyLimits.MaxUserWatchesPath, 0,
                $"inotify_add_watch: the per-user watch limit is reached (ENOSPC); raise {InotifyLimits.MaxUserWatchesPath} " +
                $"(currently {InotifyLimits.Read(InotifyLimits.MaxUserWatchesPath)})");
        return -1;
    }

    /// <summary>Removes a watch; a watch the kernel already dropped (EINVAL) is not an error.</summary>
    public void RemoveWatch(int wd) => _ = Interop.InotifyRmWatch(Fd, wd);
}
