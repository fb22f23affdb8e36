using System.Net;
using System.Net.Sockets;
using ManagedRsync.IO;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

/// <summary>
/// A connection to an rsync daemon, client side. <see cref="ConnectAsync"/> opens it and exchanges greetings;
/// then either <see cref="ListModulesAsync"/> (the connection is finished afterwards) or
/// <see cref="StartModuleAsync(string, string?, string?, IReadOnlyList{string}, CancellationToken)"/>, after which
/// <see cref="Stream"/> carries the binary protocol of <see cref="ProtocolVersion"/>.
/// </summary>
/// <remarks>
/// Wire order (rsync clientserver.c: start_inband_exchange, exchange_protocols; see protocol-notes.md section 2):
/// both sides send <c>@RSYNCD: VER.SUB DIGESTS\n</c>; the daemon may follow with MOTD lines; the client sends the
/// module name and <c>\n</c> (empty for a listing); the daemon answers with listing lines and
/// <c>@RSYNCD: EXIT</c>, or <c>@RSYNCD: AUTHREQD CHALLENGE</c> (answered <c>USER RESPONSE\n</c>), then
/// <c>@RSYNCD: OK</c> or an <c>@ERROR: ...</c> line; after OK the client sends its server arguments.
/// </remarks>
public sealed partial class DaemonSession : IAsyncDisposable
{
    private readonly DaemonStream _stream;
    private readonly DaemonConnectOptions _options;
    private bool _moduleRequested;

    private DaemonSession(DaemonStream stream, DaemonConnectOptions options)
    {
        _stream = stream;
        _options = options;
    }

    /// <summary>
    /// The connection, for the binary protocol after <see cref="StartModuleAsync(string, string?, string?, IReadOnlyList{string}, CancellationToken)"/>.
    /// Reads first return any bytes the handshake already buffered; writes are not buffered.
    /// </summary>
    public Stream Stream => _stream;

    /// <summary>The protocol version both sides speak from now on (negotiated from both greetings).</summary>
    public int ProtocolVersion { get; private set; }

    /// <summary>The version in the daemon's greeting.</summary>
    public int RemoteProtocolVersion { get; private set; }

    /// <summary>The subprotocol in the daemon's greeting (0 when omitted).</summary>
    public int RemoteSubProtocol { get; private set; }

    /// <summary>The daemon's auth digest list as sent, or null (daemons before rsync 3.2).</summary>
    public string? RemoteDigestList { get; private set; }

    /// <summary>The digest used to answer the daemon's challenge, once one was answered.</summary>
    public AuthDigest? NegotiatedAuthDigest { get; private set; }

