namespace ManagedRsync;

/// <summary>
/// What rsync's parse_arguments (options.c) checks and settles for the backup and basis-directory options, shared by
/// the command line (a client's own options) and a server (the options a client sent it): both are stock's one
/// parse_arguments. Each check returns stock's message (without "rsync: " and the newline), or null.
/// </summary>
public static class ReceivingOptionChecks
{
    /// <summary>rsync.h MAX_BASIS_DIRS.</summary>
    public const int MaxBasisDirs = 20;

    /// <summary>rsync.h MAXPATHLEN; options.c refuses a --backup-dir longer than MAXPATHLEN - 128.</summary>
    private const int MaxPathLength = 4096;

    /// <summary>options.c set_dest_dir: one kind per command line, at most MAX_BASIS_DIRS of it.</summary>
    public static string? AltDest(AltDestKind current, int count, AltDestKind wanted)
    {
        if (current != AltDestKind.None && current != wanted)
            return $"ERROR: the {wanted.OptionName()} option conflicts with the {current.OptionName()} option";
        if (count >= MaxBasisDirs)
            return $"ERROR: at most {MaxBasisDirs} {wanted.OptionName()} args may be specified";
        return null;
    }

    /// <summary>
    /// options.c parse_arguments: the backup suffix ("~", or "" with --backup-dir) may hold no slash; --backup-dir
    /// implies -b and loses its leading "./" (and is no backup directory at all when it is the destination itself,
    /// "." or ""); a suffix may not be empty without a backup directory.
    /// </summary>
    /// <param name="backup">-b, set when a backup directory is given.</param>
    /// <param name="backupDir">--backup-dir as given; the directory to use afterwards, or null.</param>
    /// <param name="suffix">--suffix as given, or null; the suffix to use afterwards.</param>
    public static string? SettleBackups(ref bool backup, ref string? backupDir, ref string? suffix)
    {
        suffix ??= backupDir is not null ? "" : "~";
        if (suffix.Contains('/'))
            return $"--suffix cannot contain slashes: {suffix}";
        bool sameAsDestination = false;
        if (backupDir is { } dir)
        {
            backup = true;
            while (dir.StartsWith("./", StringComparison.Ordinal))
                dir = dir[2..];
            if (dir == ".")
                dir = "";
            if (dir.Length > MaxPathLength - 128)
                return "the --backup-dir path is WAY too long.";
            sameAsDestination = dir.Length == 0;
            backupDir = sameAsDestination ? null : dir;
        }
        if (backupDir is null && suffix.Length == 0)
            return "--suffix cannot be empty " + (sameAsDestination ? "when --backup-dir is the same as the dest dir" : "without a --backup-dir");
        return null;
    }

    /// <summary>
    /// options.c parse_arguments: a --partial-dir is cleaned (util1.c clean_fname with CFN_COLLAPSE_DOT_DOT_DIRS);
    /// an empty one or "." is no partial directory (null).
    /// </summary>
    public static string? CleanPartialDir(string dir)
    {
        if (dir.Length > 0)
            dir = CleanFileName.CollapseDotDot(dir);
        return dir.Length == 0 || dir == "." ? null : dir;
    }
}
