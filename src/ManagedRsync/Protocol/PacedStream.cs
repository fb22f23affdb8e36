using ManagedRsync.IO;

namespace ManagedRsync.Protocol;

/// <summary>A write-side stream that paces what goes through it with a <see cref="BandwidthPacer"/>.</summary>
internal sealed class PacedStream(Stream inner, BandwidthPacer pacer) : WriteOnlyForwardStream
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

    public override void Flush() => inner.Flush();
}
