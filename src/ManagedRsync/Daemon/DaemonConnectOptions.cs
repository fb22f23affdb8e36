using System.Net.Sockets;

namespace ManagedRsync.Daemon;

/// <summary>How to reach a daemon and what to offer it in the greeting.</summary>
public sealed record DaemonConnectOptions
{
    /// <summary>rsync's registered port.</summary>
    public const int DefaultPort = 873;

    /// <summary>Highest protocol version ManagedRsync speaks (rsync 3.x, rsync.h PROTOCOL_VERSION).</summary>
    public const int MaxProtocolVersion = 32;

    /// <summary>Lowest protocol version ManagedRsync speaks.</summary>
    public const int MinProtocolVersion = 27;

    /// <summary>Host name or address (IPv6 without brackets).</summary>
    public required string Host { get; init; }

    /// <summary>TCP port; 873 by default.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Local address to bind before connecting (<c>--address</c>), or null.</summary>
    public string? BindAddress { get; init; }

    /// <summary>Restrict name resolution to IPv4 or IPv6 (<c>-4</c>/<c>-6</c>); Unspecified tries all.</summary>
    public AddressFamily AddressFamily { get; init; } = AddressFamily.Unspecified;

    /// <summary>
    /// -s/--secluded-args: after the module is opened only "--server", "--sender" and the option letters go in the clear,
    /// the rest as protected args (clientserver.c: start_inband_exchange, rsync.c: send_protected_args), so the daemon
    /// takes every word as it is, unescaped and unsplit.
    /// </summary>
    public bool SecludedArgs { get; init; }

    /// <summary>Give up connecting after this long (<c>--contimeout</c>, exit 35); null waits for the OS.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// --early-input=FILE: up to 5,120 bytes sent after the greeting and before the module name, which a daemon hands
    /// to the module's "early exec" program on its stdin (clientserver.c: start_inband_exchange). Read when the session
    /// asks for its module, through no symlink an untrusted user owns.
    /// </summary>
    public string? EarlyInputFile { get; init; }

    /// <summary>
    /// An HTTP proxy to tunnel through with CONNECT, as <c>RSYNC_PROXY</c> spells it: <c>[USER:PASS@]HOST:PORT</c>
    /// (rsync socket.c: open_socket_out). Null or empty: connect directly. The mrsync command line takes it from
    /// <c>$RSYNC_PROXY</c>.
    /// </summary>
    public string? Proxy { get; init; }

    /// <summary>
    /// A shell command that carries the connection instead of TCP, as <c>RSYNC_CONNECT_PROG</c> spells it: run by the
    /// shell with a socket as its stdin and stdout, <c>%H</c> replaced by the host (rsync socket.c:
    /// open_socket_out_wrapped). Null: TCP (or <see cref="Proxy"/>). The mrsync command line takes it from
    /// <c>$RSYNC_CONNECT_PROG</c>.
    /// </summary>
    public string? ConnectProgram { get; init; }

    /// <summary>
    /// --sockopts=OPTIONS: socket options set on each TCP socket to the daemon (or its proxy) before it connects (rsync
    /// socket.c: open_socket_out, set_socket_options); see <see cref="SocketOptions"/>. Not used with
    /// <see cref="ConnectProgram"/>.
    /// </summary>
    public string? SocketOptions { get; init; }

    /// <summary>
    /// Where the complaints about <see cref="SocketOptions"/> go, one line each in stock's words (stock prints them on
    /// stderr and carries on); the role is rsync's who_am_i() in them: "sender" on a push, else "Receiver".
    /// </summary>
    public Action<string>? SocketOptionProblem { get; init; }

    /// <summary>rsync's who_am_i() while it connects: "sender" when the client sends (a push), else "Receiver".</summary>
    public string Role { get; init; } = "Receiver";

    /// <summary>
    /// Longest wait for any line during the text handshake (greeting, MOTD, listing, auth). rsync without
    /// <c>--timeout</c> would wait forever on a silent server; we never do. <c>--timeout</c> sets it when given.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>How long the handshake waits for a line when no <c>--timeout</c> is given.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The options for <paramref name="address"/> with its port (else <paramref name="port"/>, else 873).</summary>
    internal static DaemonConnectOptions ForAddress(DaemonAddress address, int? port, TimeSpan? connectTimeout, int protocol) => new()
    {
        Host = address.Host,
        Port = address.EffectivePort(port),
        ConnectTimeout = connectTimeout,
        ProtocolVersion = protocol,
    };

    /// <summary>The protocol version we announce (<c>--protocol</c>); 27-32.</summary>
    public int ProtocolVersion { get; init; } = MaxProtocolVersion;

    /// <summary>
    /// Auth digests we accept, strongest first (default: sha512 sha256 sha1 md5 md4, as rsync 3.2+). Narrowing it
    /// forces a digest.
    /// </summary>
    public IReadOnlyList<AuthDigest> AuthDigests { get; init; } = AuthDigestNegotiation.DefaultPreference;

    /// <summary>
    /// Whether the greeting carries our digest list (rsync 3.2.0+ always sends it). Without it the daemon falls
    /// back to md5 (protocol 30+) or the legacy md4 form, as it would for rsync before 3.2.
    /// </summary>
    public bool SendDigestList { get; init; } = true;

    /// <summary>Receives each line the daemon prints that is not a protocol keyword (MOTD, module listing).</summary>
    public Action<string>? ServerLine { get; init; }

    internal void Validate()
    {
        // An empty host is a host the connection refuses as stock does (socket.c: getaddrinfo "Name or service not
        // known", or RSYNC_CONNECT_PROG's "unsafe host characters"); only a missing one is a usage error.
        if (Host is null)
        {
            throw new RsyncException(RsyncErrorKind.Usage, "no daemon host given");
        }
        // Past 65535 is not refused: rsync passes the number to getaddrinfo, which keeps its low 16 bits.
        if (Port < 0)
        {
            throw new RsyncException(RsyncErrorKind.Usage, $"invalid port {Port}");
        }
        if (ProtocolVersion is < MinProtocolVersion or > MaxProtocolVersion)
        {
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"--protocol={ProtocolVersion} is not supported: mrsync speaks protocols {MinProtocolVersion}-{MaxProtocolVersion}");
        }
        if (AuthDigests.Count == 0)
        {
            throw new RsyncException(RsyncErrorKind.Usage, "no auth digest allowed");
        }
    }
}
