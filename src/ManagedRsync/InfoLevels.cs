using System.Text;

namespace ManagedRsync;

/// <summary>rsync's --info flags, in the order of its table (options.c: info_words).</summary>
public enum InfoFlag
{
    /// <summary>Files backed up.</summary>
    Backup,
    /// <summary>Files copied locally on the receiving side.</summary>
    Copy,
    /// <summary>Deletions on the receiving side.</summary>
    Del,
    /// <summary>File-list receiving/sending (levels 1-2).</summary>
    Flist,
    /// <summary>Miscellaneous information (levels 1-2).</summary>
    Misc,
    /// <summary>Mounts that were found or skipped.</summary>
    Mount,
    /// <summary>1) updated file/dir names, 2) unchanged names.</summary>
    Name,
    /// <summary>Skipped non-regular files (default 1, 0 disables).</summary>
    Nonreg,
    /// <summary>1) per-file progress or 2) total transfer progress.</summary>
    Progress,
    /// <summary>Files removed on the sending side.</summary>
    Remove,
    /// <summary>Files skipped due to transfer overrides (levels 1-2).</summary>
    Skip,
    /// <summary>Statistics at end of run (levels 1-3).</summary>
    Stats,
    /// <summary>Symlinks that are unsafe.</summary>
    Symsafe,
}

