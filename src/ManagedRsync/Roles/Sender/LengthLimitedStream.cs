namespace ManagedRsync.Roles.Sender;

/// <summary>
/// A read-only view of the first <c>length</c> bytes of a stream: the sender sends what a file held when it was opened
/// (sender.c: send_files maps st_size bytes, match.c reads no further), not what a reader would find until EOF.
/// </summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : Stream
{
    private long _left = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0)
            return 0;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
