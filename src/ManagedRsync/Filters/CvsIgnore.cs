namespace ManagedRsync.Filters;

/// <summary>
/// The -C / --cvs-exclude list (rsync exclude.c get_cvs_excludes): rsync's built-in names, then the words of
/// $HOME/.cvsignore, then the words of $CVSIGNORE. Every entry is an exclude; a lone "!" clears the list so far.
/// </summary>
internal static class CvsIgnore
{
    /// <summary>rsync's DEFAULT_CVSIGNORE, generated from rsync.1.md "--cvs-exclude" (usage.c default_cvsignore).</summary>
    internal const string DefaultList =
        "RCS SCCS CVS CVS.adm RCSLOG cvslog.* tags TAGS .make.state .nse_depinfo *~ #* .#* ,* _$* *$ *.old *.bak "
        + "*.BAK *.orig *.rej .del-* *.a *.olb *.o *.obj *.so *.exe *.Z *.elc *.ln core .svn/ .git/ .hg/ .bzr/";

    /// <summary>The template the list is parsed with: the flags of rsync's "-C" rule.</summary>
    internal const FilterRuleFlags Template = FilterRuleFlags.NoPrefixes | FilterRuleFlags.WordSplit
        | FilterRuleFlags.NoInherit | FilterRuleFlags.CvsIgnore;

    /// <summary>
    /// The rules of the list. The built-in names are perishable from protocol 30 on (rsync adds FILTRULE_PERISHABLE
    /// only to them), so the protocol is needed to spell them for the wire.
    /// </summary>
    internal static List<FilterRule> Build(bool perishableDefaults, ReadOnlySpan<byte> homeFileWords, ReadOnlySpan<byte> environmentWords)
    {
        var rules = new List<FilterRule>();
        Append(rules, System.Text.Encoding.ASCII.GetBytes(DefaultList),
            Template | (perishableDefaults ? FilterRuleFlags.Perishable : 0));
        foreach (byte[] word in FilterFileText.SplitRules(homeFileWords, eolNulls: false, wordSplit: true))
            Append(rules, word, Template);
        Append(rules, environmentWords, Template);
        return rules;
    }

    private static void Append(List<FilterRule> rules, ReadOnlySpan<byte> words, FilterRuleFlags template)
    {
        while (FilterRuleParser.TryParseNext(ref words, template, oldPrefixes: false, deleteExcluded: false, out FilterRuleFlags flags, out ReadOnlySpan<byte> pattern))
        {
            if ((flags & FilterRuleFlags.ClearList) != 0)
            {
                rules.Clear();
                continue;
            }
            rules.Add(FilterRule.Create(pattern, flags));
        }
    }
}
