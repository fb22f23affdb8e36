using ManagedRsync.Filters;

namespace ManagedRsync.Transfer;

/// <summary>
/// A local copy, as <c>rsync [options] SRC... DEST</c> with no host on either side. Sources are given as to
/// <see cref="PushRequest"/>: rsync command-line source arguments ("dir/" copies the contents, "dir" the directory
/// itself), or <see cref="SourceRoot"/> with <see cref="RelativePaths"/> (--files-from semantics).
/// </summary>
public sealed record LocalCopyRequest
{
    /// <summary>rsync source arguments.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The directory <see cref="RelativePaths"/> are relative to.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>Paths under <see cref="SourceRoot"/>, copied with their parent directories, as -R does.</summary>
    public IReadOnlyList<string>? RelativePaths { get; init; }

    /// <summary>
    /// The destination (rsync main.c: get_local_name): a directory, made if missing; or, for a lone file that is not a
    /// directory, the name it takes when no directory of that name exists. Nothing outside it is ever written.
    /// </summary>
    public required string Destination { get; init; }

    /// <summary>The transfer's options; both halves of the copy use them, as stock's forked server does.</summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>--exclude/--include/--filter rules: applied to the scan, and protecting destination names from --delete.</summary>
    public FilterList? Filters { get; init; }

    /// <summary>An extra verdict for a transfer-relative path (path, is directory) -> excluded, after the filters.</summary>
    public Func<string, bool, bool>? IsExcluded { get; init; }
}
