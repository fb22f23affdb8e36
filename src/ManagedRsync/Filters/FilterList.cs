using System.Text;

namespace ManagedRsync.Filters;

/// <summary>
/// The client's filter rules in command-line order (rsync filter_list), as built by <see cref="FilterListBuilder"/>:
/// plain rules, per-directory merge rules (':'), and CVS-list references ('-C'). Gives the rule strings the client
/// puts on the wire and matchers for either side.
/// </summary>
public sealed class FilterList
{
    private readonly byte[] _cvsHomeWords;
    private readonly byte[] _cvsEnvironmentWords;

    internal FilterList(List<FilterRule> rules, bool cvsExclude, bool deleteExcluded, byte[] cvsHomeWords, byte[] cvsEnvironmentWords)
    {
        Rules = rules;
        CvsExclude = cvsExclude;
        DeleteExcluded = deleteExcluded;
        _cvsHomeWords = cvsHomeWords;
        _cvsEnvironmentWords = cvsEnvironmentWords;
    }

    /// <summary>This list with <paramref name="first"/> in front of its rules (they are checked before any of them).</summary>
    internal FilterList Prepend(IEnumerable<FilterRule> first) =>
        new([.. first, .. Rules], CvsExclude, DeleteExcluded, _cvsHomeWords, _cvsEnvironmentWords);

    /// <summary>This list with each rule replaced by what <paramref name="map"/> makes of it.</summary>
    internal FilterList Map(Func<FilterRule, FilterRule> map) =>
        new([.. Rules.Select(map)], CvsExclude, DeleteExcluded, _cvsHomeWords, _cvsEnvironmentWords);

    /// <summary>An empty list.</summary>
    public static FilterList Empty { get; } = new([], false, false, [], []);

    /// <summary>The rules, first match wins.</summary>
    public IReadOnlyList<FilterRule> Rules { get; }

    /// <summary>-C / --cvs-exclude was given: ":C" and "-C" follow the listed rules.</summary>
    public bool CvsExclude { get; }

    /// <summary>--delete-excluded was given: plain rules apply on the sending side only.</summary>
    public bool DeleteExcluded { get; }

    /// <summary>exclude.c: saw_xattr_filter — a rule with the 'x' modifier, which filters xattr names (-X).</summary>
    public bool HasXattrRules => Rules.Any(r => (r.Flags & FilterRuleFlags.Xattr) != 0);

    /// <summary>
    /// exclude.c: name_is_excluded(name, NAME_IS_XATTR) — the first 'x' rule (of those for this side: a sender's are
    /// the rules without 'r' only, a receiver's those without 's' only) that matches says whether the xattr name goes.
    /// </summary>
    public bool IsXattrExcluded(ReadOnlySpan<byte> name, bool sender)
    {
        foreach (FilterRule rule in Rules)
        {
            FilterRuleFlags sides = rule.Flags & FilterRuleFlags.Sides;
            if (sides != 0 && sides != FilterRuleFlags.Sides
                && (sender ? (sides & FilterRuleFlags.SenderSide) == 0 : (sides & FilterRuleFlags.ReceiverSide) == 0))
                continue;
            if (rule.MatchesXattr(name))
                return !rule.IsInclude;
        }
        return false;
    }

    /// <summary>
    /// exclude.c: name_is_excluded(name, NAME_IS_XATTR, ALL_FILTERS) — a daemon module's rules first (an exclude there
    /// is final, an include goes on), then the transfer's; null (the namespaces decide, xattrs.c) unless one of them
    /// has an 'x' rule (saw_xattr_filter, set by any rule parsed with it, the module's included).
    /// </summary>
    internal static Func<byte[], bool>? XattrExclusion(FilterList? module, FilterList? transfer, bool sender)
    {
        bool inModule = module is { HasXattrRules: true }, inTransfer = transfer is { HasXattrRules: true };
        if (!inModule && !inTransfer)
            return null;
        return name => (inModule && module!.IsXattrExcluded(name, sender)) || (inTransfer && transfer!.IsXattrExcluded(name, sender));
    }

    /// <summary>Whether the list has a per-directory merge rule, which makes the matcher read files while walking.</summary>
    public bool HasPerDirectoryMerge => CvsExclude || Rules.Any(r => (r.Flags & FilterRuleFlags.PerDirMerge) != 0);