    /// <summary>Opens a TCP connection to the daemon and exchanges greetings.</summary>
    /// <exception cref="RsyncException">
    /// Connection failure (exit 10), connect timeout (exit 35), a server that is not an rsync daemon (exit 5),
    /// an unsupported protocol (exit 2).
    /// </exception>
    public static async Task<DaemonSession> ConnectAsync(DaemonConnectOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var stream = new DaemonStream(await DaemonConnector.OpenAsync(options, ct).ConfigureAwait(false));
        try
        {
            return await StartAsync(stream, options, ct).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs the greeting exchange over an already connected stream (tests drive a scripted peer this way).</summary>
    internal static async Task<DaemonSession> StartAsync(DaemonStream stream, DaemonConnectOptions options, CancellationToken ct)
    {
        var session = new DaemonSession(stream, options);
        await session.ExchangeGreetingsAsync(ct).ConfigureAwait(false);
        return session;
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}

/// <summary>
/// The connection to a daemon the way rsync socket.c: open_socket_out_wrapped makes it: through RSYNC_CONNECT_PROG's
/// program, or TCP (open_socket_out), directly or through RSYNC_PROXY's HTTP proxy.
/// </summary>
internal static class DaemonConnector
{
    public static async Task<Stream> OpenAsync(DaemonConnectOptions options, CancellationToken ct)
    {
        if (options.ConnectProgram is { } program)
            return ConnectProgram.Start(ConnectProgram.Command(program, options.Host));
        return new QuickAckNetworkStream(await ConnectAsync(options, ct).ConfigureAwait(false));
    }

    public static async Task<Socket> ConnectAsync(DaemonConnectOptions options, CancellationToken ct)
    {
        HttpConnectProxy? proxy = HttpConnectProxy.Parse(options.Proxy);
        // With a proxy, its host is resolved and connected, and failures name it; the daemon's host is only sent.
        string host = proxy?.Host ?? options.Host;
        string portText = proxy?.Port ?? options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // rsync socket.c: open_socket_out hands the port to getaddrinfo as text; the kernel keeps its low 16 bits.
        int port = proxy?.PortNumber() ?? options.Port & 0xFFFF;
        var addresses = await ResolveAsync(host, $"getaddrinfo: {host} {portText}", options.AddressFamily, ct).ConfigureAwait(false);
        // rsync socket.c: try_bind_local: "getaddrinfo ADDR: reason", without the port.
        IPAddress? bind = options.BindAddress is null
            ? null
            : (await ResolveAsync(options.BindAddress, $"getaddrinfo {options.BindAddress}", options.AddressFamily, ct).ConfigureAwait(false))[0];

        var failures = new List<string>();
        foreach (var address in addresses)
        {
            if (bind != null && bind.AddressFamily != address.AddressFamily)
            {
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (bind != null)
                {
                    socket.Bind(new IPEndPoint(bind, 0));
                }
                // rsync socket.c: open_socket_out sets them on each socket it tries, after binding, before connecting.
                SocketOptions.Apply(socket, options.SocketOptions, options.Role, options.SocketOptionProblem ?? (_ => { }));
                // rsync socket.c: open_socket_out: the --contimeout alarm ends the whole attempt with RERR_CONTIMEOUT.
                await TimeLimit.RunAsync(options.ConnectTimeout, ct, t => socket.ConnectAsync(new IPEndPoint(address, port), t).AsTask(),
                    () => new RsyncException(RsyncErrorKind.ConnectTimeout,
                        $"failed to connect to {host} ({address}): Connection timed out (110)")).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failures.Add($"failed to connect to {host} ({address}): {SystemError.Describe(e)}");
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            if (proxy is null)
                return socket;
            try
            {
                // A proxy that refuses or misbehaves costs this address only (socket.c: the loop goes on to the next).
                await proxy.EstablishAsync(socket, options.Host, options.Port, options.HandshakeTimeout, ct).ConfigureAwait(false);
                return socket;
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.Connection)
            {
                socket.Dispose();
                failures.Add(e.Message);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (failures.Count == 0)
        {
            failures.Add($"failed to connect to {options.Host}: no address of the same family as --address {options.BindAddress}");
        }
        throw new RsyncException(RsyncErrorKind.Connection, string.Join("\n", failures));
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, string what, AddressFamily family, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            // rsync socket.c: open_socket_out asks getaddrinfo for -4/-6's family, which refuses a literal of the other.
            if (family != AddressFamily.Unspecified && literal.AddressFamily != family)
            {
                throw new RsyncException(RsyncErrorKind.Connection, $"{what}: Address family for hostname not supported");
            }
            return [literal];
        }
        // getaddrinfo refuses an empty name (EAI_NONAME); .NET would answer the local host's own addresses instead.
        if (host.Length == 0)
            throw new RsyncException(RsyncErrorKind.Connection, $"{what}: Name or service not known");
        try
        {
            var found = await Dns.GetHostAddressesAsync(host, family, ct).ConfigureAwait(false);
            if (found.Length > 0)
            {
                return found;
            }
        }
        catch (SocketException e)
        {
            throw new RsyncException(RsyncErrorKind.Connection, $"{what}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // .NET refuses a name over 255 characters (or otherwise not a host name) before asking the resolver;
            // getaddrinfo answers EAI_NONAME for those, and so do we (rsync testsuite: proxy-connect-request-too-long).
            throw new RsyncException(RsyncErrorKind.Connection, $"{what}: Name or service not known", e);
        }
        throw new RsyncException(RsyncErrorKind.Connection, $"{what}: no address");
    }
}
