namespace ManagedRsync.IO;

/// <summary>
/// One duplex stream over a separate input and output, as rsync's f_in/f_out pair (a remote shell's stdout and stdin,
/// an inetd daemon's socket given twice): reads come from the one, writes go to the other. They are closed with it
/// only when <paramref name="ownsStreams"/> says so (a remote shell's pipes are ours; a server's stdio is not).
/// </summary>
internal sealed class DuplexStream(Stream input, Stream output, bool ownsStreams = false) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => input.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        input.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        input.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        output.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        output.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Flush() => output.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsStreams)
        {
            // Output first: the far side sees end of input even if closing our read end fails.
            try
            {
                output.Dispose();
            }
            catch (IOException)
            {
                // The peer already went away (EPIPE on the last flush): nothing left to tell it.
            }
            input.Dispose();
        }
        base.Dispose(disposing);
    }
}
