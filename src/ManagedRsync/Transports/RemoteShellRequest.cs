using ManagedRsync.Filters;

namespace ManagedRsync.Transports;

/// <summary>
/// A transfer with an rsync server started over a remote shell: a push (<c>rsync [options] SRC... [USER@]HOST:DEST</c>)
/// when <see cref="Pull"/> is false, else a pull (<c>rsync [options] [USER@]HOST:SRC... DEST</c>) or, with no
/// <see cref="Destination"/>, a listing.
/// </summary>
public sealed record RemoteShellRequest
{
    /// <summary>How to reach the host.</summary>
    public required RemoteShell Shell { get; init; }

    /// <summary>True for a pull (the remote end sends).</summary>
    public bool Pull { get; init; }

    /// <summary>
    /// The paths on the host, as written after "HOST:": a pull's sources (an empty one is "."), or a push's single
    /// destination.
    /// </summary>
    public IReadOnlyList<string> RemotePaths { get; init; } = [];

    /// <summary>A push's local sources: rsync source arguments ("dir/" sends the contents, "dir" the directory itself).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A push's directory that <see cref="RelativePaths"/> are relative to.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>A push's paths under <see cref="SourceRoot"/>, sent with their parent directories as -R does.</summary>
    public IReadOnlyList<string>? RelativePaths { get; init; }

    /// <summary>A pull's local destination; null lists the remote files (rsync --list-only).</summary>
    public string? Destination { get; init; }

    /// <summary>The rsync options of the transfer.</summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>--exclude/--include/--filter rules: applied to a push's scan, and sent to the server.</summary>
    public FilterList? Filters { get; init; }

    /// <summary>A push's extra verdict for a transfer-relative path (path, is directory) -> excluded, after the filters.</summary>
    public Func<string, bool, bool>? IsExcluded { get; init; }
}
