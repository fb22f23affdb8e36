namespace ManagedRsync.Cli.Options;

/// <summary>
/// What rsync's parse_arguments (options.c) checks and implies for the receiving side's options of issue 11:
/// the basis directories (one kind, at most 20), --usermap/--groupmap/--chown (once each), and after the loop
/// --max-alloc ($RSYNC_MAX_ALLOC), --max-delete, the backup suffix and directory, -yy, --partial-dir
/// ($RSYNC_PARTIAL_DIR, --delay-updates).
/// </summary>
internal static class ReceivingOptionRules
{
    /// <summary>options.c: DEFAULT_MAX_ALLOC, 1 GiB; --max-alloc is sent only when it differs.</summary>
    private const long DefaultMaxAlloc = 1L << 30;

    /// <summary>options.c tmp_partialdir: the partial directory --delay-updates implies.</summary>
    public const string DelayUpdatesDir = ".~tmp~";

    // options.c set_dest_dir: one kind per command line, at most MAX_BASIS_DIRS of it.
    public static void AddAltDest(RsyncOptions o, AltDestKind kind, string dir)
    {
        if (ReceivingOptionChecks.AltDest(o.AltDest, o.AltDestDirs.Count, kind) is { } error)
            throw new OptionException(error);
        o.AltDest = kind;
        o.AltDestDirs.Add(dir);
    }

    // options.c OPT_USERMAP / OPT_GROUPMAP / OPT_CHOWN: each map once, --chown as "*:USER" and "*:GROUP"; any of them
    // preserves the owner or group it maps.
    public static void SetUserMap(RsyncOptions o, string map)
    {
        if (o.UserMap is not null)
            throw new OptionException(o.UserMapViaChown ? "--usermap conflicts with prior --chown." : "You can only specify --usermap once.");
        o.UserMap = map;
        o.UserMapViaChown = false;
        o.Owner = true;
    }

    public static void SetGroupMap(RsyncOptions o, string map)
    {
        if (o.GroupMap is not null)
            throw new OptionException(o.GroupMapViaChown ? "--groupmap conflicts with prior --chown." : "You can only specify --groupmap once.");
        o.GroupMap = map;
        o.GroupMapViaChown = false;
        o.Group = true;
    }

    public static void SetChown(RsyncOptions o, string chown)
    {
        int colon = chown.IndexOf(':');
        string user = colon < 0 ? chown : chown[..colon];
        string? group = colon < 0 ? null : chown[(colon + 1)..];
        if (user.Length > 0)
        {
            if (o.UserMap is not null)
                throw new OptionException(o.UserMapViaChown ? "You can only specify a user-affecting --chown once." : "--chown conflicts with prior --usermap.");
            o.UserMap = "*:" + user;
            o.UserMapViaChown = true;
            o.Owner = true;
        }
        if (group is { Length: > 0 })
        {
            if (o.GroupMap is not null)
                throw new OptionException(o.GroupMapViaChown ? "You can only specify a group-affecting --chown once." : "--chown conflicts with prior --groupmap.");
            o.GroupMap = "*:" + group;
            o.GroupMapViaChown = true;
            o.Group = true;
        }
    }

    /// <summary>--max-alloc (or $RSYNC_MAX_ALLOC) is checked right after the loop, before the other rules.</summary>
    public static void CheckMaxAlloc(RsyncOptions o, Func<string, string?> environment)
    {
        bool fromEnvironment = false;
        if (o.MaxAlloc is null && environment("RSYNC_MAX_ALLOC") is { Length: > 0 } value)
            (o.MaxAlloc, fromEnvironment) = (value, true);
        if (o.MaxAlloc is not { } arg)
            return;
        long size = SizeArgument.Parse(new OptionValue("--max-alloc", arg), 'B', "max-alloc", 1024 * 1024, -1, unlimitedZero: true);
        // 0 is "unlimited" (options.c then uses SIZE_MAX); the installed 3.5.0 accepts it (its source's "must be
        // greater than zero" branch is not reached), so it is accepted and sent as written.
        if (size == DefaultMaxAlloc)
            o.MaxAlloc = null;
        else if (size != 0)
            o.MaxAllocLimitFrom = fromEnvironment ? "$RSYNC_MAX_ALLOC" : "--max-alloc";
    }

