using System.Text;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The text phase of a daemon connection, the server's side (io.c: read_line_old, io_printf): lines end in '\n' (or NUL
/// for the arguments from protocol 30, rl_nulls), a '\r' is dropped, and a line longer than BIGPATHBUFLEN (5120 bytes)
/// ends the connection. Bytes are read one at a time, so nothing past the last line is taken from the stream: the
/// binary protocol that follows the arguments stays there for the server.
/// </summary>
internal sealed class DaemonLineIo(Stream stream)
{
    /// <summary>rsync rsync.h: BIGPATHBUFLEN on Linux.</summary>
    public const int MaxLine = 4096 + 1024;

    private readonly byte[] _one = new byte[1];

    public Stream Stream => stream;

    public async Task WriteAsync(string text, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public Task WriteAsync(byte[] bytes, CancellationToken ct) => stream.WriteAsync(bytes, ct).AsTask();

    /// <summary>One line without its end, or null at the end of the stream; too long a line throws.</summary>
    public async Task<string?> ReadLineAsync(bool nulTerminated, CancellationToken ct)
    {
        var line = new List<byte>();
        while (true)
        {
            if (await stream.ReadAsync(_one, ct).ConfigureAwait(false) == 0)
                return line.Count == 0 ? null : throw new EndOfStreamException("the client closed the connection inside a line");
            byte b = _one[0];
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

    /// <summary>Exactly <paramref name="count"/> bytes (#early_input's data).</summary>
    public async Task ReadExactlyAsync(int count, CancellationToken ct)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
    }
}