    /// <summary>
    /// The rule strings the client sends after the session setup (rsync exclude.c send_filter_list / send_rules), each to be
    /// written as an int32 length and the bytes, followed by an int32 0. Returns null when rsync sends nothing at all,
    /// not even the 0: a push (<paramref name="localIsSender"/>) whose receiver does not want the list, i.e. without
    /// --delete (or with --delete-excluded before protocol 29) and without --prune-empty-dirs.
    /// </summary>
    /// <exception cref="RsyncException">A rule cannot be expressed in <paramref name="protocolVersion"/>
    /// ("filter rules are too modern for remote rsync.", exit code 2).</exception>
    public IReadOnlyList<byte[]>? GetWireRules(int protocolVersion, bool localIsSender, bool deleteMode, bool pruneEmptyDirs = false)
    {
        bool receiverWantsList = pruneEmptyDirs || (deleteMode && (!DeleteExcluded || protocolVersion >= 29));
        bool send = !localIsSender || receiverWantsList;

        var rules = new List<FilterRule>(Rules);
        if (CvsExclude && localIsSender)
        {
            // The sender's client appends the CVS rules before sending; a receiving client adds them afterwards,
            // leaving them to the remote sender's own -C (rsync exclude.c send_filter_list).
            if (protocolVersion >= 29)
                rules.Add(CvsPerDirectoryRule);
            rules.Add(CvsListRule);
        }

        var wire = new List<byte[]>();
        AppendWireRules(wire, rules, protocolVersion, localIsSender);
        return send ? wire : null;
    }

    private void AppendWireRules(List<byte[]> wire, List<FilterRule> rules, int protocolVersion, bool localIsSender)
    {
        foreach (FilterRule rule in rules)
        {
            if (AppliesOn(rule, localIsSender ? FilterSide.Sender : FilterSide.Receiver, DeleteExcluded)
                && !AppliesOn(rule, localIsSender ? FilterSide.Receiver : FilterSide.Sender, DeleteExcluded))
            {
                continue; // only for us: rsync elides it as a LOCAL_RULE
            }
            if ((rule.Flags & (FilterRuleFlags.CvsIgnore | FilterRuleFlags.MergeFile)) == FilterRuleFlags.CvsIgnore)
            {
                // A sender (or any side before 29) sends the expanded CVS list instead of "-C".
                if (localIsSender || protocolVersion < 29)
                {
                    AppendWireRules(wire, CreateCvsRules(protocolVersion), protocolVersion, localIsSender);
                    continue;
                }
            }
            string prefix = FilterWireFormat.GetRulePrefix(rule, protocolVersion, localIsSender, DeleteExcluded)
                ?? throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, "filter rules are too modern for remote rsync.");
            bool dirSlash = (rule.Flags & FilterRuleFlags.Directory) != 0;
            int length = prefix.Length + rule.Pattern.Length + (dirSlash ? 1 : 0);
            if (length == 0)
                continue;
            byte[] bytes = new byte[length];
            Encoding.ASCII.GetBytes(prefix, bytes);
            rule.Pattern.CopyTo(bytes, prefix.Length);
            if (dirSlash)
                bytes[^1] = (byte)'/';
            wire.Add(bytes);
        }
    }

    /// <summary>
    /// Whether <paramref name="rule"/> takes part in matching on <paramref name="side"/> (the inverse of rsync's elide
    /// marks, exclude.c send_rules): 's'/'H'/'S' rules on the sender, 'r'/'P'/'R' rules on the receiver, both modifiers
    /// on both; a plain rule on both, or with --delete-excluded on the sender only (so the receiver deletes what it
    /// excludes).
    /// </summary>
    internal static bool AppliesOn(FilterRule rule, FilterSide side, bool deleteExcluded)
    {
        FilterRuleFlags sides = rule.Flags & FilterRuleFlags.Sides;
        if (sides == FilterRuleFlags.Sides)
            return true;
        if (sides == FilterRuleFlags.SenderSide)
            return side == FilterSide.Sender;
        if (sides == FilterRuleFlags.ReceiverSide)
            return side == FilterSide.Receiver;
        if (deleteExcluded && ((rule.Flags & FilterRuleFlags.PerDirMerge) == 0 || (rule.Flags & FilterRuleFlags.NoPrefixes) != 0))
            return side == FilterSide.Sender;
        return true;
    }

    /// <summary>rsync's ":C" (per-directory .cvsignore, word split, no prefixes, not inherited).</summary>
    internal static FilterRule CvsPerDirectoryRule { get; } = FilterRule.Create(".cvsignore"u8,
        FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile | CvsIgnore.Template);

    /// <summary>rsync's "-C" (the global CVS list).</summary>
    internal static FilterRule CvsListRule { get; } = FilterRule.Create([], CvsIgnore.Template);

    internal List<FilterRule> CreateCvsRules(int protocolVersion) =>
        CvsIgnore.Build(protocolVersion >= 30, _cvsHomeWords, _cvsEnvironmentWords);

    /// <summary>
    /// A matcher for <paramref name="side"/>'s view of the list. <paramref name="options"/> give the local directory the
    /// names are relative to, needed for per-directory merge files and '/'-modifier rules.
    /// </summary>
    public FilterMatcher CreateMatcher(FilterSide side, FilterMatcherOptions? options = null) =>
        new(this, side, options ?? new FilterMatcherOptions());
}
