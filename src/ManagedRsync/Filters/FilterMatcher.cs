using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Filters;

/// <summary>
/// Decides whether a name is excluded, for one side's view of a <see cref="FilterList"/> (rsync exclude.c check_filter):
/// the first rule that matches wins; no match means included. Per-directory merge files (':' rules, -F, -C's
/// .cvsignore) are read when a name in a new directory is first checked: the matcher keeps the stack of directories
/// from the transfer root to the checked name's parent (rsync push_local_filters / pop_local_filters), so callers just
/// check names in any walk order (depth-first is cheapest); a directory's own rules come before those it inherits.
/// Not thread-safe. Without dir-merge rules <see cref="Check"/> allocates nothing unless a name is longer than 512 bytes.
/// </summary>
public sealed class FilterMatcher
{
    private readonly Entry[] _entries;
    private readonly FilterRule[] _cvsRules;
    private readonly PerDirectorySlot[] _slots;
    private readonly FilterSide _side;
    private readonly bool _deleteExcluded;
    private readonly FilterMatcherOptions _options;
    private readonly byte[] _absoluteBase;
    private readonly Func<string, byte[]?> _readFile;
    private readonly List<byte[]> _directories = [];

    internal FilterMatcher(FilterList list, FilterSide side, FilterMatcherOptions options)
    {
        _side = side;
        _deleteExcluded = list.DeleteExcluded;
        _options = options;
        _readFile = options.ReadFile ?? ReadIfExists;
        _absoluteBase = options.LocalRoot is null ? [] : Encoding.UTF8.GetBytes(Path.GetFullPath(options.LocalRoot).TrimStart('/').TrimEnd('/'));

        var rules = new List<FilterRule>(list.Rules);
        if (list.CvsExclude)
        {
            rules.Add(FilterList.CvsPerDirectoryRule);
            rules.Add(FilterList.CvsListRule);
        }
        var entries = new List<Entry>();
        var slots = new List<PerDirectorySlot>();
        bool needsCvs = false;
        foreach (FilterRule rule in rules)
        {
            if (!FilterList.AppliesOn(rule, side, _deleteExcluded))
                continue;
            if ((rule.Flags & FilterRuleFlags.PerDirMerge) != 0)
            {
                entries.Add(new Entry(null, slots.Count));
                slots.Add(new PerDirectorySlot(rule));
            }
            else if ((rule.Flags & FilterRuleFlags.CvsIgnore) != 0)
            {
                entries.Add(new Entry(null, CvsListSlot));
                needsCvs = true;
            }
            else
            {
                entries.Add(new Entry(rule, 0));
            }
        }
        _entries = [.. entries];
        _slots = [.. slots];
        SawXattrRules = list.HasXattrRules;
        // The matcher does not know the protocol; perishability only matters on the wire.
        _cvsRules = needsCvs ? [.. list.CreateCvsRules(protocolVersion: 32)] : [];
    }

    private const int CvsListSlot = -1;

    /// <summary>
    /// exclude.c: saw_xattr_filter — a rule with the 'x' modifier was parsed: one of the list's, or one of a
    /// per-directory merge file read so far (the flag stays set once it is). From then on the rules, not the namespaces,
    /// choose the xattr names (xattrs.c: rsync_xal_get).
    /// </summary>
    public bool SawXattrRules { get; private set; }

    /// <summary>
    /// exclude.c: name_is_excluded(name, NAME_IS_XATTR) for an xattr of the entry at <paramref name="entryPath"/>:
    /// the first 'x' rule in effect in its directory (the list's, and the per-directory merge files read down to it,
    /// innermost first as check_filter goes into a merge rule's list) that matches the name says whether it goes.
    /// </summary>
    public bool IsXattrExcluded(ReadOnlySpan<byte> entryPath, ReadOnlySpan<byte> name)
    {
        if (_slots.Length > 0)
            SyncDirectories(entryPath);
        foreach (Entry entry in _entries)
        {
            FilterResult r = entry.Rule is not null ? XattrVerdict(entry.Rule, name)
                : entry.Slot == CvsListSlot ? FilterResult.NoMatch
                : _slots[entry.Slot].CheckXattr(name);
            if (r != FilterResult.NoMatch)
                return r == FilterResult.Excluded;
        }
        return false;
    }

