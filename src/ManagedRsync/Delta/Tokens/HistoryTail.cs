namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The last 32 KiB of matched data not yet fed into a zlib history. Feeding is deferred until the next compressed data
/// (deflate's window only ever holds the last 32 KiB, so feeding just these bytes, once, leaves the same window as
/// feeding every block as it matched); at the end of a file nothing needs feeding, since the stream is reset.
/// </summary>
internal sealed class HistoryTail
{
    private readonly byte[] _bytes = new byte[TokenFraming.DeflateWindow];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _bytes.Length)
        {
            data[^_bytes.Length..].CopyTo(_bytes);
            Length = _bytes.Length;
            return;
        }
        var keep = Math.Min(Length, _bytes.Length - data.Length);
        if (keep < Length)
            _bytes.AsSpan(Length - keep, keep).CopyTo(_bytes);
        data.CopyTo(_bytes.AsSpan(keep));
        Length = keep + data.Length;
    }
}
