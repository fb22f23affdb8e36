namespace ManagedRsync.Filters;

/// <summary>
/// The command-line options that shape the filter list, fed to <see cref="FilterListBuilder.Add"/> in command-line
/// order (order matters: first match wins, "!" clears what came before, --delete-excluded and --from0 affect what
/// follows them, as rsync's popt loop in options.c does).
/// </summary>
public enum FilterOptionKind
{
    /// <summary>--exclude=PATTERN ("- " / "+ " prefixes allowed).</summary>
    Exclude,
    /// <summary>--include=PATTERN ("- " / "+ " prefixes allowed).</summary>
    Include,
    /// <summary>-f, --filter=RULE (full rule syntax).</summary>
    Filter,
    /// <summary>--exclude-from=FILE ("-" is stdin).</summary>
    ExcludeFrom,
    /// <summary>--include-from=FILE ("-" is stdin).</summary>
    IncludeFrom,
    /// <summary>-C, --cvs-exclude (value ignored).</summary>
    CvsExclude,
    /// <summary>-F (value ignored): once ": /.rsync-filter", twice also "- .rsync-filter".</summary>
    FilterShortcut,
    /// <summary>--delete-excluded (value ignored).</summary>
    DeleteExcluded,
    /// <summary>-0, --from0 (value ignored): rule files end lines with NUL.</summary>
    From0,
}
