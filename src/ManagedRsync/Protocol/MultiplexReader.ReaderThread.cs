using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using ManagedRsync.Platform;

namespace ManagedRsync.Protocol;

/// <summary>
/// A duplex stream over a socket whose input a reader's own thread may wait for with poll(2) before it reads through
/// the stream (<see cref="MultiplexReader"/>'s reader thread).
/// </summary>
internal interface IPollableInput
{
    /// <summary>The socket the stream reads, or null when it reads none (then the reader pumps asynchronously).</summary>
    Socket? InputSocket { get; }

    /// <summary>The stream holds bytes above the socket (a handshake's buffer) that a read returns without waiting.</summary>
    bool HoldsInput { get; }
}

// The reader thread (issue 16: a pull's re-run). The asynchronous pump's read of a socket that had nothing yet went
// through the runtime's socket engine: a recv that found nothing, the engine's thread woken by epoll, a thread-pool
// worker woken to read again and queue the piece, and only then the receiver. Stock's reader (io.c: perform_io) waits
// in select and reads. This thread does the same: poll(2) on the socket and on an eventfd that Dispose writes, then a
// read through the stream (the same read, the same errors and TCP_QUICKACK as before), then the piece queued and the
// receiver woken. --timeout is poll's timeout; a peer gone is the read's 0 or its error, as before.
internal sealed partial class MultiplexReader
{
    // Written by Dispose to end a reader thread's poll; closed by the thread as it ends.
    private DescriptorHandle? _wake;

    /// <summary>The input is read by a thread of the reader's own (for tests).</summary>
    internal bool ReadsOnThread => _wake is not null;

    private Task StartReaderThread(byte[] initial, IPollableInput input)
    {
        int wake = Interop.EventFd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
        if (wake < 0)
        {
            // No eventfd (a descriptor limit): the asynchronous pump does the same job.
            return Task.Run(() => PumpAsync(initial, _stop.Token));
        }
        _wake = new DescriptorHandle(wake);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => PumpOnThread(initial, input, _wake, done, _stop.Token))
        {
            IsBackground = true,
            Name = "mrsync reader",
        };
        thread.Start();
        return done.Task;
    }

    private void PumpOnThread(byte[] initial, IPollableInput input, DescriptorHandle wake, TaskCompletionSource done,
        CancellationToken ct)
    {
        var frames = new FrameSplitter(initial);
        ChannelWriter<Item> writer = _queue.Writer;
        try
        {
            while (true)
            {
                while (frames.TryNext(out Item item))
                    QueueOnThread(writer, item, ct);
                Memory<byte> space = frames.Space();
                if (!input.HoldsInput)
                    WaitReadable(input.InputSocket!, wake, ct);
                int read = _stream.Read(space.Span);
                if (Ended(read, frames, writer))
                    return;
            }
        }
        catch (Exception ex)
        {
            // As the asynchronous pump: what was queued before a failure is delivered first; a failure after Dispose
            // (the stream closed under the read) is no error of the session's.
            if (!ct.IsCancellationRequested)
                _pumpError = ex;
            writer.TryComplete();
            WakeBlockedConsumer();
        }
        finally
        {
            wake.Dispose();
            done.TrySetResult();
        }
    }

    // The pump's side of QueueAsync on the reader thread: a full queue blocks the thread until the consumer has taken it
    // down to ResumeAt (Dispose cancels the wait).
    private void QueueOnThread(ChannelWriter<Item> writer, Item item, CancellationToken ct)
    {
        int cost = Cost(item);
        if (!writer.TryWrite(item))
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(item.Buffer);
            throw new ChannelClosedException();
        }
        WakeBlockedConsumer();
        if (Interlocked.Add(ref _queued, cost) < QueueBytes)
            return;
        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // As WaitForRoomAsync: published before the count is read again, so that Took sees it or this sees the count.
        Interlocked.Exchange(ref _room, room);
        if (Volatile.Read(ref _queued) > ResumeAt)
            room.Task.Wait(ct);
        Interlocked.CompareExchange(ref _room, null, room);
    }

    // Waits until the socket has something for a read (data, its end, an error: the read says which), for at most the
    // read timeout (io.c: check_timeout; a TimeoutException, which the consumer reports as the timeout), or until
    // Dispose writes the eventfd.
    private unsafe void WaitReadable(Socket socket, DescriptorHandle wake, CancellationToken ct)
    {
        long ticks = Volatile.Read(ref _timeoutTicks);
        long limitMs = ticks > 0 ? Math.Max(1, (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond) : -1;
        long deadline = limitMs > 0 ? Environment.TickCount64 + limitMs : 0;
        SafeHandle socketHandle = socket.SafeHandle;
        bool socketHeld = false, wakeHeld = false;
        try
        {
            socketHandle.DangerousAddRef(ref socketHeld);
            wake.DangerousAddRef(ref wakeHeld);
            Interop.PollFd* fds = stackalloc Interop.PollFd[2];
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                fds[0] = new Interop.PollFd { Fd = (int)socketHandle.DangerousGetHandle(), Events = Interop.POLLIN };
                fds[1] = new Interop.PollFd { Fd = wake.Fd, Events = Interop.POLLIN };
                int waitMs = limitMs < 0 ? -1 : (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
                int ready = Interop.Poll(fds, 2, waitMs);
                if (ready < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.EINTR)
                        continue;
                    throw new IOException($"poll: {SystemError.Describe(errno)}");
                }
                if (ready == 0)
                    throw new TimeoutException();
                if (fds[1].Revents != 0)
                {
                    ulong drained;
                    _ = Interop.Read(wake.Fd, (byte*)&drained, sizeof(ulong));
                    continue;
                }
                if (fds[0].Revents != 0)
                    return;
            }
        }
        finally
        {
            if (wakeHeld)
                wake.DangerousRelease();
            if (socketHeld)
                socketHandle.DangerousRelease();
        }
    }

    // Dispose's side: a reader thread in poll returns at once (it then sees the cancellation).
    private unsafe void WakeReaderThread()
    {
        if (_wake is not { } wake)
            return;
        bool held = false;
        try
        {
            wake.DangerousAddRef(ref held);
            ulong one = 1;
            _ = Interop.Write(wake.Fd, (byte*)&one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // The thread has ended already and closed it.
        }
        finally
        {
            if (held)
                wake.DangerousRelease();
        }
    }
}
