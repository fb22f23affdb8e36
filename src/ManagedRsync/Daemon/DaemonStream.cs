using System.Text;
using ManagedRsync.Protocol;

namespace ManagedRsync.Daemon;

/// <summary>
/// The daemon connection: a read buffer over the socket stream that serves the line-based handshake and then
/// hands whatever bytes it already holds to the binary protocol reading <see cref="Stream"/> APIs. Writes go
/// straight through.
/// </summary>
internal sealed class DaemonStream : Stream, IPollableInput
{
    /// <summary>
    /// Longest handshake line accepted: rsync reads them into BIGPATHBUFLEN (4096 + 1024) bytes
    /// (rsync io.c: read_line_old, clientserver.c: start_inband_exchange).
    /// </summary>
    public const int MaxLineLength = 5120;

    private readonly Stream _inner;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public DaemonStream(Stream inner) => _inner = inner;

    /// <summary>Bytes read by <see cref="ReadLineAsync"/> so far, for bounding a chatty handshake.</summary>
    public long LineBytesRead { get; private set; }

    /// <summary>
    /// Reads one line, without its newline; carriage returns are dropped as rsync does. Returns null at end of
    /// stream before any byte of a line.
    /// </summary>
    /// <exception cref="RsyncException">A NUL byte or a line over <see cref="MaxLineLength"/>: protocol violation.</exception>
    public async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new List<byte>(80);
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _inner.ReadAsync(_buffer, ct).ConfigureAwait(false);
                if (_end == 0)
                {
                    return line.Count == 0 ? null : throw RsyncException.Protocol(
                        "the daemon closed the connection in the middle of a line: " + Decode(line));
                }
            }
            while (_start < _end)
            {
                byte b = _buffer[_start++];
                LineBytesRead++;
                if (b == (byte)'\n')
                {
                    return Decode(line);
                }
                if (b == 0)
                {
                    throw RsyncException.Protocol("the daemon sent a NUL byte inside a text line: " + Decode(line));
                }
                if (b != (byte)'\r')
                {
                    if (line.Count >= MaxLineLength)
                    {
                        throw RsyncException.Protocol(
                            $"the daemon sent a line longer than {MaxLineLength} bytes, starting: {Decode(line[..80])}");
                    }
                    line.Add(b);
                }
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> (UTF-8) and flushes. A daemon that hung up makes this a "write error" (exit 10),
    /// as every other write of the session (a daemon that closed right after its greeting ended mrsync with an
    /// unhandled IOException and a stack trace).
    /// </summary>
    public ValueTask WriteTextAsync(string text, CancellationToken ct) => WriteBytesAsync(Encoding.UTF8.GetBytes(text), ct);

    /// <summary>Writes <paramref name="bytes"/> and flushes, a daemon that hung up failing as <see cref="WriteTextAsync"/> does.</summary>
    public async ValueTask WriteBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await _inner.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _inner.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw MultiplexWriter.WriteError(e);
        }
    }

    /// <summary>
    /// The next byte through the buffer, or -1 at the end of the stream: a daemon's side reads the client's lines with
    /// it (NUL-terminated ones too), a byte at a time without a system call for each.
    /// </summary>
    public async ValueTask<int> ReadBufferedByteAsync(CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await _inner.ReadAsync(_buffer, ct).ConfigureAwait(false);
            if (_end == 0)
                return -1;
        }
        return _buffer[_start++];
    }

    private static string Decode(List<byte> bytes) =>
        Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// True when the peer has sent nothing that is not read yet, and not closed its side: a connection parked between
    /// two phases (a daemon waiting for the server arguments) is still waiting.
    /// </summary>
    public bool IsQuiet => _start == _end && (_inner is not QuickAckNetworkStream net || !net.HasInput);

    /// <summary>The socket under the stream (a daemon's TCP connection, a connect program's socket pair); null over a remote shell's pipes.</summary>
    public System.Net.Sockets.Socket? InputSocket => (_inner as System.Net.Sockets.NetworkStream)?.Socket;

    public bool HoldsInput => _start < _end;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_start < _end)
        {
            return TakeBuffered(buffer);
        }
        return _inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            return ValueTask.FromResult(TakeBuffered(buffer.Span));
        }
        return _inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int TakeBuffered(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }
}
