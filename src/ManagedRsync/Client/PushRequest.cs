using ManagedRsync.Daemon;
using ManagedRsync.Transports;

namespace ManagedRsync.Client;

/// <summary>
/// What to push where: the sources and options every <see cref="SendRequest"/> has, and the daemon to send them to.
/// A relative path that no longer exists is deleted on the daemon when <see cref="TransferOptions.DeleteMissingArgs"/>
/// is set; <see cref="SendRequest.Filters"/> are also sent to a deleting daemon.
/// </summary>
public sealed record PushRequest : SendRequest, IDaemonRequest
{
    /// <summary>The daemon, module and path inside it ("[user@]host::module/path" or rsync://...).</summary>
    public required DaemonAddress Destination { get; init; }

    DaemonAddress IDaemonRequest.Address => Destination;

    /// <summary>
    /// A remote shell to reach the daemon through, as <c>rsync -e COMMAND [USER@]HOST::MODULE</c> does: the shell runs
    /// <c>rsync --server --daemon .</c> (the shell's <see cref="RemoteShell.RsyncPath"/>) on its host, once, and the
    /// daemon protocol runs over its pipes. Null connects over TCP. Its host and user are the shell's login (the
    /// address's, normally); <see cref="Connection"/> then gives only the greeting's protocol and handshake timeout,
    /// and --port (the address's or <see cref="Port"/>) only $RSYNC_PORT for the shell.
    /// </summary>
    public RemoteShell? Shell { get; init; }

    /// <summary>--port, when the address names none.</summary>
    public int? Port { get; init; }

    /// <summary>The password, asked for only when the daemon wants one (--password-file / RSYNC_PASSWORD).</summary>
    public Func<string?>? Password { get; init; }

    /// <summary>--contimeout.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// How to reach the daemon, in full (--address, -4/-6, --contimeout, the handshake's --timeout, --protocol, the
    /// auth digests). When set, its host and port are used and <see cref="Port"/> and <see cref="ConnectTimeout"/> are
    /// not; its <see cref="DaemonConnectOptions.ServerLine"/> is replaced by the events' server lines.
    /// </summary>
    public DaemonConnectOptions? Connection { get; init; }

    /// <summary>
    /// The user to log in as when the daemon asks; null takes the address's <c>USER@</c>. (rsync's client then falls
    /// back to $USER and $LOGNAME: a command line sets this from them.)
    /// </summary>
    public string? User { get; init; }
}