/// <summary>
/// The level of each --info flag (options.c: info_levels), and which of them the user set with --info (their priority is
/// above what -v, --stats and --progress imply: options.c USER_PRIORITY over DEFAULT_PRIORITY). Levels run 0-4
/// (MAX_OUT_LEVEL). A value: three bits a level, one bit a flag for "set by the user".
/// </summary>
public readonly record struct InfoLevels
{
    /// <summary>options.c: MAX_OUT_LEVEL, the largest N of any flagN word.</summary>
    public const int MaxLevel = 4;

    /// <summary>The flags' names as rsync spells them (options.c: info_words), indexed by <see cref="InfoFlag"/>.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["BACKUP", "COPY", "DEL", "FLIST", "MISC", "MOUNT", "NAME", "NONREG", "PROGRESS", "REMOVE", "SKIP", "STATS", "SYMSAFE"];

    private const int Count = 13;

    // options.c: info_verbosity — what each -v adds (level 0 applies without -v).
    private static readonly string[] Verbosity =
        ["NONREG", "COPY,DEL,FLIST,MISC,NAME,STATS,SYMSAFE", "BACKUP,MISC2,MOUNT,NAME2,REMOVE,SKIP"];

    // The built-in words, parsed once: the effective levels are worked out without allocating.
    private static readonly InfoLevels[] VerbosityLevels = [.. Verbosity.Select(Parse)];
    private static readonly InfoLevels Stats2 = Parse("stats2"), Stats3 = Parse("stats3");
    private static readonly InfoLevels NameWord = Parse("name"), FlistProgress = Parse("FLIST2,PROGRESS");

    private static InfoLevels Parse(string words) => default(InfoLevels).Apply(words, out _, out _);
    private readonly ulong _levels;
    private readonly ushort _set;

    private InfoLevels(ulong levels, ushort set)
    {
        _levels = levels;
        _set = set;
    }

    /// <summary>The flag's level.</summary>
    public int this[InfoFlag flag] => (int)((_levels >> ((int)flag * 3)) & 7);

    /// <summary>Whether --info named the flag (an "ALL" or "NONE" names every flag).</summary>
    public bool IsSet(InfoFlag flag) => (_set & (1 << (int)flag)) != 0;

    /// <summary>Whether --info named any flag.</summary>
    public bool AnySet => _set != 0;

    /// <summary>options.c INFO_GTE.</summary>
    public bool Gte(InfoFlag flag, int level) => this[flag] >= level;

    private InfoLevels With(InfoFlag flag, int level, bool set)
    {
        int shift = (int)flag * 3;
        ulong levels = (_levels & ~(7UL << shift)) | ((ulong)level << shift);
        return new(levels, set ? (ushort)(_set | (1 << (int)flag)) : _set);
    }

    /// <summary>
    /// Applies an --info argument as options.c parse_output_words does: comma-separated words, each a flag name (any
    /// case) with an optional level (no digits: 1; above 4: 4), "ALL" or "NONE" (all flags, NONE at 0); empty words
    /// are skipped; a later word overrides an earlier one.
    /// </summary>
    /// <param name="words">The argument.</param>
    /// <param name="help">Set when a word is "help" (stock prints the list and exits there).</param>
    /// <param name="unknown">The first word that names no flag (stock: "Unknown --info item").</param>
    /// <returns>The levels with the words applied, up to "help" or the unknown word.</returns>
    public InfoLevels Apply(string words, out bool help, out string? unknown)
    {
        InfoLevels result = this;
        OutputWords.Parse(words, Names, (flag, level) =>
        {
            for (int j = flag < 0 ? 0 : flag; j < (flag < 0 ? Count : flag + 1); j++)
                result = result.With((InfoFlag)j, level, set: true);
        }, out help, out unknown);
        return result;
    }

    // Applies built-in words below the user's priority: flags the user set keep their level.
    private InfoLevels Imply(InfoLevels implied)
    {
        InfoLevels result = this;
        for (int j = 0; j < Count; j++)
        {
            var flag = (InfoFlag)j;
            if (implied.IsSet(flag) && !IsSet(flag))
                result = result.With(flag, implied[flag], set: false);
        }
        return result;
    }

    /// <summary>
    /// The levels in force: the user's (<paramref name="given"/>) over what the other options imply (options.c:
    /// set_output_verbosity for -v, "stats2"/"stats3" for --stats, then for --progress "name" when nothing logs after
    /// the transfer and NAME is 0, and "FLIST2,PROGRESS").
    /// </summary>
    /// <param name="given">What --info set.</param>
    /// <param name="verbose">The number of -v.</param>
    /// <param name="stats">--stats.</param>
    /// <param name="progress">--progress (or -P).</param>
    /// <param name="logBeforeTransfer">options.c log_before_transfer: -i, or an --out-format without %b, %c or %C.</param>
    public static InfoLevels Effective(InfoLevels given, int verbose, bool stats, bool progress, bool logBeforeTransfer)
    {
        InfoLevels levels = given;
        for (int j = 0; j <= Math.Min(verbose, VerbosityLevels.Length - 1); j++)
            levels = levels.Imply(VerbosityLevels[j]);
        if (stats)
            levels = levels.Imply(verbose > 1 ? Stats3 : Stats2);
        if (progress)
        {
            if (!logBeforeTransfer && levels[InfoFlag.Name] == 0)
                levels = levels.Imply(NameWord);
            levels = levels.Imply(FlistProgress);
        }
        return levels;
    }

    /// <summary>
    /// The levels capped at what <paramref name="verbosity"/> -v would give at most (options.c: limit_output_verbosity,
    /// which a daemon applies with its module's "max verbosity": clientserver.c: rsync_module); above 2 (MAX_VERBOSITY)
    /// or null nothing is capped.
    /// </summary>
    public InfoLevels LimitedTo(int? verbosity)
    {
        if (verbosity is not int limit || limit > VerbosityLevels.Length - 1)
            return this;
        InfoLevels result = this;
        for (int j = 0; j < Count; j++)
        {
            var flag = (InfoFlag)j;
            int cap = 0;
            for (int v = 0; v <= limit; v++)
            {
                if (VerbosityLevels[v].IsSet(flag))
                    cap = VerbosityLevels[v][flag];
            }
            if (result[flag] > cap)
                result = result.With(flag, cap, set: result.IsSet(flag));
        }
        return result;
    }

    // options.c: the where bits of info_words (W_CLI 1, W_SRV 2, W_SND 4, W_REC 8).
    private static readonly byte[] Where = [8, 8, 8, 1, 12, 12, 12, 8, 1, 4, 8, 3, 12];

    /// <summary>
    /// What a client tells the server of the flags the user set (options.c: server_options with make_output_option):
    /// those the server's side uses (a receiving server: the server's and the receiver's flags; a sending one: the
    /// server's and the sender's), "--info=" and the names in table order with the level unless it is 1; when every such
    /// flag was set and five or more share one level, "ALL", "ALLn" or "NONE" first and those left out. Null when none.
    /// </summary>
    /// <param name="serverSends">The server is the sender (a pull).</param>
    public string? ServerOption(bool serverSends)
    {
        int where = 2 | (serverSends ? 4 : 8);
        Span<int> counts = stackalloc int[MaxLevel + 1];
        int skipped = 0, max = 0, lev = 0, named = 0;
        for (int j = 0; j < Count; j++)
        {
            if ((Where[j] & where) == 0)
                continue;
            if (!IsSet((InfoFlag)j))
            {
                skipped++;
                continue;
            }
            named++;
            int level = this[(InfoFlag)j];
            if (++counts[level] > max)
            {
                lev = level;
                max = counts[level];
            }
        }
        if (named == 0)
            return null;
        var text = new StringBuilder("--info=");
        if (skipped > 0 || max < 5)
            lev = -1;
        else
            text.Append(lev == 0 ? "NONE" : lev == 1 ? "ALL" : "ALL" + lev);
        for (int j = 0; j < Count; j++)
        {
            int level = this[(InfoFlag)j];
            if (!IsSet((InfoFlag)j) || level == lev || (Where[j] & where) == 0)
                continue;
            if (text.Length > "--info=".Length)
                text.Append(',');
            text.Append(Names[j]);
            if (level != 1)
                text.Append((char)('0' + level));
        }
        return text.ToString();
    }

    /// <summary>
    /// rsync --info=help (options.c: output_item_help): the flags with their help, ALL, NONE, HELP, and what each -v
    /// level adds.
    /// </summary>
    public static string Help { get; } = BuildHelp();

    private static string BuildHelp()
    {
        string[] help =
        [
            "Mention files backed up", "Mention files copied locally on the receiving side",
            "Mention deletions on the receiving side", "Mention file-list receiving/sending (levels 1-2)",
            "Mention miscellaneous information (levels 1-2)", "Mention mounts that were found or skipped",
            "Mention 1) updated file/dir names, 2) unchanged names",
            "Mention skipped non-regular files (default 1, 0 disables)",
            "Mention 1) per-file progress or 2) total transfer progress", "Mention files removed on the sending side",
            "Mention files skipped due to transfer overrides (levels 1-2)", "Mention statistics at end of run (levels 1-3)",
            "Mention symlinks that are unsafe",
        ];
        return OutputWords.Help("--info", Names, help, Verbosity);
    }
}
