namespace ManagedRsync.Protocol;

/// <summary>A write-side stream that paces what goes through it with a <see cref="BandwidthPacer"/>.</summary>
internal sealed class PacedStream(Stream inner, BandwidthPacer pacer) : Stream
{
    /// <summary><paramref name="inner"/> itself when <paramref name="kibPerSecond"/> is 0 (no limit), else paced.</summary>
    public static Stream Wrap(Stream inner, int kibPerSecond) =>
        kibPerSecond > 0 ? new PacedStream(inner, new BandwidthPacer(kibPerSecond)) : inner;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, pacer.WriteMax);
            inner.Write(buffer[..n]);
            pacer.Wrote(n);
            buffer = buffer[n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
