using ManagedRsync.Daemon;
using ManagedRsync.Filters;

namespace ManagedRsync.Transfer;

/// <summary>
/// What to push where. Either <see cref="Sources"/> (rsync command-line source arguments: "dir/" sends the
/// contents, "dir" the directory itself) or <see cref="SourceRoot"/> with <see cref="RelativePaths"/> (rsync
/// --files-from semantics: each path under the root is sent with its parent directories, as -R does; a path that no
/// longer exists is deleted on the daemon when <see cref="TransferOptions.DeleteMissingArgs"/> is set).
/// </summary>
public sealed record PushRequest
{
    /// <summary>rsync source arguments.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The directory <see cref="RelativePaths"/> are relative to.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>Paths under <see cref="SourceRoot"/>, sent over one connection (the watcher's batch).</summary>
    public IReadOnlyList<string>? RelativePaths { get; init; }

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

    /// <summary>The rsync options of the push (-a by default).</summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>--exclude/--include/--filter rules: applied to the scan, and sent to a deleting daemon.</summary>
    public FilterList? Filters { get; init; }

    /// <summary>An extra verdict for a transfer-relative path (path, is directory) -> excluded, after the filters.</summary>
    public Func<string, bool, bool>? IsExcluded { get; init; }
}
