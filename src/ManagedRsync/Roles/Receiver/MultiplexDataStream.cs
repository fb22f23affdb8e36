using ManagedRsync.IO;
using ManagedRsync.Protocol;


namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The demultiplexed data of the session as a read-only <see cref="Stream"/>, for the token decoders, which read
/// synchronously. A read that finds the buffer empty blocks the receiver's thread until the pump delivers more; the
/// pump drains the socket on its own, so this cannot deadlock against the generator's writes.
/// </summary>
internal sealed class MultiplexDataStream(MultiplexReader input, CancellationToken ct) : ReadOnlyForwardStream
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

    // The compressed token decoders read flag bytes one at a time; Stream's default would allocate for each.
    public override int ReadByte()
    {
        if (input.Buffered.IsEmpty)
            input.EnsureAsync(1, ct).AsTask().GetAwaiter().GetResult();
        byte value = input.Buffered[0];
        input.Advance(1);
        return value;
    }
}
