namespace ManagedRsync.Transports;

/// <summary>
/// The local transport: two bounded in-memory pipes joined into a duplex stream for each end, the client's and the
/// server's, in one process (stock's local copy joins its client to a forked server with two pipes, pipe.c:
/// local_child; nothing is spawned here).
/// </summary>
internal static class LocalPipe
{
    /// <summary>Bytes each direction holds before its writer waits (a kernel pipe holds 64 KiB; more spares switches).</summary>
    public const int Capacity = 1 << 20;

    public static (Stream Client, Stream Server) Create(int capacity = Capacity)
    {
        var toServer = new BoundedBytePipe(capacity);
        var toClient = new BoundedBytePipe(capacity);
        return (new End(toClient, toServer), new End(toServer, toClient));
    }

    /// <summary>One end: reads what the other end writes, writes what the other end reads.</summary>
    private sealed class End(BoundedBytePipe incoming, BoundedBytePipe outgoing) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            incoming.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            incoming.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => incoming.Read(buffer);

        public override void Write(byte[] buffer, int offset, int count) => outgoing.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => outgoing.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            outgoing.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                outgoing.CompleteWriting();
                incoming.CompleteReading();
            }
            base.Dispose(disposing);
        }
    }
}
