using System.Net.Sockets;
using System.Text;
using ManagedRsync.Platform;
using ManagedRsync.Daemon;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The text phase of a daemon connection, the server's side (io.c: read_line_old, io_printf): lines end in '\n' (or NUL
/// for the arguments from protocol 30, rl_nulls), a '\r' is dropped, and a line longer than BIGPATHBUFLEN (5120 bytes)
/// ends the connection. The lines are read through a buffer (<see cref="DaemonStream"/>: a flood of arguments a byte
/// per system call took half a minute on a loaded machine), which <see cref="Stream"/> reads first, so what follows
/// the arguments (the binary protocol) reaches the server whole.
/// </summary>
internal sealed class DaemonLineIo(Stream inner)
{
    private readonly DaemonStream _stream = new(inner);

    /// <summary>rsync rsync.h: BIGPATHBUFLEN on Linux.</summary>
    public const int MaxLine = 4096 + 1024;

    public Stream Stream => _stream;

    public Task WriteAsync(string text, CancellationToken ct) => WriteAsync(Encoding.UTF8.GetBytes(text), ct);

    public async Task WriteAsync(byte[] bytes, CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException && SystemError.Errno(e) is not null)
        {
            throw DaemonSocketFailure.Write(bytes.Length, e);
        }
    }

    /// <summary>One line without its end, or null at the end of the stream; too long a line throws.</summary>
    public async Task<string?> ReadLineAsync(bool nulTerminated, CancellationToken ct)
    {
        var line = new List<byte>();
        while (true)
        {
            int next = await ReadByteAsync(ct).ConfigureAwait(false);
            // io.c: read_line_old — the end of the stream, inside a line or not, ends the connection without a word.
            if (next < 0)
                return null;
            byte b = (byte)next;
            if (b == (nulTerminated ? (byte)0 : (byte)'\n'))
                return Encoding.UTF8.GetString(line.ToArray());
            if (b == '\r')
                continue;
            if (!nulTerminated && b == 0)
                throw new InvalidDataException("a NUL byte in a daemon text line");
            if (line.Count >= MaxLine)
                throw new InvalidDataException($"a daemon text line longer than {MaxLine} bytes");
            line.Add(b);
        }
    }

    private async ValueTask<int> ReadByteAsync(CancellationToken ct)
    {
        try
        {
            return await _stream.ReadBufferedByteAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException && SystemError.Errno(e) is not null)
        {
            throw DaemonSocketFailure.Read(1, e);
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes (#early_input's data).</summary>
    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        byte[] buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return buffer;
    }

    /// <summary>Fills <paramref name="buffer"/> (a PROXY protocol header's parts); the end of the stream throws.</summary>
    public Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct) => _stream.ReadExactlyAsync(buffer, ct).AsTask();
}
