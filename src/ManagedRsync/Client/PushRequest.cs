using ManagedRsync.Daemon;

namespace ManagedRsync.Client;

/// <summary>
/// What to push where: the sources and options every <see cref="SendRequest"/> has, and the daemon to send them to.
/// A relative path that no longer exists is deleted on the daemon when <see cref="TransferOptions.DeleteMissingArgs"/>
/// is set; <see cref="SendRequest.Filters"/> are also sent to a deleting daemon.
/// </summary>
public sealed record PushRequest : SendRequest
{

    /// <summary>The daemon, module and path inside it ("[user@]host::module/path" or rsync://...).</summary>
    public required DaemonAddress Destination { get; init; }

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
