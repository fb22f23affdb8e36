using ManagedRsync.Filters;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// A module's own rules (clientserver.c: rsync_module builds daemon_filter_list): "filter", "include from", "include",
/// "exclude from", "exclude", in that order; "filter", "include" and "exclude" are split into words at white space
/// (FILTRULE_WORD_SPLIT). They match names relative to the module. Null when the module has none.
/// </summary>
internal static class ModuleFilters
{
    public static FilterList? Build(DaemonModule module)
    {
        if (module.Filter is null && module.IncludeFrom is null && module.Include is null && module.ExcludeFrom is null && module.Exclude is null)
            return null;
        var builder = new FilterListBuilder(readStdin: () => []);
        foreach (string word in Words(module.Filter))
            builder.Add(FilterOptionKind.Filter, word);
        if (module.IncludeFrom is { } includeFrom)
            builder.Add(FilterOptionKind.IncludeFrom, includeFrom);
        foreach (string word in Words(module.Include))
            builder.Add(FilterOptionKind.Include, word);
        if (module.ExcludeFrom is { } excludeFrom)
            builder.Add(FilterOptionKind.ExcludeFrom, excludeFrom);
        foreach (string word in Words(module.Exclude))
            builder.Add(FilterOptionKind.Exclude, word);
        // clientserver.c: rsync_module parses them with XFLG_DIR2WILD3: an excluded directory's whole subtree is
        // excluded (a push to "dir/file" under "exclude = /dir/" is refused; a bare "/dir" protects only that name).
        return builder.Build().Map(rule => rule.WithDirectoryAsSubtree());
    }

    // exclude.c: parse_filter_str with FILTRULE_WORD_SPLIT — rules end at white space, except that a rule prefix
    // written as its own word ("- *.tmp") takes the next word as its pattern.
    private static IEnumerable<string> Words(string? value)
    {
        if (value is null)
            yield break;
        string[] words = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            // A bare rule prefix ("-", "+", "P", "exclude", ...) takes the next word as its pattern.
            if (i + 1 < words.Length && IsPrefixOnly(words[i]))
            {
                yield return words[i] + " " + words[i + 1];
                i++;
                continue;
            }
            yield return words[i];
        }
    }

    // exclude.c: parse_rule_tok — a rule name, short ("-") or long ("exclude"), then its modifiers, after a ',' or
    // (short names) straight after it ("-x user.secret", "+,s keep"). 'C' is left out: "-C" is a whole rule.
    private static bool IsPrefixOnly(string word)
    {
        int comma = word.IndexOf(',');
        string name = comma >= 0 ? word[..comma] : word.Length > 1 && IsShortName(word[..1]) ? word[..1] : word;
        string modifiers = comma >= 0 ? word[(comma + 1)..] : word[name.Length..];
        return (IsShortName(name) || name is "exclude" or "include" or "protect" or "risk" or "hide" or "show" or "merge" or "dir-merge")
            && modifiers.All(c => "/!enwrspx".Contains(c, StringComparison.Ordinal));
    }

    private static bool IsShortName(string name) => name is "-" or "+" or "P" or "R" or "H" or "S" or "." or ":";
}
