namespace ManagedRsync.Transports;

/// <summary>
/// A one-way, bounded, in-memory byte pipe: what a kernel pipe is to rsync's local copy (pipe.c: local_child's
/// fd_pair), with the same back-pressure. The writer blocks while the pipe is full (the connection's writes are
/// synchronous, as on a socket); the reader awaits while it is empty. Closing the writing end makes the reader see the
/// end of the stream; closing the reading end makes the writer fail, as EPIPE would.
/// </summary>
internal sealed class BoundedBytePipe(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _writerDone;
    private bool _readerDone;
    private TaskCompletionSource? _readable;

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            TaskCompletionSource? wake;
            lock (_gate)
            {
                while (_count == _ring.Length && !_readerDone)
                    Monitor.Wait(_gate);
                if (_readerDone)
                    throw new IOException("the other end of the local pipe is closed");
                int tail = (_head + _count) % _ring.Length;
                int n = Math.Min(data.Length, Math.Min(_ring.Length - _count, _ring.Length - tail));
                data[..n].CopyTo(_ring.AsSpan(tail, n));
                data = data[n..];
                _count += n;
                wake = _readable;
                _readable = null;
                Monitor.PulseAll(_gate); // a synchronous reader waits on the gate, an asynchronous one on _readable
            }
            wake?.TrySetResult();
        }
    }

    /// <summary>Reads what is there, blocking while the pipe is empty; 0 at the end of the stream.</summary>
    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        lock (_gate)
        {
            while (_count == 0 && !_writerDone)
                Monitor.Wait(_gate);
            return TakeLocked(buffer);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            Task ready;
            lock (_gate)
            {
                if (_count > 0)
                    return TakeLocked(buffer.Span);
                if (_writerDone)
                    return 0;
                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                ready = _readable.Task;
            }
            await ready.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    // Under _gate, with _count > 0 (or at the end of the stream): copies out what is contiguous and wakes a waiting writer.
    private int TakeLocked(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, Math.Min(_count, _ring.Length - _head));
        _ring.AsSpan(_head, n).CopyTo(buffer);
        _head = (_head + n) % _ring.Length;
        _count -= n;
        Monitor.PulseAll(_gate);
        return n;
    }

    /// <summary>The writing end is closed: the reader gets the rest, then the end of the stream.</summary>
    public void CompleteWriting()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _writerDone = true;
            wake = _readable;
            _readable = null;
            Monitor.PulseAll(_gate);
        }
        wake?.TrySetResult();
    }

    /// <summary>The reading end is closed: a blocked or later write fails.</summary>
    public void CompleteReading()
    {
        lock (_gate)
        {
            _readerDone = true;
            Monitor.PulseAll(_gate);
        }
    }
}
