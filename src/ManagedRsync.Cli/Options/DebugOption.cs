namespace ManagedRsync.Cli.Options;

/// <summary>
/// --debug=FLAGS (options.c: debug_words). Stock's client never sends it (server_options sends only --info), so every
/// line it adds is printed by the client's own processes; mrsync prints only DEL's. A --debug is therefore accepted
/// only where stock's client prints nothing for it either: a flag set to 0, --debug=none, ACL (acls.c's only
/// DEBUG line is default_perms_for_dir's, which runs only without -p: protocol-notes "-A/--acls", not done), ICONV1 (setup_iconv says it only with --iconv, which is refused), and on a push the flags whose lines
/// only a receiver prints (BACKUP, FUZZY, GENR: backup.c, generator.c run in the daemon there), on a pull SEND (sender.c
/// runs in the daemon), and DEL everywhere (on a pull and a local copy our generator prints delete.c's lines, levels
/// 1-3). Anything else is refused by name (exit 4).
/// </summary>
internal static class DebugOption
{
    public static readonly IReadOnlyList<string> Names =
    [
        "ACL", "BACKUP", "BIND", "CHDIR", "CONNECT", "CMD", "DEL", "DELTASUM", "DUP", "EXIT", "FILTER", "FLIST", "FUZZY",
        "GENR", "HASH", "HLINK", "ICONV", "IO", "NSTR", "OWN", "PROTO", "RECV", "SEND", "TIME",
    ];

    private static readonly string[] HelpLines =
    [
        "Debug extra ACL info", "Debug backup actions (levels 1-2)", "Debug socket bind actions",
        "Debug when the current directory changes", "Debug connection events (levels 1-2)",
        "Debug commands+options that are issued (levels 1-2)", "Debug delete actions (levels 1-3)",
        "Debug delta-transfer checksumming (levels 1-4)", "Debug weeding of duplicate names",
        "Debug exit events (levels 1-3)", "Debug filter actions (levels 1-3)", "Debug file-list operations (levels 1-4)",
        "Debug fuzzy scoring (levels 1-2)", "Debug generator functions", "Debug hashtable code",
        "Debug hard-link actions (levels 1-3)", "Debug iconv character conversions (levels 1-2)",
        "Debug I/O routines (levels 1-4)", "Debug negotiation strings",
        "Debug ownership changes in users & groups (levels 1-2)", "Debug protocol information", "Debug receiver functions",
        "Debug sender functions", "Debug setting of modified times (levels 1-2)",
    ];

    // options.c: debug_verbosity (-vv and up add these; mrsync prints none of them, README's known difference).
    private static readonly string?[] Verbosity =
    [
        null, null, "BIND,CMD,CONNECT,DEL,DELTASUM,DUP,FILTER,FLIST,ICONV",
        "ACL,BACKUP,CONNECT2,DELTASUM2,DEL2,EXIT,FILTER2,FLIST2,FUZZY,GENR,OWN,RECV,SEND,TIME",
        "CMD2,DELTASUM3,DEL3,EXIT2,FLIST3,ICONV2,OWN2,PROTO,TIME2", "CHDIR,DELTASUM4,FLIST4,FUZZY2,HASH,HLINK",
    ];

    /// <summary>rsync --debug=help (options.c: output_item_help).</summary>
    public static string Help { get; } = OutputWords.Help("--debug", Names, HelpLines, Verbosity);

    /// <summary>options.c OPT_DEBUG: applies one --debug argument to <paramref name="given"/> (-1: not set).</summary>
    public static void Apply(RsyncOptions o, string words)
    {
        int[] given = o.DebugGiven;
        OutputWords.Parse(words, Names, (flag, level) =>
        {
            for (int j = flag < 0 ? 0 : flag; j < (flag < 0 ? given.Length : flag + 1); j++)
                given[j] = level;
        }, out bool help, out string? unknown);
        if (unknown is not null)
            throw new OptionException($"Unknown --debug item: \"{unknown}\"") { Verbatim = true };
        if (help)
        {
            o.HelpText = Help;
            o.ShowHelp = true;
        }
    }

    /// <summary>The level --debug gave flag <paramref name="name"/> (0 when not given: -v's implied levels are not applied).</summary>
    public static int Level(RsyncOptions o, string name)
    {
        for (int j = 0; j < Names.Count; j++)
        {
            if (Names[j] == name)
                return Math.Max(0, o.DebugGiven[j]);
        }
        return 0;
    }

    /// <summary>The first flag --debug raised that stock's client would print lines for in <paramref name="direction"/>, as "--debug=nameN", or null.</summary>
    public static string? Refused(RsyncOptions o, TransferDirection direction)
    {
        for (int j = 0; j < Names.Count; j++)
        {
            int level = o.DebugGiven[j];
            if (level <= 0 || Silent(Names[j], level, direction, o))
                continue;
            return "--debug=" + Names[j].ToLowerInvariant() + (level == 1 ? "" : level.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return null;
    }

    /// <exception cref="RsyncException">Exit 4 naming the first --debug flag whose lines mrsync does not print.</exception>
    public static void Check(RsyncOptions o, TransferDirection direction)
    {
        if (Refused(o, direction) is not { } flag)
            return;
        string where = direction switch
        {
            TransferDirection.Push => "on a push",
            TransferDirection.Pull => "on a pull",
            _ => "with a local copy",
        };
        throw new RsyncException(RsyncErrorKind.Unsupported, $"{flag} is not supported yet {where}");
    }

    private static bool Silent(string name, int level, TransferDirection direction, RsyncOptions o) => name switch
    {
        "ACL" => true,
        // rsync.c: setup_iconv — ICONV2 reports the isprint() check on every client without -8.
        "ICONV" => level < 2,
        // DEL: on a pull and a local copy our generator prints delete.c's and generator.c's lines (GeneratorRole.Deletion),
        // levels 2-3 not where stock prints a delete_item line ours does not: backup.c's (-b: a backup's name taken by
        // another kind of entry), atomic_create's with --temp-dir, and recv_generator's early one for a directory of a
        // later incremental part (with -t, a non-directory in its way goes while the parent's part is walked).
        "DEL" => direction == TransferDirection.Push || level < 2
            || (!o.Backup && o.TempDir is null && !(o.Times && StockRecursesIncrementally(o))),
        "BACKUP" or "FUZZY" or "GENR" => direction == TransferDirection.Push,
        "SEND" => direction == TransferDirection.Pull,
        _ => false,
    };

    // compat.c: set_allow_inc_recurse on the receiving side (IncrementalRecursion.StockAllows).
    private static bool StockRecursesIncrementally(RsyncOptions o) =>
        o.Recursive && o.IncrementalRecursion && !o.UseQsort && o.Delete is not (DeleteTiming.Before or DeleteTiming.After)
        && !o.DelayUpdates && !o.PruneEmptyDirs;
}
