namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// A write-only stream that keeps what System.IO.Compression's DeflateStream emits, so that the encoder can frame it
/// (or throw it away, for history-only input) instead of letting it reach the wire unframed.
/// </summary>
internal sealed class CaptureStream : Stream
{
    private byte[] _buffer = new byte[TokenFraming.ChunkSize];
    private int _length;

    public ReadOnlySpan<byte> Captured => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_buffer.Length - _length < buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_length + buffer.Length, _buffer.Length * 2));
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