    /// <summary>
    /// util2.c: my_alloc — stock's every role, the client's own included, fails an allocation of num*size at or over the
    /// limit ("[ROLE] exceeded --max-alloc=N setting (file=F, line=L)", exit 22): a push's sender on a 2 GiB file's
    /// sums at 1M, a pull's generator listing a destination directory of 100,000 names for --delete at 1M. Our roles
    /// keep other structures and apply no such limit but the default's on a sender's block sums (protocol-notes 85),
    /// so a limit other than 0 (none) and the default is refused by name in every direction (protocol-notes 83), after
    /// the other option checks.
    /// </summary>
    public static void RefuseMaxAllocLimit(RsyncOptions o)
    {
        if (o.MaxAllocLimitFrom is { } from)
            throw new OptionException($"{from} other than 0 (unlimited) is not supported yet", RsyncExitCode.Unsupported);
    }

    /// <summary>The rules that follow the --delete-WHEN checks in parse_arguments, in its order.</summary>
    public static void Finish(RsyncOptions o, Func<string, string?> environment)
    {
        // options.c: negative numbers are "no deletions"; INT_MIN is popt's "not given".
        if (o.MaxDelete is int max && max < 0)
            o.MaxDelete = max == int.MinValue ? null : 0;
        SettleBackups(o);
        if (SettleInplace(o))
            SettlePartialDir(o, environment);
        // options.c: -yy looks in every basis directory too (fuzzy_basis = basis_dir_cnt + 1).
        if (o.Fuzzy > 1)
            o.Fuzzy = o.AltDestDirs.Count + 1;
    }

    private static void SettleBackups(RsyncOptions o)
    {
        bool backup = o.Backup;
        string? backupDir = o.BackupDir, suffix = o.BackupSuffix;
        if (ReceivingOptionChecks.SettleBackups(ref backup, ref backupDir, ref suffix) is { } error)
            throw new OptionException(error);
        o.Backup = backup;
        o.BackupDir = backupDir;
        o.BackupSuffix = suffix;
        if (o.BackupDir is not null)
            return;
        // Backups in place must survive --delete: the client adds a protect rule for them (sent with the filter list).
        if (o.Backup && o.Delete != DeleteTiming.None && !o.DeleteExcluded)
            o.Filters.Add(new FilterArgument(Filters.FilterOptionKind.Filter, "P *" + suffix));
    }

    // options.c after the loop: --append refuses -W and implies --inplace; --inplace refuses a partial directory
    // (also the one --delay-updates implies) and turns --partial off (keep_partial = 0: not sent, no
    // $RSYNC_PARTIAL_DIR). False when --inplace is on.
    private static bool SettleInplace(RsyncOptions o)
    {
        if (o.AppendMode > 0)
        {
            if (o.WholeFile == true)
                throw new OptionException("--append cannot be used with --whole-file");
            o.Inplace = true;
        }
        if (!o.Inplace)
            return true;
        if (o.PartialDir is not null || o.DelayUpdates)
            throw new OptionException($"--{(o.AppendMode > 0 ? "append" : "inplace")} cannot be used with --{(o.DelayUpdates ? "delay-updates" : "partial-dir")}");
        o.Partial = false;
        return false;
    }

    private static void SettlePartialDir(RsyncOptions o, Func<string, string?> environment)
    {
        // options.c: --delay-updates without --partial-dir uses ".~tmp~" (not sent: the server implies it too);
        // otherwise --partial takes $RSYNC_PARTIAL_DIR.
        if (o.DelayUpdates && o.PartialDir is null)
        {
            o.PartialDir = DelayUpdatesDir;
            o.PartialDirImplied = true;
        }
        else if (o.Partial && o.PartialDir is null && environment("RSYNC_PARTIAL_DIR") is { Length: > 0 } fromEnvironment)
        {
            o.PartialDir = fromEnvironment;
        }
        if (o.PartialDir is not { } dir)
            return;
        o.PartialDir = ReceivingOptionChecks.CleanPartialDir(dir);
        o.Partial = true;
        // compat.c: setup_protocol — a client adds a perishable exclude of a relative partial directory (a directory
        // rule), so that the sender leaves such directories out and --delete leaves them alone. Stock makes it
        // perishable only for a receiver or from protocol 30; here it always is, so a push at protocol 29 or older
        // sends no rule for it (exclude.c: get_rule_prefix drops a perishable rule a sender cannot send).
        if (o.PartialDir is { } kept && !kept.StartsWith('/'))
            o.Filters.Add(new FilterArgument(Filters.FilterOptionKind.Filter, "-p " + kept + "/"));
    }
}
