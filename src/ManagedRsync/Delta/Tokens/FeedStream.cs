using ManagedRsync.IO;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The input side of the zlib decoder's DeflateStream: bytes are appended as they arrive from the wire (compressed
/// chunks, the sync-flush marker, fabricated stored blocks) and read back by the inflater. An empty feed reads as 0
/// bytes, which DeflateStream takes as "no more input for now" and resumes from on the next read.
/// </summary>
internal sealed class FeedStream : ReadOnlyForwardStream
{
    private byte[] _buffer = new byte[TokenFraming.MaxDataCount];
    private int _start;
    private int _end;

    public int Remaining => _end - _start;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_start == _end)
            _start = _end = 0;
        if (_buffer.Length - _end < data.Length)
        {
            var live = _end - _start;
            var target = _buffer.Length >= live + data.Length ? _buffer : new byte[live + data.Length];
            _buffer.AsSpan(_start, live).CopyTo(target);
            _buffer = target;
            _start = 0;
            _end = live;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    public void Clear() => _start = _end = 0;

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }
}
