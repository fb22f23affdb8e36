namespace ManagedRsync.Filters;

/// <summary>
/// How a rule is spelled: the short prefix with modifiers (rsync exclude.c get_rule_prefix), made compatible with the
/// peer's protocol when it is for the wire.
/// </summary>
internal static class FilterWireFormat
{
    /// <summary>Room for ":MODS " (rsync MAX_RULE_PREFIX = 16).</summary>
    private const int MaxRulePrefix = 16;

    /// <summary>
    /// The prefix for <paramref name="rule"/>, including its trailing space, or null when the peer's protocol cannot
    /// express the rule. <paramref name="protocolVersion"/> null means "for display" (every modifier shown).
    /// Before protocol 29 only "+ " and "- " exist, and "- " is written only when the pattern itself starts with
    /// "- " or "+ " (otherwise the bare pattern is an exclude); 's' and 'r' need 29, 'p' needs 30.
    /// </summary>
    public static string? GetRulePrefix(FilterRule rule, int? protocolVersion, bool localIsSender, bool deleteExcluded)
    {
        FilterRuleFlags f = rule.Flags;
        bool forXfer = protocolVersion is not null;
        int protocol = protocolVersion ?? int.MaxValue;
        int legalLength = forXfer && protocol < 29 ? 1 : MaxRulePrefix - 1;
        Span<char> buf = stackalloc char[MaxRulePrefix + 1];
        int n = 0;

        if ((f & FilterRuleFlags.PerDirMerge) != 0)
        {
            if (legalLength == 1)
                return null;
            buf[n++] = ':';
        }
        else if ((f & FilterRuleFlags.Include) != 0)
        {
            buf[n++] = '+';
        }
        else if (legalLength != 1 || LooksPrefixed(rule.Pattern))
        {
            buf[n++] = '-';
        }
        else
        {
            legalLength = 0;
        }

        if ((f & FilterRuleFlags.AbsPath) != 0)
            buf[n++] = '/';
        if ((f & FilterRuleFlags.Negate) != 0)
            buf[n++] = '!';
        if ((f & FilterRuleFlags.CvsIgnore) != 0)
        {
            buf[n++] = 'C';
        }
        else
        {
            if ((f & FilterRuleFlags.NoInherit) != 0)
                buf[n++] = 'n';
            if ((f & FilterRuleFlags.WordSplit) != 0)
                buf[n++] = 'w';
            if ((f & FilterRuleFlags.NoPrefixes) != 0)
                buf[n++] = (f & FilterRuleFlags.Include) != 0 ? '+' : '-';
        }
        if ((f & FilterRuleFlags.ExcludeSelf) != 0)
            buf[n++] = 'e';
        if ((f & FilterRuleFlags.Xattr) != 0)
            buf[n++] = 'x';
        if ((f & FilterRuleFlags.SenderSide) != 0 && (!forXfer || protocol >= 29))
            buf[n++] = 's';
        if ((f & FilterRuleFlags.ReceiverSide) != 0 && (!forXfer || protocol >= 29 || (deleteExcluded && localIsSender)))
            buf[n++] = 'r';
        if ((f & FilterRuleFlags.Perishable) != 0)
        {
            if (!forXfer || protocol >= 30)
                buf[n++] = 'p';
            else if (localIsSender)
                return null;
        }
        if (n > legalLength)
            return null;
        if (legalLength > 0)
            buf[n++] = ' ';
        return new string(buf[..n]);
    }

    private static bool LooksPrefixed(byte[] pattern) =>
        pattern.Length > 1 && (pattern[0] == (byte)'-' || pattern[0] == (byte)'+') && pattern[1] == (byte)' ';
}
