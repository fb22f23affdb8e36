namespace ManagedRsync.IO;

/// <summary>
/// The members every one-directional, unseekable stream of the library answers the same way (no length, no position,
/// no seeking), so that each of them states only its direction and its Read or Write.
/// </summary>
internal abstract class ForwardOnlyStream : Stream
{
    public sealed override bool CanSeek => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>A forward-only stream that is only read, through <see cref="Stream.Read(Span{byte})"/>.</summary>
internal abstract class ReadOnlyForwardStream : ForwardOnlyStream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanWrite => false;

    public abstract override int Read(Span<byte> buffer);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }
}

/// <summary>A forward-only stream that is only written, through <see cref="Stream.Write(ReadOnlySpan{byte})"/>.</summary>
internal abstract class WriteOnlyForwardStream : ForwardOnlyStream
{
    public sealed override bool CanRead => false;
    public sealed override bool CanWrite => true;

    public abstract override void Write(ReadOnlySpan<byte> buffer);

    public sealed override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