    private static FilterResult XattrVerdict(FilterRule rule, ReadOnlySpan<byte> name) =>
        !rule.MatchesXattr(name) ? FilterResult.NoMatch : rule.IsInclude ? FilterResult.Included : FilterResult.Excluded;

    private static FilterResult CheckXattrRules(FilterRule[] rules, ReadOnlySpan<byte> name)
    {
        foreach (FilterRule rule in rules)
        {
            FilterResult r = XattrVerdict(rule, name);
            if (r != FilterResult.NoMatch)
                return r;
        }
        return FilterResult.NoMatch;
    }

    /// <summary>
    /// Set while checking the contents of a directory that is being deleted: perishable rules (modifier 'p', and the
    /// -C defaults from protocol 30) do not protect anything there (rsync delete.c delete_item sets ignore_perishable).
    /// </summary>
    public bool IgnorePerishable { get; set; }

    /// <summary>True when <paramref name="path"/> is excluded (hidden on the sender, protected on the receiver).</summary>
    public bool IsExcluded(ReadOnlySpan<byte> path, bool isDirectory) => Check(path, isDirectory) == FilterResult.Excluded;

    /// <summary>The first matching rule's verdict for <paramref name="path"/>, relative to the transfer root.</summary>
    public FilterResult Check(ReadOnlySpan<byte> path, bool isDirectory)
    {
        if (_slots.Length > 0)
            SyncDirectories(path);
        foreach (Entry entry in _entries)
        {
            FilterResult r;
            if (entry.Rule is not null)
                r = Verdict(entry.Rule, path, isDirectory);
            else if (entry.Slot == CvsListSlot)
                r = CheckRules(_cvsRules, path, isDirectory);
            else
                r = _slots[entry.Slot].Check(this, path, isDirectory);
            if (r != FilterResult.NoMatch)
                return r;
        }
        return FilterResult.NoMatch;
    }

