using ManagedRsync.Filters;

namespace ManagedRsync.Server;

/// <summary>
/// The --filter rules in a receiving server's own argument vector (a client's -M--filter=RULE; options.c: OPT_FILTER
/// parses them into filter_list before exclude.c: recv_filter_list appends the client's). Stock's receiver checks every
/// rule of that list, whatever side its modifiers name (exclude.c drops a rule for the other side only from a list
/// being sent or one read with XFLG_ANCHORED2ABS), and --delete-excluded does not take them out: a plain exclude, an
/// 'H' hide, '-s' and 'P' all keep a name from deletion, an include or 'R' lets it go. Merge rules ('.', ':') are not
/// taken (they would read a file on this side).
/// </summary>
internal static class ServerReceiveRules
{
    /// <summary>The rules, each applying on both sides; null when one cannot be taken (a merge rule, a bad rule).</summary>
    public static FilterList? Build(IReadOnlyList<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var builder = new FilterListBuilder(readFile: _ => throw new MergeRule(), readStdin: () => throw new MergeRule());
        try
        {
            foreach (string rule in rules)
                builder.AddFilter(rule);
        }
        catch (Exception e) when (e is MergeRule or RsyncException or ArgumentException or FormatException)
        {
            return null;
        }
        FilterList list = builder.Build();
        if (list.CvsExclude || list.Rules.Any(r => (r.Flags & (FilterRuleFlags.MergeFile | FilterRuleFlags.PerDirMerge)) != 0))
            return null;
        return list.Map(r => FilterRule.Create(r.Pattern, r.Flags | FilterRuleFlags.Sides));
    }

    private sealed class MergeRule : Exception;
}
