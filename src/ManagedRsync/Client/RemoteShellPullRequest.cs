using ManagedRsync.Filters;
using ManagedRsync.Transports;

namespace ManagedRsync.Client;

/// <summary>
/// A pull through a remote shell, as <c>rsync [options] [USER@]HOST:SRC... DEST</c>, or with no
/// <see cref="Destination"/> a listing (<c>rsync [USER@]HOST:SRC</c>).
/// </summary>
public sealed record RemoteShellPullRequest
{
    /// <summary>How to reach the host.</summary>
    public required RemoteShell Shell { get; init; }

    /// <summary>The sources on the host, as written after "HOST:" (an empty one is sent as ".").</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The local destination; null lists the sources (rsync --list-only).</summary>
    public string? Destination { get; init; }

    /// <summary>The rsync options (--partial and --temp-dir act on this side).</summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>--exclude/--include/--filter rules: sent to the sender, and protecting local names from --delete.</summary>
    public FilterList? Filters { get; init; }
}
