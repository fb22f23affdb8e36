using ManagedRsync.Filters;

namespace ManagedRsync.Server;

/// <summary>
/// The --filter rules in a receiving server's own argument vector (a client's -M--filter=RULE; options.c: OPT_FILTER
/// parses them into filter_list before exclude.c: recv_filter_list appends the client's). Stock's receiver checks every
/// rule of that list, whatever side its modifiers name (exclude.c drops a rule for the other side only from a list
/// being sent or one read with XFLG_ANCHORED2ABS), and --delete-excluded does not take them out: a plain exclude, an
/// 'H' hide, '-s' and 'P' all keep a name from deletion, an include or 'R' lets it go. A '.' merge rule's file is read
/// as the vector is parsed (beneath the module for a daemon: ServerSources.ReadRuleFile) and its rules are taken as the
/// vector's; a per-directory merge (':') is read in each directory the generator deletes in, beneath the module only
/// (ServerSources.PerDirectoryReader), as a per-directory rule the client sends is. -C (CVS rules) is not taken.
/// </summary>
internal static class ServerReceiveRules
{
    /// <summary>
    /// The rules, each applying on both sides; null when one cannot be taken (-C, a bad rule).
    /// <paramref name="readFile"/> reads a '.' merge rule's file (a server reads "-" as a file); without it (checking the
    /// vector's words only) each reads as empty. A file that cannot be read throws (exclude.c: "failed to open").
    /// </summary>
    public static FilterList? Build(IReadOnlyList<string> rules, Func<string, byte[]>? readFile = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Func<string, byte[]> read = readFile ?? (_ => []);
        var builder = new FilterListBuilder(readFile: read, readStdin: () => read("-"));
        try
        {
            foreach (string rule in rules)
                builder.AddFilter(rule);
        }
        catch (Exception e) when (e is RsyncException { Kind: not RsyncErrorKind.FileIo } or ArgumentException or FormatException)
        {
            return null;
        }
        FilterList list = builder.Build();
        // A per-directory merge rule stays in the list: the generator reads its file in each directory it deletes in
        // (beneath the module for a daemon: ReceiveTarget.ReadPerDirectoryFile).
        if (list.CvsExclude || list.Rules.Any(r => (r.Flags & (FilterRuleFlags.MergeFile | FilterRuleFlags.PerDirMerge)) == FilterRuleFlags.MergeFile))
            return null;
        return list.Map(r => FilterRule.Create(r.Pattern, r.Flags | FilterRuleFlags.Sides));
    }
}
