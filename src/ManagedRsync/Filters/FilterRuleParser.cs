using System.Text;

namespace ManagedRsync.Filters;

/// <summary>
/// Splits rule text into rules: the rule prefix (short "-", "+", ".", ":", "H", "S", "P", "R", "!" or long "exclude",
/// "include", "merge", "dir-merge", "hide", "show", "protect", "risk", "clear"), its modifiers, and the pattern
/// (rsync exclude.c parse_rule_tok). Errors are rsync's own messages with exit code 1 (RERR_SYNTAX).
/// </summary>
internal static class FilterRuleParser
{
    /// <summary>Flags a rule inherits from the merge rule (or option) it came from (rsync FILTRULES_FROM_CONTAINER).</summary>
    private const FilterRuleFlags FromContainer = FilterRuleFlags.AbsPath | FilterRuleFlags.Include
        | FilterRuleFlags.Directory | FilterRuleFlags.Negate | FilterRuleFlags.Perishable;

    private static readonly (byte[] Word, byte Short)[] LongNames =
    [
        ("clear"u8.ToArray(), (byte)'!'),
        ("dir-merge"u8.ToArray(), (byte)':'),
        ("exclude"u8.ToArray(), (byte)'-'),
        ("hide"u8.ToArray(), (byte)'H'),
        ("include"u8.ToArray(), (byte)'+'),
        ("merge"u8.ToArray(), (byte)'.'),
        ("protect"u8.ToArray(), (byte)'P'),
        ("risk"u8.ToArray(), (byte)'R'),
        ("show"u8.ToArray(), (byte)'S'),
    ];

    /// <summary>C isspace in the "C" locale.</summary>
    internal static bool IsSpace(byte c) => c == (byte)' ' || (c >= 0x09 && c <= 0x0d);

    /// <summary>
    /// Takes the next rule off the front of <paramref name="text"/>. Returns false when no rule is left.
    /// </summary>
    /// <param name="text">The rule text; advanced past the rule.</param>
    /// <param name="template">The flags of the container (option or merge rule), which decide how the text is read.</param>
    /// <param name="oldPrefixes">--include/--exclude style: only optional "- " / "+ " prefixes (rsync XFLG_OLD_PREFIXES).</param>
    /// <param name="deleteExcluded">--delete-excluded was seen: unmodified include/exclude rules become sender-side.</param>
    /// <param name="flags">The rule's flags.</param>
    /// <param name="pattern">The pattern or merge-file name.</param>
    /// <param name="source">Where the text came from when it is a file's contents ("FILE line N",
    /// <see cref="FilterFileText.Where"/>), else null: a syntax error then names that place and never the text.</param>
    public static bool TryParseNext(ref ReadOnlySpan<byte> text, FilterRuleFlags template, bool oldPrefixes,
        bool deleteExcluded, out FilterRuleFlags flags, out ReadOnlySpan<byte> pattern, string? source = null)
    {
        bool wordSplit = (template & FilterRuleFlags.WordSplit) != 0;
        if (wordSplit)
        {
            int skip = 0;
            while (skip < text.Length && IsSpace(text[skip]))
                skip++;
            text = text[skip..];
        }
        flags = FilterRuleFlags.None;
        pattern = default;
        if (text.IsEmpty)
            return false;

        ReadOnlySpan<byte> whole = text;
        flags = template & FromContainer;
        int s = 0; // index into whole where the pattern starts once prefixes are consumed

        if ((template & FilterRuleFlags.NoPrefixes) != 0)
        {
            if (whole[0] == (byte)'!' && (template & FilterRuleFlags.CvsIgnore) != 0)
                flags |= FilterRuleFlags.ClearList; // tentative, see below
        }
        else if (oldPrefixes)
        {
            if (whole.Length > 1 && whole[0] == (byte)'-' && whole[1] == (byte)' ')
            {
                flags &= ~FilterRuleFlags.Include;
                s = 2;
            }
            else if (whole.Length > 1 && whole[0] == (byte)'+' && whole[1] == (byte)' ')
            {
                flags |= FilterRuleFlags.Include;
                s = 2;
            }
            else if (whole[0] == (byte)'!')
            {
                flags |= FilterRuleFlags.ClearList; // tentative
            }
        }
        else
        {
            s = ParsePrefix(whole, template, ref flags, source);
        }

        if ((template & FilterRuleFlags.Sides) != 0)
        {
            if ((flags & FilterRuleFlags.Sides) != 0)
                throw Syntax("specified-side merge file contains specified-side filter", whole, source);
            flags |= template & FilterRuleFlags.Sides;
        }

        ReadOnlySpan<byte> rest = whole[s..];
        int len = rest.Length;
        if (wordSplit)
        {
            len = 0;
            while (len < rest.Length && !IsSpace(rest[len]))
                len++;
        }

        if ((flags & FilterRuleFlags.ClearList) != 0)
        {
            if ((template & FilterRuleFlags.NoPrefixes) == 0 && !oldPrefixes && len > 0)
                throw Syntax("'!' rule has trailing characters", whole, source);
            if (len > 1)
                flags &= ~FilterRuleFlags.ClearList; // "!foo" in an old-style list is a pattern
        }
        else if (len == 0 && (flags & FilterRuleFlags.CvsIgnore) == 0)
        {
            throw Syntax("unexpected end of filter rule", whole, source);
        }

        if (deleteExcluded && (flags & (FilterRuleFlags.Sides | FilterRuleFlags.MergeFile | FilterRuleFlags.PerDirMerge)) == 0)
            flags |= FilterRuleFlags.SenderSide;

        pattern = rest[..len];
        text = rest[len..];
        return true;
    }

