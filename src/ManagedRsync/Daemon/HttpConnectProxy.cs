using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.IO;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

/// <summary>
/// <c>RSYNC_PROXY=[USER:PASS@]HOST:PORT</c>: the daemon is reached through an HTTP proxy's CONNECT method (rsync
/// socket.c: open_socket_out's proxy branch, establish_proxy_connection). The proxy's host is resolved and connected
/// instead of the daemon's; the daemon's host goes unresolved into the request line.
/// </summary>
internal sealed record HttpConnectProxy(string Host, string Port, string? User, string? Password)
{
    // socket.c: PROXY_BUF_SIZE — the request, the credentials and every response line must fit in it.
    private const int BufferSize = 1024;

    /// <summary>The proxy named by <paramref name="spec"/>, or null when it is unset or empty (no proxy).</summary>
    /// <exception cref="RsyncException">A malformed specification, with stock's message (exit 10).</exception>
    public static HttpConnectProxy? Parse(string? spec)
    {
        if (string.IsNullOrEmpty(spec))
            return null;
        // strlcpy into a 1024-byte buffer: a longer value is cut.
        if (spec.Length > BufferSize - 1)
            spec = spec[..(BufferSize - 1)];
        string? user = null, password = null;
        string hostPort = spec;
        int at = spec.LastIndexOf('@');
        if (at >= 0)
        {
            string credentials = spec[..at];
            hostPort = spec[(at + 1)..];
            int colon = credentials.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                throw new RsyncException(RsyncErrorKind.Connection, "invalid proxy specification: should be USER:PASS@HOST:PORT");
            user = credentials[..colon];
            password = credentials[(colon + 1)..];
        }
        int portAt = hostPort.IndexOf(':', StringComparison.Ordinal);
        if (portAt < 0)
            throw new RsyncException(RsyncErrorKind.Connection, "invalid proxy specification: should be HOST:PORT");
        // The port text is copied into a 10-byte buffer (strlcpy: at most 9 characters).
        string port = hostPort[(portAt + 1)..];
        return new HttpConnectProxy(hostPort[..portAt], port.Length > 9 ? port[..9] : port, user, password);
    }

    /// <summary>
    /// The proxy's port as getaddrinfo reads the service text: a number (its low 16 bits, as the kernel keeps them), or
    /// a TCP service named in /etc/services.
    /// </summary>
    public int PortNumber()
    {
        if (int.TryParse(Port, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            return number & 0xFFFF;
        if (Port.Length > 0 && ServicePort(Port) is int named)
            return named;
        throw new RsyncException(RsyncErrorKind.Connection, $"getaddrinfo: {Host} {Port}: Servname not supported for ai_socktype");
    }

    /// <summary>
    /// Asks the proxy on <paramref name="socket"/> for a tunnel to <paramref name="host"/>:<paramref name="port"/> and
    /// reads its answer up to the blank line; a byte at a time, so nothing of the daemon's greeting is taken.
    /// </summary>
    /// <exception cref="RsyncException">The proxy refused or misbehaved: stock's message (the caller tries the next address).</exception>
    public async Task EstablishAsync(Socket socket, string host, int port, TimeSpan limit, CancellationToken ct)
    {
        // Control bytes in the host would let it smuggle header lines into the request.
        if (host.Any(c => c < 0x20 || c == 0x7f))
            throw Failure("invalid control character in proxy CONNECT host");
        string authorization = "";
        if (User is not null && Password is not null)
        {
            byte[] credentials = Encoding.UTF8.GetBytes(User + ":" + Password);
            if ((credentials.Length * 8 + 5) / 6 >= BufferSize - 3)
                throw Failure("authentication information is too long");
            authorization = "\r\nProxy-Authorization: Basic " + Convert.ToBase64String(credentials);
        }
        byte[] request = Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"CONNECT {host}:{port} HTTP/1.0{authorization}\r\n\r\n"));
        if (request.Length >= BufferSize)
            throw Failure("proxy CONNECT request too long");

        await TimeLimit.RunAsync(limit, ct, async t =>
        {
            try
            {
                await socket.SendAsync(request, SocketFlags.None, t).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw Failure($"failed to write to proxy: {SystemError.Describe(e)}");
            }
            string status = await ReadLineAsync(socket, "proxy response line too long", t).ConfigureAwait(false);
            // "HTTP/" then the version's digits and dots, spaces, and a 2xx status.
            if (!status.StartsWith("HTTP/", StringComparison.Ordinal) || !IsSuccess(status))
                throw Failure("bad response from proxy -- " + status);
            while ((await ReadLineAsync(socket, "proxy response header line too long", t).ConfigureAwait(false)).Length > 0)
            {
                // The rest of the header is thrown away.
            }
        }, () => Failure("failed to read from proxy: Connection timed out (110)")).ConfigureAwait(false);
    }

    private static bool IsSuccess(string status)
    {
        int i = 5;
        while (i < status.Length && (char.IsAsciiDigit(status[i]) || status[i] == '.'))
            i++;
        while (i < status.Length && status[i] == ' ')
            i++;
        return i < status.Length && status[i] == '2';
    }

    // One response line without its "\n" (and a "\r" before it); at most BufferSize - 2 bytes before the "\n".
    private static async Task<string> ReadLineAsync(Socket socket, string tooLong, CancellationToken ct)
    {
        byte[] line = new byte[BufferSize];
        byte[] one = new byte[1];
        for (int length = 0; length < BufferSize - 1; length++)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(one, SocketFlags.None, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw Failure($"failed to read from proxy: {SystemError.Describe(e)}");
            }
            if (read == 0)
                throw Failure("failed to read from proxy: the proxy closed the connection");
            if (one[0] == (byte)'\n')
            {
                int end = length > 0 && line[length - 1] == (byte)'\r' ? length - 1 : length;
                return Encoding.UTF8.GetString(line, 0, end);
            }
            line[length] = one[0];
        }
        throw Failure(tooLong);
    }

    private static RsyncException Failure(string message) => new(RsyncErrorKind.Connection, message);

    // getservbyname(NAME, "tcp") as getaddrinfo's service lookup does it: /etc/services, "name port/proto aliases".
    private static int? ServicePort(string name)
    {
        try
        {
            foreach (string raw in File.ReadLines("/etc/services"))
            {
                string line = raw.Split('#', 2)[0];
                string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 2 || !words[1].EndsWith("/tcp", StringComparison.Ordinal))
                    continue;
                if (words[0] == name || words.Skip(2).Contains(name))
                    return int.TryParse(words[1].AsSpan(0, words[1].Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
