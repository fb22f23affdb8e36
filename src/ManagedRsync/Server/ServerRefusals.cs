using System.Text;

namespace ManagedRsync.Server;

/// <summary>
/// A daemon module's "refuse options" as stock rsync 3.5.0 applies them (options.c: set_refuse_options,
/// parse_one_refuse_match, create_refuse_error), over stock's own option table (<see cref="StockOptionTable"/>):
/// <list type="bullet">
/// <item>each word is matched (wildmatch) against every row's long name and short letter; "a" and "archive" stand
/// for the wildcard "[ardlptgoD]"; "!word" accepts again what an earlier word refused;</item>
/// <item>a wildcard changes every row it matches except the exact-only ones (-e, -0, -s, -n, --iconv, --no-iconv,
/// --checksum-seed, --copy-devices, --write-devices, --log-format, --sender, --server); a word without wildcard
/// changes the first row it names and every row that is the same capability (--del and --delete-during,
/// --compress-level and --zl, ...);</item>
/// <item>a daemon always refuses --copy-devices and --write-devices (unless a "!" rule accepts them), --log-file*,
/// --insecure-links, --iconv (no module has a charset here) and --crtimes (3.5.0 on Linux: "no crtimes");</item>
/// <item>a refused option the client used ends the connection with "The server is configured to refuse --NAME (-L)",
/// named as the row the client used; after the whole vector, a refused -z refuses any compression (--new-compress,
/// --compress-level, ...), a refused --delete refuses every deletion mode and --delete-missing-args, and a plain
/// --delete runs before the transfer when --delete-during is refused (options.c: parse_arguments).</item>
/// </list>
/// A remote-shell server (no module) refuses nothing this way.
/// </summary>
internal static class ServerRefusals
{
    private const string Configured = "The server is configured to refuse";

    // options.c: set_refuse_options marks these "a=": only an exact rule reaches them.
    private static readonly HashSet<string> s_exactOnly =
        ["iconv", "no-iconv", "checksum-seed", "copy-devices", "write-devices", "log-format", "sender", "server"];

    /// <summary>
    /// The refusal of an option the client used, in the order given, or null. Ends the parse as stock's popt loop
    /// does at the first refused option, so it comes before any other complaint about the vector.
    /// </summary>
    public static string? CheckGiven(ServerRequest request, ServerSettings settings)
    {
        if (settings.ModuleName is null)
            return null;
        bool[] refused = Refused(settings.RefuseOptions);
        foreach (string spelled in request.OptionNames)
        {
            int row = spelled.StartsWith("--", StringComparison.Ordinal) ? StockOptionTable.ByLong(spelled[2..])
                : spelled.Length == 2 ? StockOptionTable.ByShort(spelled[1]) : -1;
            if (row >= 0 && refused[row])
                return Error(row);
        }
        return null;
    }

    /// <summary>
    /// options.c: parse_arguments after the loop — what a refused option implies for the options the client did
    /// not name (compression, deletion, a sender's removal of its files). Returns the refusal text, or null with <paramref name="options"/>'s deletion
    /// timing settled as stock settles it when one timing is refused.
    /// </summary>
    public static string? CheckImplied(ref TransferOptions options, ServerSettings settings, bool serverSends)
    {
        if (settings.ModuleName is null)
            return null;
        bool[] refused = Refused(settings.RefuseOptions);
        bool Is(string name) => refused[StockOptionTable.ByLong(name)];
        if ((options.Compress || options.CompressLevel is not null) && Is("compress"))
            return Error(StockOptionTable.ByLong("compress"));
        if (options.Delete == DeleteTiming.Default)
        {
            // "Only choose now between before & during if one is refused."
            if (Is("delete-before"))
            {
                if (Is("delete-during"))
                    return Error(StockOptionTable.ByLong("delete-before"));
                options = options with { Delete = DeleteTiming.During };
            }
            else if (Is("delete-during"))
            {
                options = options with { Delete = DeleteTiming.Before };
            }
        }
        if ((options.Delete != DeleteTiming.None || options.DeleteMissingArgs) && Is("delete"))
            return Error(StockOptionTable.ByLong("delete"));
        // "We only want to infer this refusal of --remove-source-files via the refusal of delete": a sender's.
        if (options.RemovesFromSender && serverSends && Is("delete"))
            return Error(StockOptionTable.ByLong("delete"));
        return null;
    }

    /// <summary>Which rows of <see cref="StockOptionTable.Rows"/> a daemon module with these refuse options refuses.</summary>
    public static bool[] Refused(string? refuseOptions)
    {
        var refused = new bool[StockOptionTable.Rows.Length];
        Mark(refused, "copy-devices", negated: false);
        Mark(refused, "write-devices", negated: false);
        foreach (string word in (refuseOptions ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            bool negated = word.StartsWith('!') && word.Length > 1;
            Mark(refused, negated ? word[1..] : word, negated);
        }
        foreach (string always in (string[])["iconv", "log-file*", "insecure-links", "crtimes"])
            Mark(refused, always, negated: false);
        return refused;
    }

    private static void Mark(bool[] refused, string rule, bool negated)
    {
        StockOptionTable.Row[] rows = StockOptionTable.Rows;
        bool wild = rule.IndexOfAny(['*', '?', '[']) >= 0;
        if (rule is "a" or "archive")
        {
            rule = "[ardlptgoD]";
            wild = true;
        }
        byte[] pattern = Encoding.UTF8.GetBytes(rule);
        int named = -1;
        for (int i = 0; i < rows.Length; i++)
        {
            StockOptionTable.Row row = rows[i];
            bool matches = (row.Long.Length > 0 && Filters.WildMatch.IsMatch(pattern, Encoding.UTF8.GetBytes(row.Long)))
                           || (row.Short != '\0' && Filters.WildMatch.IsMatch(pattern, [(byte)row.Short]));
            if (!matches)
                continue;
            if (!wild || !ExactOnly(row))
                refused[i] = !negated;
            if (!wild)
            {
                named = i;
                break;
            }
        }
        if (named >= 0 && rows[named].Group != 0)
        {
            for (int i = 0; i < rows.Length; i++)
            {
                if (rows[i].Group == rows[named].Group)
                    refused[i] = !negated;
            }
        }
    }

    private static bool ExactOnly(StockOptionTable.Row row) =>
        row.Short is 'e' or '0' or 's' or 'n' || s_exactOnly.Contains(row.Long);

    // options.c: create_refuse_error — a row without a long name prints as glibc prints a null string.
    private static string Error(int row)
    {
        StockOptionTable.Row r = StockOptionTable.Rows[row];
        return ServerArgumentParser.Refusal(Configured, r.Long.Length > 0 ? r.Long : "(null)", r.Short == '\0' ? null : r.Short);
    }
}
