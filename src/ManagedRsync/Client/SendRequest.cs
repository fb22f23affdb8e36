using ManagedRsync.Filters;

namespace ManagedRsync.Client;

/// <summary>
/// What every transfer that sends from this machine shares (a push to a daemon, a local copy): the sources, the rsync
/// options and the filter rules. Either <see cref="Sources"/> (rsync command-line source arguments: "dir/" sends the
/// contents, "dir" the directory itself) or <see cref="SourceRoot"/> with <see cref="RelativePaths"/> (rsync
/// --files-from semantics: each path under the root is sent with its parent directories, as -R does).
/// </summary>
public abstract record SendRequest
{
    /// <summary>rsync source arguments.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The directory <see cref="RelativePaths"/> are relative to.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>Paths under <see cref="SourceRoot"/>, sent over one connection with their parent directories.</summary>
    public IReadOnlyList<string>? RelativePaths { get; init; }

    /// <summary>The rsync options of the transfer (-a by default).</summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>--exclude/--include/--filter rules: applied to the scan, and protecting receiver names from --delete.</summary>
    public FilterList? Filters { get; init; }

    /// <summary>An extra verdict for a transfer-relative path (path, is directory) -> excluded, after the filters.</summary>
    public Func<string, bool, bool>? IsExcluded { get; init; }

    /// <summary>The sender's view of this request.</summary>
    internal Roles.Sender.SendSource Source => new(Sources, SourceRoot, RelativePaths, Filters,
        IsExcluded is { } excluded ? (name, _, isDirectory) => excluded(name, isDirectory) : null,
        LinkTarget: Options.MungeLinks ? FileList.MungedLinks.Unmunge : null);
}
