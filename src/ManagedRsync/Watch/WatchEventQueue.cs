using System.Buffers;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// A kernel event queue descriptor (inotify or fanotify) with a blocking, cancellable read of whole event batches.
/// A dedicated thread blocks in poll(2) on the queue and on an eventfd; <see cref="Wake"/> writes the eventfd, so
/// shutdown never waits on a timeout and an idle watcher costs no CPU. Reads are non-blocking and drain the queue
/// into one pooled buffer that the caller walks with its decoder (no allocation per event). Both kernels return
/// only whole records per read.
/// <para>Under a stream of events (a burst in the tree, or with fanotify every other writer on the file system) a
/// reader that wakes for each event pays a poll and a read per one or two records. Once a stream is under way
/// (<see cref="StreamBytes"/> read with no gap of <see cref="StreamGapTicks"/>), each read is followed by a pause of
/// <see cref="StreamPauseMs"/> so the next one takes everything queued meanwhile; the first events after a quiet spell
/// are read at once, so a single change is never held back.</para>
/// </summary>
internal abstract unsafe class WatchEventQueue : IDisposable
{
    /// <summary>Large enough for many records per read (inotify(7) and fanotify(7) suggest a multiple of the largest record).</summary>
    public const int BufferSize = 64 * 1024;

    private readonly DescriptorHandle _fd;
    private readonly DescriptorHandle _wake;
    private readonly string _name;
    /// <summary>Bytes read back to back (no gap of <see cref="StreamGapTicks"/>) that make a stream: about 64 fanotify or 128 inotify records.</summary>
    internal const int StreamBytes = 4096;

    /// <summary>The pause after each read while a stream lasts (the kernel queues meanwhile; 16384 events fit).</summary>
    internal const int StreamPauseMs = 1;

    /// <summary>A gap between reads this long (5 ms) ends a stream.</summary>
    private static readonly long StreamGapTicks = System.Diagnostics.Stopwatch.Frequency / 200;

    private byte[]? _buffer;
    private int _disposed;
    private long _lastReadAt;
    private int _streamed; // bytes read back to back so far
    private bool _lastReadFull;

    /// <summary>Takes ownership of <paramref name="fd"/>; <paramref name="name"/> names it in errors ("inotify").</summary>
    private protected WatchEventQueue(int fd, string name)
    {
        _fd = new DescriptorHandle(fd);
        _name = name;
        int wake = Interop.EventFd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
        if (wake < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            _fd.Dispose();
            throw Errno("eventfd", errno);
        }
        _wake = new DescriptorHandle(wake);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    private protected int Fd => _fd.Fd;

    /// <summary>
    /// Blocks until events are readable (or <see cref="Dispose"/> / <see cref="Wake"/> is called) and returns the
    /// bytes read, valid until the next call. Empty means woken without events: check whether to stop.
    /// </summary>
    public ReadOnlySpan<byte> WaitAndRead(int timeoutMs = -1)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(GetType().Name);
        Interop.PollFd* fds = stackalloc Interop.PollFd[2];
        if (_streamed >= StreamBytes && !_lastReadFull)
        {
            StreamPauses++;
            if (PauseWoken(fds))
                return default;
        }
        while (true)
        {
            fixed (byte* b = buffer)
            {
                nint n = Interop.Read(_fd.Fd, b, buffer.Length);
                if (n > 0)
                {
                    long now = System.Diagnostics.Stopwatch.GetTimestamp();
                    _streamed = now - _lastReadAt <= StreamGapTicks ? (int)Math.Min(int.MaxValue, _streamed + n) : (int)n;
                    _lastReadAt = now;
                    _lastReadFull = n > buffer.Length / 2; // more may be waiting already: no pause
                    return buffer.AsSpan(0, (int)n);
                }
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (n < 0 && errno != Interop.EAGAIN && errno != Interop.EINTR)
                    throw Errno($"read({_name})", errno);
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

    /// <summary>Pauses taken inside a stream (for tests and the status).</summary>
    public long StreamPauses { get; private set; }

    // The stream pause: sleeps on the wake descriptor alone, so Wake/Dispose still end it at once.
    private bool PauseWoken(Interop.PollFd* fds)
    {
        fds[0] = new Interop.PollFd { Fd = _wake.Fd, Events = Interop.POLLIN };
        if (Interop.Poll(fds, 1, StreamPauseMs) <= 0 || (fds[0].Revents & Interop.POLLIN) == 0)
            return false;
        ulong drained;
        _ = Interop.Read(_wake.Fd, (byte*)&drained, sizeof(ulong));
        return true;
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
        DisposeCore();
        _fd.Dispose();
        _wake.Dispose();
        // Callers stop their reader thread (Wake, then join) before disposing, so the buffer is free to return.
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass owns besides the queue descriptor.</summary>
    private protected virtual void DisposeCore()
    {
    }

    internal static RsyncException Errno(string call, int errno) =>
        new(RsyncErrorKind.FileIo, $"{call} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