    /// <summary>The same check for a name given as a string (its bytes as <see cref="FileNameEncoding"/> gives them).</summary>
    public bool IsExcluded(string path, bool isDirectory)
    {
        int max = Encoding.UTF8.GetMaxByteCount(path.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = FileNameEncoding.GetBytes(path, buffer);
            return IsExcluded(buffer[..n], isDirectory);
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Makes the directory stack end at <paramref name="path"/>'s parent: leaves directories the name is not under and
    /// enters (reading their merge files) those between. The first call enters the transfer root and, for a merge name
    /// with a directory part, scans the root's parents (rsync exclude.c setup_merge_file).
    /// </summary>
    private void SyncDirectories(ReadOnlySpan<byte> path)
    {
        if (path.Length > 0 && path[0] == (byte)'/')
            path = path[1..];
        int slash = path.LastIndexOf((byte)'/');
        ReadOnlySpan<byte> parent = slash < 0 ? default : path[..slash];

        if (_directories.Count == 0)
        {
            foreach (PerDirectorySlot slot in _slots)
                slot.ScanParents(this, default);
            PushDirectory([]);
        }
        while (_directories.Count > 1 && !IsSelfOrAncestor(_directories[^1], parent))
        {
            _directories.RemoveAt(_directories.Count - 1);
            foreach (PerDirectorySlot slot in _slots)
                slot.Pop();
        }
        while (true)
        {
            byte[] top = _directories[^1];
            if (top.AsSpan().SequenceEqual(parent))
                return;
            int start = top.Length == 0 ? 0 : top.Length + 1;
            int next = parent[start..].IndexOf((byte)'/');
            PushDirectory(next < 0 ? parent.ToArray() : parent[..(start + next)].ToArray());
        }
    }

    private static bool IsSelfOrAncestor(byte[] directory, ReadOnlySpan<byte> path) =>
        directory.Length == 0
        || (path.StartsWith(directory) && (path.Length == directory.Length || path[directory.Length] == (byte)'/'));

    private void PushDirectory(byte[] relativeDirectory)
    {
        _directories.Add(relativeDirectory);
        foreach (PerDirectorySlot slot in _slots)
            slot.Push(this, relativeDirectory);
    }

    private FilterResult Verdict(FilterRule rule, ReadOnlySpan<byte> path, bool isDirectory)
    {
        if (IgnorePerishable && (rule.Flags & FilterRuleFlags.Perishable) != 0)
            return FilterResult.NoMatch;
        if (!rule.Matches(path, isDirectory, _absoluteBase))
            return FilterResult.NoMatch;
        return rule.IsInclude ? FilterResult.Included : FilterResult.Excluded;
    }

    private FilterResult CheckRules(FilterRule[] rules, ReadOnlySpan<byte> path, bool isDirectory)
    {
        foreach (FilterRule rule in rules)
        {
            FilterResult r = Verdict(rule, path, isDirectory);
            if (r != FilterResult.NoMatch)
                return r;
        }
        return FilterResult.NoMatch;
    }

    private static byte[]? ReadIfExists(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private readonly record struct Entry(FilterRule? Rule, int Slot);

    /// <summary>One dir-merge rule's stack of per-directory rule lists (rsync: the rule's mergelist).</summary>
    private sealed class PerDirectorySlot
    {
        private readonly FilterRule _mergeRule;
        private readonly List<FilterRule[]> _levels = [];
        private byte[] _fileName;
        private FilterRule[] _parentRules = [];

        public PerDirectorySlot(FilterRule mergeRule)
        {
            _mergeRule = mergeRule;
            _fileName = mergeRule.Pattern;
        }

        private bool Inherits => (_mergeRule.Flags & FilterRuleFlags.NoInherit) == 0;

        public FilterResult Check(FilterMatcher owner, ReadOnlySpan<byte> path, bool isDirectory)
        {
            for (int i = _levels.Count - 1; i >= 0; i--)
            {
                FilterResult r = owner.CheckRules(_levels[i], path, isDirectory);
                if (r != FilterResult.NoMatch || !Inherits)
                    return r;
            }
            return Inherits ? owner.CheckRules(_parentRules, path, isDirectory) : FilterResult.NoMatch;
        }

        public FilterResult CheckXattr(ReadOnlySpan<byte> name)
        {
            for (int i = _levels.Count - 1; i >= 0; i--)
            {
                FilterResult r = CheckXattrRules(_levels[i], name);
                if (r != FilterResult.NoMatch || !Inherits)
                    return r;
            }
            return Inherits ? CheckXattrRules(_parentRules, name) : FilterResult.NoMatch;
        }

        public void Push(FilterMatcher owner, ReadOnlySpan<byte> relativeDirectory)
        {
            string? root = owner._options.LocalRoot;
            if (root is null)
            {
                _levels.Add([]);
                return;
            }
            string dir = relativeDirectory.IsEmpty ? root : Path.Combine(root, Encoding.UTF8.GetString(relativeDirectory));
            string path = Path.Combine(dir, Encoding.UTF8.GetString(_fileName));
            byte[]? content = owner._readFile(path);
            _levels.Add(content is null ? [] : [.. owner.ParseMergeFile(_mergeRule, content, relativeDirectory, absolute: false, Path.GetFullPath(path))]);
        }

        public void Pop() => _levels.RemoveAt(_levels.Count - 1);

        /// <summary>
        /// rsync exclude.c setup_merge_file: a merge name with a directory part ("/.rsync-filter") that names a parent of
        /// the first transfer directory makes rsync read the file in every directory from there down to that parent.
        /// </summary>
        public void ScanParents(FilterMatcher owner, ReadOnlySpan<byte> firstDirectory)
        {
            int slash = Array.LastIndexOf(_fileName, (byte)'/');
            if (slash < 0)
                return;
            string? root = owner._options.LocalRoot;
            string name = Encoding.UTF8.GetString(_fileName);
            _fileName = _fileName[(slash + 1)..];
            if (root is null)
                return;
            string first = Path.GetFullPath(firstDirectory.IsEmpty ? root : Path.Combine(root, Encoding.UTF8.GetString(firstDirectory)));
            string start = Path.GetFullPath(Path.GetDirectoryName(Path.Combine(first, name)) ?? "/");
            string firstWithSlash = first.TrimEnd('/') + "/";
            string startWithSlash = start.TrimEnd('/') + "/";
            if (!firstWithSlash.StartsWith(startWithSlash, StringComparison.Ordinal) || firstWithSlash == startWithSlash)
                return;

            var rules = new List<FilterRule>();
            string dir = startWithSlash;
            while (true)
            {
                string path = dir + Encoding.UTF8.GetString(_fileName);
                byte[]? content = owner._readFile(path);
                if (content is not null)
                {
                    byte[] anchor = Encoding.UTF8.GetBytes(dir.Trim('/'));
                    var parsed = owner.ParseMergeFile(_mergeRule, content, anchor, absolute: true, path);
                    // Each deeper directory's rules go first, as rsync prepends local rules to inherited ones.
                    rules.InsertRange(0, parsed);
                    if (!Inherits)
                        rules.RemoveRange(parsed.Count, rules.Count - parsed.Count);
                }
                int next = firstWithSlash.IndexOf('/', dir.Length);
                if (next < 0 || next + 1 >= firstWithSlash.Length)
                    break;
                dir = firstWithSlash[..(next + 1)];
            }
            _parentRules = [.. rules];
        }
    }

    /// <summary>
    /// Parses one per-directory merge file (rsync parse_filter_file with XFLG_ANCHORED2ABS): anchored patterns are
    /// anchored at the file's directory; '.' merges inside are read relative to that directory; nested dir-merge
    /// rules are not supported and are ignored. A rule that cannot be parsed is named by its place, never its text
    /// (exclude.c 3.5.0: rule_text): <paramref name="file"/> and its line, or, for a file whose name came out of another's
    /// contents (<paramref name="namedByFile"/>), "a file named at" the place that named it.
    /// </summary>
    private List<FilterRule> ParseMergeFile(FilterRule mergeRule, byte[] content, ReadOnlySpan<byte> directory, bool absolute, string file,
        bool namedByFile = false, int depth = 0)
    {
        var rules = new List<FilterRule>();
        FilterRuleFlags template = mergeRule.Flags & ~(FilterRuleFlags.PerDirMerge | FilterRuleFlags.ExcludeSelf);
        bool wordSplit = (template & FilterRuleFlags.WordSplit) != 0;
        foreach ((byte[] line, int number) in FilterFileText.SplitNumbered(content, _options.EolNulls, wordSplit))
        {
            ReadOnlySpan<byte> text = line;
            string source = namedByFile ? $"a file named at {file}" : FilterFileText.Where(file, number);
            while (FilterRuleParser.TryParseNext(ref text, template, oldPrefixes: false, _deleteExcluded, out FilterRuleFlags flags, out ReadOnlySpan<byte> pattern, source))
            {
                if ((flags & FilterRuleFlags.ClearList) != 0)
                {
                    rules.Clear();
                    continue;
                }
                if ((flags & FilterRuleFlags.MergeFile) != 0)
                {
                    if ((flags & FilterRuleFlags.PerDirMerge) == 0 && depth < 32 && _options.LocalRoot is not null)
                    {
                        string dir = absolute ? "/" + Encoding.UTF8.GetString(directory)
                            : Path.Combine(_options.LocalRoot, Encoding.UTF8.GetString(directory));
                        byte[]? nested = _readFile(Path.Combine(dir, Encoding.UTF8.GetString(pattern)));
                        if (nested is not null)
                            rules.AddRange(ParseMergeFile(FilterRule.Create(pattern, flags), nested, directory, absolute, source, namedByFile: true, depth + 1));
                    }
                    continue;
                }
                FilterRule rule = FilterRule.Create(pattern, flags, directory, absolute);
                if ((flags & FilterRuleFlags.Xattr) != 0)
                    SawXattrRules = true;
                // rsync add_rule drops a rule meant only for the other side while reading per-directory files.
                if (FilterList.AppliesOn(rule, _side, _deleteExcluded))
                    rules.Add(rule);
            }
        }
        return rules;
    }
}
