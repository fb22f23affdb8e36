using ManagedRsync.Daemon;
using ManagedRsync.Transports;

namespace ManagedRsync.Client;

/// <summary>
/// What to pull from where: <c>rsync [options] [user@]host::module/path DEST</c>. The path's trailing slash means what it
/// means to rsync ("dir/" restores the contents of dir, "dir" the directory itself).
/// </summary>
public sealed record PullRequest : ReceiveRequest, IDaemonRequest
{
    /// <summary>The daemon, module and path inside it.</summary>
    public required DaemonAddress Source { get; init; }

    DaemonAddress IDaemonRequest.Address => Source;

    /// <summary>Further sources in the same module (rsync's "host::mod/a ::mod/b" form), each as "module/path".</summary>
    public IReadOnlyList<string> ExtraSourcePaths { get; init; } = [];

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
