using System.Buffers;
using System.Text;

namespace ManagedRsync.Filters;

/// <summary>
/// One parsed filter rule: its pattern as bytes (a trailing '/' already turned into <see cref="FilterRuleFlags.Directory"/>),
/// what kind of rule it is, and the precomputed facts rsync keeps to match it quickly (rsync exclude.c: add_rule).
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit] // the join buffer is written before it is read
public sealed class FilterRule
{
    private const int StackJoinLimit = 512;

    private FilterRule(byte[] pattern, FilterRuleFlags flags, int slashCount)
    {
        Pattern = pattern;
        Flags = flags;
        SlashCount = slashCount;
        // "*.o" and the like: a star and a literal tail, matched against the last component only. For such a name
        // (no '/') wildmatch reduces to "ends with the tail", which skips the matcher's recursion.
        if (slashCount == 0 && pattern.Length > 1 && pattern[0] == (byte)'*'
            && pattern.AsSpan(1).IndexOfAny("*?[\\"u8) < 0)
        {
            _starSuffix = pattern[1..];
        }
    }

    private readonly byte[]? _starSuffix;

    /// <summary>The pattern (or, for a merge rule, the merge-file name) without the rule prefix.</summary>
    public byte[] Pattern { get; }

    /// <summary>The rule's kind and modifiers.</summary>
    public FilterRuleFlags Flags { get; }

    /// <summary>Slashes in the pattern (rsync filter_rule.u.slash_cnt), which decides how many trailing name elements it sees.</summary>
    public int SlashCount { get; }

    /// <summary>Whether a match includes (true) or excludes (false).</summary>
    public bool IsInclude => (Flags & FilterRuleFlags.Include) != 0;

    /// <summary>
    /// Builds the stored rule from a parsed pattern, as rsync exclude.c add_rule does: strip a trailing '/' into the
    /// directory flag, prefix <paramref name="anchorDirectory"/> (a per-directory merge file's directory, relative to the
    /// transfer root, no trailing slash) to an anchored pattern, and note the wildcard shape.
    /// </summary>
    /// <remarks>With <paramref name="absolute"/> the anchor is an absolute directory (without its leading '/') above the
    /// transfer root, and the rule gets <see cref="FilterRuleFlags.AbsPath"/> to be matched against the absolute name.</remarks>
    internal static FilterRule Create(ReadOnlySpan<byte> pattern, FilterRuleFlags flags, ReadOnlySpan<byte> anchorDirectory = default, bool absolute = false)
    {
        flags &= ~(FilterRuleFlags.Wild | FilterRuleFlags.Wild2 | FilterRuleFlags.Wild2Prefix | FilterRuleFlags.Wild3Suffix);
        if (pattern.Length > 1 && pattern[^1] == (byte)'/')
        {
            pattern = pattern[..^1];
            flags |= FilterRuleFlags.Directory;
        }

        byte[] stored;
        bool anchor = pattern.Length > 0 && pattern[0] == (byte)'/'
            && (flags & (FilterRuleFlags.AbsPath | FilterRuleFlags.MergeFile)) == 0;
        if (anchor && absolute)
            flags |= FilterRuleFlags.AbsPath;
        if (anchor && !anchorDirectory.IsEmpty)
        {
            // rsync makes this pattern absolute (dirbuf + pattern, matched against curr_dir + name); anchoring it at the
            // directory's path from the transfer root is the same test in the file list's own name space.
            stored = new byte[1 + anchorDirectory.Length + pattern.Length];
            stored[0] = (byte)'/';
            anchorDirectory.CopyTo(stored.AsSpan(1));
            pattern.CopyTo(stored.AsSpan(1 + anchorDirectory.Length));
        }
        else
        {
            stored = pattern.ToArray();
        }

        int slashes = stored.AsSpan().Count((byte)'/');
        if (stored.AsSpan().IndexOfAny("*[?"u8) >= 0)
        {
            flags |= FilterRuleFlags.Wild;
            int star2 = stored.AsSpan().IndexOf("**"u8);
            if (star2 >= 0)
            {
                flags |= FilterRuleFlags.Wild2;
                if (star2 == 0)
                    flags |= FilterRuleFlags.Wild2Prefix;
                if (stored.AsSpan().EndsWith("***"u8))
                    flags |= FilterRuleFlags.Wild3Suffix;
            }
        }
        return new FilterRule(stored, flags, slashes);
    }

    /// <summary>
    /// exclude.c: add_rule with XFLG_DIR2WILD3 (a daemon module's own rules, clientserver.c: rsync_module) — an exclude
    /// rule for a directory ("/dir/") becomes "/dir/***", which also excludes everything beneath it; other rules are
    /// kept as they are.
    /// </summary>
    internal FilterRule WithDirectoryAsSubtree()
    {
        if ((Flags & (FilterRuleFlags.Directory | FilterRuleFlags.Include)) != FilterRuleFlags.Directory)
            return this;
        return Create([.. Pattern, .. "/***"u8], Flags & ~FilterRuleFlags.Directory);
    }

