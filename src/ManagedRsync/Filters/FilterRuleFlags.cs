namespace ManagedRsync.Filters;

/// <summary>
/// What a filter rule is and how it matches. The members keep rsync's FILTRULE_* names (rsync rsync.h) so that
/// the upstream code and these notes can be read side by side; the numeric values are ours and never go on the wire.
/// </summary>
[Flags]
public enum FilterRuleFlags
{
    /// <summary>No modifier.</summary>
    None = 0,
    /// <summary>The pattern has '*', '[' or '?' (FILTRULE_WILD).</summary>
    Wild = 1 << 0,
    /// <summary>The pattern has "**" (FILTRULE_WILD2).</summary>
    Wild2 = 1 << 1,
    /// <summary>The pattern starts with "**" (FILTRULE_WILD2_PREFIX).</summary>
    Wild2Prefix = 1 << 2,
    /// <summary>The pattern ends with "***" (FILTRULE_WILD3_SUFFIX).</summary>
    Wild3Suffix = 1 << 3,
    /// <summary>Match against the absolute path, modifier '/' (FILTRULE_ABS_PATH).</summary>
    AbsPath = 1 << 4,
    /// <summary>An include, not an exclude (FILTRULE_INCLUDE).</summary>
    Include = 1 << 5,
    /// <summary>Matches directories only: the pattern had a trailing '/' (FILTRULE_DIRECTORY).</summary>
    Directory = 1 << 6,
    /// <summary>Merge file: split rules on whitespace, modifier 'w' (FILTRULE_WORD_SPLIT).</summary>
    WordSplit = 1 << 7,
    /// <summary>Merge file: rules are not inherited by subdirectories, modifier 'n' (FILTRULE_NO_INHERIT).</summary>
    NoInherit = 1 << 8,
    /// <summary>Merge file: lines carry no rule prefixes, modifiers '+' / '-' (FILTRULE_NO_PREFIXES).</summary>
    NoPrefixes = 1 << 9,
    /// <summary>The rule names a file of rules to merge, '.' or ':' (FILTRULE_MERGE_FILE).</summary>
    MergeFile = 1 << 10,
    /// <summary>The merge file is looked up in every directory, ':' dir-merge (FILTRULE_PERDIR_MERGE).</summary>
    PerDirMerge = 1 << 11,
    /// <summary>Merge file: exclude the merge file itself, modifier 'e' (FILTRULE_EXCLUDE_SELF).</summary>
    ExcludeSelf = 1 << 12,
    /// <summary>The rule matches when the pattern does not, modifier '!' (FILTRULE_NEGATE).</summary>
    Negate = 1 << 14,
    /// <summary>-C / :C, the CVS ignore list, modifier 'C' (FILTRULE_CVS_IGNORE).</summary>
    CvsIgnore = 1 << 15,
    /// <summary>Applies on the sending side: 'H', 'S', modifier 's' (FILTRULE_SENDER_SIDE).</summary>
    SenderSide = 1 << 16,
    /// <summary>Applies on the receiving side: 'P', 'R', modifier 'r' (FILTRULE_RECEIVER_SIDE).</summary>
    ReceiverSide = 1 << 17,
    /// <summary>The '!' token: clears the list so far (FILTRULE_CLEAR_LIST).</summary>
    ClearList = 1 << 18,
    /// <summary>Ignored when the directory is being deleted anyway, modifier 'p' (FILTRULE_PERISHABLE).</summary>
    Perishable = 1 << 19,
    /// <summary>Applies to xattr names, not file names, modifier 'x' (FILTRULE_XATTR).</summary>
    Xattr = 1 << 20,

    /// <summary>Both side flags (FILTRULES_SIDES).</summary>
    Sides = SenderSide | ReceiverSide,
}
