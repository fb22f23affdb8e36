using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// The demultiplexed data of the session as a read-only <see cref="Stream"/>, for the token decoders, which read
/// synchronously. A read that finds the buffer empty blocks the receiver's thread until the pump delivers more; the
/// pump drains the socket on its own, so this cannot deadlock against the generator's writes.
/// </summary>
internal sealed class MultiplexDataStream(MultiplexReader input, CancellationToken ct) : Stream
{
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        if (input.Buffered.IsEmpty)
            input.EnsureAsync(1, ct).AsTask().GetAwaiter().GetResult();
        int n = Math.Min(buffer.Length, input.Buffered.Length);
        input.Buffered[..n].CopyTo(buffer);
        input.Advance(n);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