    /// <summary>
    /// Whether the rule fires for <paramref name="path"/> (relative to the transfer root, as in the file list), following
    /// rsync exclude.c rule_matches: a pattern without '/' or "**" sees only the last component; one with an inner '/'
    /// sees the last SlashCount+1 components; a leading '/' anchors at the root; "**" not at the start may match after
    /// any '/'; a trailing "/***" also matches the directory itself; a directory-only rule never fires on a non-directory
    /// (so a negated one does).
    /// </summary>
    /// <param name="path">The name, bytes as on disk.</param>
    /// <param name="isDirectory">Whether the name is a directory.</param>
    /// <param name="absoluteBase">For '/'-modifier rules: the absolute directory the names are relative to, without the
    /// leading '/' (rsync curr_dir). Empty when unknown or '/'.</param>
    public bool Matches(ReadOnlySpan<byte> path, bool isDirectory, ReadOnlySpan<byte> absoluteBase = default) =>
        (Flags & FilterRuleFlags.Xattr) == 0 && MatchesName(path, isDirectory, absoluteBase);

    /// <summary>
    /// Whether an 'x' rule fires for the xattr name <paramref name="name"/> (exclude.c: rule_matches with NAME_IS_XATTR:
    /// only the 'x' rules see xattr names, matched as a non-directory's name).
    /// </summary>
    public bool MatchesXattr(ReadOnlySpan<byte> name) =>
        (Flags & FilterRuleFlags.Xattr) != 0 && MatchesName(name, isDirectory: false, default);

    private bool MatchesName(ReadOnlySpan<byte> path, bool isDirectory, ReadOnlySpan<byte> absoluteBase)
    {
        bool rooted = path.Length > 0 && path[0] == (byte)'/';
        ReadOnlySpan<byte> name = rooted ? path[1..] : path;
        if (name.IsEmpty)
            return false;

        bool onMatch = (Flags & FilterRuleFlags.Negate) == 0;
        ReadOnlySpan<byte> prefix = default;
        bool prefixSlash = false;
        if (SlashCount == 0 && (Flags & FilterRuleFlags.Wild2) == 0)
        {
            int slash = name.LastIndexOf((byte)'/');
            if (slash >= 0)
                name = name[(slash + 1)..];
        }
        else if ((Flags & FilterRuleFlags.AbsPath) != 0 && !rooted && !absoluteBase.IsEmpty)
        {
            prefix = absoluteBase;
            prefixSlash = true;
        }
        else if ((Flags & FilterRuleFlags.Wild2Prefix) != 0 && !rooted)
        {
            // Lets "**/x" match x at the top too.
            prefixSlash = true;
        }

        bool dirSuffix = false;
        if (isDirectory)
            dirSuffix = (Flags & FilterRuleFlags.Wild3Suffix) != 0;
        else if ((Flags & FilterRuleFlags.Directory) != 0)
            return !onMatch;

        ReadOnlySpan<byte> pattern = Pattern;
        bool anchored = pattern.Length > 0 && pattern[0] == (byte)'/';
        if (anchored)
            pattern = pattern[1..];

        int where;
        if (!anchored && SlashCount > 0 && (Flags & FilterRuleFlags.Wild2) == 0)
            where = SlashCount + 1;
        else if (!anchored && (Flags & (FilterRuleFlags.Wild2 | FilterRuleFlags.Wild2Prefix)) == FilterRuleFlags.Wild2)
            where = -1;
        else
            where = 0;

        bool joined = prefixSlash || dirSuffix;
        bool matched;
        if (!joined)
        {
            if (_starSuffix is not null)
                matched = name.EndsWith(_starSuffix);
            else if ((Flags & FilterRuleFlags.Wild) != 0)
                matched = WildMatch.IsMatch(pattern, name, where);
            else if (anchored)
                matched = name.SequenceEqual(pattern);
            else
                matched = name.EndsWith(pattern) && (name.Length == pattern.Length || name[name.Length - pattern.Length - 1] == (byte)'/');
            return matched ? onMatch : !onMatch;
        }

        int length = prefix.Length + (prefixSlash ? 1 : 0) + name.Length + (dirSuffix ? 1 : 0);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackJoinLimit ? stackalloc byte[StackJoinLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int at = 0;
            prefix.CopyTo(buffer);
            at += prefix.Length;
            if (prefixSlash)
                buffer[at++] = (byte)'/';
            name.CopyTo(buffer[at..]);
            at += name.Length;
            if (dirSuffix)
                buffer[at++] = (byte)'/';
            ReadOnlySpan<byte> text = buffer[..at];
            matched = (Flags & FilterRuleFlags.Wild) != 0
                ? WildMatch.IsMatch(pattern, text, where)
                : WildMatch.IsLiteralMatch(pattern, text, where);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
        return matched ? onMatch : !onMatch;
    }

    /// <summary>The rule in rsync's long-form-free display syntax, e.g. "-/ pattern" (rsync get_rule_prefix, not for the wire).</summary>
    public override string ToString()
    {
        string prefix = FilterWireFormat.GetRulePrefix(this, protocolVersion: null, localIsSender: true, deleteExcluded: false) ?? "";
        return prefix + Encoding.UTF8.GetString(Pattern) + ((Flags & FilterRuleFlags.Directory) != 0 ? "/" : "");
    }
}
