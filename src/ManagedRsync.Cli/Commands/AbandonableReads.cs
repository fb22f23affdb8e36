namespace ManagedRsync.Cli.Commands;

/// <summary>
/// Standard input whose asynchronous reads can be given up: a read of stdin blocks in the kernel and cannot be
/// cancelled, and the connection's reader waits for its last read when the session ends, while the client waits for
/// this process to exit before it closes its end (main.c: client_run, wait_process_with_flush). A cancelled read is
/// left to finish into a buffer of its own, and what it brings is dropped with the session.
/// <paramref name="aroundRead"/> runs before and after each read of <paramref name="inner"/> (a daemon's connection sets
/// TCP_QUICKACK there, as Daemon/QuickAckNetworkStream.cs does).
/// </summary>
internal sealed class AbandonableReads(Stream inner, Action? aroundRead = null) : Stream
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Task<int>? _pending;
    private int _start, _end;

    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        aroundRead?.Invoke();
        int n = inner.Read(buffer, offset, count);
        aroundRead?.Invoke();
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            // A read given up earlier may have been for more than this caller wants: what it brings is kept.
            int wanted = Math.Min(buffer.Length, _buffer.Length);
            _pending ??= Task.Factory.StartNew(() => Read(_buffer, 0, wanted), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            int read = await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pending = null;
            (_start, _end) = (0, read);
            if (read == 0)
                return 0;
        }
        int n = Math.Min(_end - _start, buffer.Length);
        _buffer.AsSpan(_start, n).CopyTo(buffer.Span);
        _start += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
