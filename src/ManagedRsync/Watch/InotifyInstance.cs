// Implementation notes
// --------------------
// * One inotify instance per watcher (inotify_init1 with IN_NONBLOCK | IN_CLOEXEC). Each watch is a directory;
//   files are covered by their directory's watch, as in dotnet/runtime FileSystemWatcher.Linux.cs.
// * Waiting: a dedicated thread blocks in poll(2) on the inotify descriptor and on an eventfd. Dispose writes to
//   the eventfd, so shutdown never waits on a timeout and an idle watcher costs no CPU. Reads are non-blocking and
//   drain the queue into one pooled buffer that the caller walks with InotifyEventEnumerator (no allocation per
//   event; only the paths the caller keeps are allocated).
// * The buffer holds at least one maximal record (16 + NAME_MAX + 1 bytes, inotify(7)); a read into a smaller
//   buffer fails with EINVAL.
// * Limits: inotify_init1 fails with EMFILE at /proc/sys/fs/inotify/max_user_instances; inotify_add_watch fails
//   with ENOSPC at /proc/sys/fs/inotify/max_user_watches. Both surface as WatchLimitException naming the file.
// * Paths are passed as raw bytes so names that are not valid UTF-8 keep working; watches are always added with
//   IN_ONLYDIR | IN_DONT_FOLLOW so a directory replaced by a symlink is never followed out of the tree.
using System.Buffers;

namespace ManagedRsync.Watch;

/// <summary>An inotify instance with a blocking, cancellable read of whole event batches.</summary>
public sealed unsafe class InotifyInstance : IDisposable
{
    /// <summary>Large enough for many records per read; inotify(7) suggests a multiple of the maximal record.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly FileDescriptor _fd;
    private readonly FileDescriptor _wake;
    private byte[]? _buffer;
    private int _disposed;

    public InotifyInstance()
    {
        int fd = Interop.InotifyInit1(Interop.IN_NONBLOCK | Interop.IN_CLOEXEC);
        if (fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Interop.EMFILE)
                throw new WatchLimitException(InotifyLimits.MaxUserInstancesPath, 0,
                    "inotify_init1: too many inotify instances for this user (EMFILE); raise " +
                    $"{InotifyLimits.MaxUserInstancesPath} (currently {InotifyLimits.Read(InotifyLimits.MaxUserInstancesPath)}), " +
                    "e.g. sysctl -w fs.inotify.max_user_instances=1024");
            throw Errno("inotify_init1", errno);
        }
        _fd = new FileDescriptor(fd);
        int wake = Interop.EventFd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
        if (wake < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            _fd.Dispose();
            throw Errno("eventfd", errno);
        }
        _wake = new FileDescriptor(wake);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
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
            wd = Interop.InotifyAddWatch(_fd.Fd, p, (uint)mask);
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
    public void RemoveWatch(int wd) => _ = Interop.InotifyRmWatch(_fd.Fd, wd);

    /// <summary>
    /// Blocks until events are readable (or <see cref="Dispose"/> / <see cref="Wake"/> is called) and returns the
    /// bytes read, valid until the next call. Empty means woken without events: check whether to stop.
    /// </summary>
    public ReadOnlySpan<byte> WaitAndRead(int timeoutMs = -1)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(InotifyInstance));
        Interop.PollFd* fds = stackalloc Interop.PollFd[2];
        while (true)
        {
            fixed (byte* b = buffer)
            {
                nint n = Interop.Read(_fd.Fd, b, buffer.Length);
                if (n > 0)
                    return buffer.AsSpan(0, (int)n);
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (n < 0 && errno != Interop.EAGAIN && errno != Interop.EINTR)
                    throw Errno("read(inotify)", errno);
            }
            fds[0] = new Interop.PollFd { Fd = _fd.Fd, Events = Interop.POLLIN };
            fds[1] = new Interop.PollFd { Fd = _wake.Fd, Events = Interop.POLLIN };
            int r = Interop.Poll(fds, 2, timeoutMs);
            if (r < 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                    continue;
                throw Errno("poll", errno);
            }
            if (r == 0)
                return default;
            if ((fds[1].Revents & Interop.POLLIN) != 0)
            {
                ulong drained;
                _ = Interop.Read(_wake.Fd, (byte*)&drained, sizeof(ulong));
                return default;
            }
        }
    }

    /// <summary>Makes a thread blocked in <see cref="WaitAndRead"/> return an empty batch.</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _disposed) != 0)
            return;
        ulong one = 1;
        _ = Interop.Write(_wake.Fd, (byte*)&one, sizeof(ulong));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _fd.Dispose();
        _wake.Dispose();
        // Callers stop their reader thread (Wake, then join) before disposing, so the buffer is free to return.
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    internal static RsyncException Errno(string call, int errno) =>
        new(RsyncErrorKind.FileIo, RsyncExitCode.FileIo, $"{call} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
