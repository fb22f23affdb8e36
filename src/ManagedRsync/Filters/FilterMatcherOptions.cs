namespace ManagedRsync.Filters;

/// <summary>Where a <see cref="FilterMatcher"/> finds per-directory merge files and absolute paths.</summary>
public sealed class FilterMatcherOptions
{
    /// <summary>
    /// The local directory that the matched names are relative to (rsync curr_dir): needed to read dir-merge files and
    /// to match '/'-modifier rules. Null when names are matched without a local tree.
    /// </summary>
    public string? LocalRoot { get; init; }

    /// <summary>Reads a per-directory merge file; returns null when it does not exist. Defaults to the file system.</summary>
    public Func<string, byte[]?>? ReadFile { get; init; }

    /// <summary>--from0: merge files end lines with NUL.</summary>
    public bool EolNulls { get; init; }
}