    /// <summary>Reads the rule name and modifiers; returns where the pattern starts.</summary>
    private static int ParsePrefix(ReadOnlySpan<byte> whole, FilterRuleFlags template, ref FilterRuleFlags flags, string? source)
    {
        // s ends on the last byte of the rule name (or on a ',' after it), as rsync's RULE_STRCMP leaves it.
        int s = 0;
        byte ch = 0;
        foreach ((byte[] word, byte shortName) in LongNames)
        {
            if (whole[0] != word[0])
                continue;
            if (whole.StartsWith(word))
            {
                byte next = At(whole, word.Length);
                if (IsSpace(next) || next == (byte)'_' || next == 0)
                {
                    s = word.Length - 1;
                    ch = shortName;
                }
                else if (next == (byte)',')
                {
                    s = word.Length;
                    ch = shortName;
                }
            }
            break;
        }
        if (ch == 0 && !IsLongNameInitial(whole[0]))
        {
            ch = whole[0];
            if (At(whole, 1) == (byte)',')
                s = 1;
        }

        bool sideFromPrefix = false;
        switch (ch)
        {
            case (byte)':':
                flags |= FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile;
                break;
            case (byte)'.':
                flags |= FilterRuleFlags.MergeFile;
                break;
            case (byte)'+':
                flags |= FilterRuleFlags.Include;
                break;
            case (byte)'-':
                break;
            case (byte)'S':
                flags |= FilterRuleFlags.Include | FilterRuleFlags.SenderSide;
                sideFromPrefix = true;
                break;
            case (byte)'H':
                flags |= FilterRuleFlags.SenderSide;
                sideFromPrefix = true;
                break;
            case (byte)'R':
                flags |= FilterRuleFlags.Include | FilterRuleFlags.ReceiverSide;
                sideFromPrefix = true;
                break;
            case (byte)'P':
                flags |= FilterRuleFlags.ReceiverSide;
                sideFromPrefix = true;
                break;
            case (byte)'!':
                flags |= FilterRuleFlags.ClearList;
                break;
            default:
                throw Syntax("Unknown filter rule", whole, source);
        }

        if (ch != (byte)'!')
        {
            while (++s < whole.Length && whole[s] != (byte)' ' && whole[s] != (byte)'_')
            {
                byte m = whole[s];
                if ((template & FilterRuleFlags.WordSplit) != 0 && IsSpace(m))
                {
                    s--;
                    break;
                }
                if (!ApplyModifier(m, sideFromPrefix, ref flags))
                {
                    // exclude.c: rule_detail — the character and its place are the text's, dropped with it.
                    throw new RsyncException(RsyncErrorKind.Usage, source is null
                        ? $"invalid modifier '{(char)m}' at position {s} in filter rule: {Encoding.UTF8.GetString(whole)}"
                        : $"invalid modifier in filter rule: {Hidden(source)}");
                }
            }
        }
        // Step over the byte that ended the prefix (the separator, or the one-letter rule itself).
        return s < whole.Length ? s + 1 : s;
    }

    private static bool IsLongNameInitial(byte c) => c is (byte)'c' or (byte)'d' or (byte)'e' or (byte)'h' or (byte)'i'
        or (byte)'m' or (byte)'p' or (byte)'r' or (byte)'s';

    private static bool ApplyModifier(byte m, bool sideFromPrefix, ref FilterRuleFlags flags)
    {
        bool merge = (flags & FilterRuleFlags.MergeFile) != 0;
        switch (m)
        {
            case (byte)'-':
            case (byte)'+':
                if (!merge || (flags & FilterRuleFlags.NoPrefixes) != 0)
                    return false;
                flags |= FilterRuleFlags.NoPrefixes | (m == (byte)'+' ? FilterRuleFlags.Include : 0);
                return true;
            case (byte)'/':
                flags |= FilterRuleFlags.AbsPath;
                return true;
            case (byte)'!':
                // Negation belongs to a pattern, so it is no use as a merge-file default.
                if (merge)
                    return false;
                flags |= FilterRuleFlags.Negate;
                return true;
            case (byte)'C':
                if ((flags & FilterRuleFlags.NoPrefixes) != 0 || sideFromPrefix)
                    return false;
                flags |= FilterRuleFlags.NoPrefixes | FilterRuleFlags.WordSplit | FilterRuleFlags.NoInherit | FilterRuleFlags.CvsIgnore;
                return true;
            case (byte)'e':
                if (!merge)
                    return false;
                flags |= FilterRuleFlags.ExcludeSelf;
                return true;
            case (byte)'n':
                if (!merge)
                    return false;
                flags |= FilterRuleFlags.NoInherit;
                return true;
            case (byte)'p':
                flags |= FilterRuleFlags.Perishable;
                return true;
            case (byte)'r':
                if (sideFromPrefix)
                    return false;
                flags |= FilterRuleFlags.ReceiverSide;
                return true;
            case (byte)'s':
                if (sideFromPrefix)
                    return false;
                flags |= FilterRuleFlags.SenderSide;
                return true;
            case (byte)'w':
                if (!merge)
                    return false;
                flags |= FilterRuleFlags.WordSplit;
                return true;
            case (byte)'x':
                flags |= FilterRuleFlags.Xattr;
                return true;
            default:
                return false;
        }
    }

    private static byte At(ReadOnlySpan<byte> s, int i) => (uint)i < (uint)s.Length ? s[i] : (byte)0;

    internal static RsyncException Syntax(string what, ReadOnlySpan<byte> rule, string? source = null) =>
        new(RsyncErrorKind.Usage, $"{what}: {(source is null ? Encoding.UTF8.GetString(rule) : Hidden(source))}");

    /// <summary>
    /// exclude.c 3.5.0: rule_text — a rule read out of a file is never shown (the peer may choose which file is merged,
    /// so any line shown would be one it can read back): the message says where it came from instead.
    /// </summary>
    internal static string Hidden(string source) => $"<rule from {source}>";
}
