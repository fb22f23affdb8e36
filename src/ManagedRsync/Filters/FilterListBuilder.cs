using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Filters;

/// <summary>
/// Builds a <see cref="FilterList"/> from filter options given in command-line order (rsync options.c and exclude.c
/// parse_filter_str / parse_filter_file): merge files ('.') are read in place, dir-merge rules (':') stay in the list
/// for the matcher to read per directory, "!" / "clear" empties the list so far.
/// </summary>
public sealed class FilterListBuilder
{
    /// <summary>rsync MAX_MERGE_DEPTH: merge files nested deeper than this are refused.</summary>
    private const int MaxMergeDepth = 32;

    /// <summary>rsync MAXPATHLEN: a longer pattern is discarded (exclude.c parse_filter_str).</summary>
    private const int MaxPatternLength = 4096;

    private readonly List<FilterRule> _rules = [];
    private readonly Func<string, byte[]> _readFile;
    private readonly Func<byte[]> _readStdin;
    private readonly string? _homeDirectory;
    private readonly string? _cvsIgnoreVariable;
    private byte[]? _cvsHomeWords;
    private int _mergeDepth;
    private int _filterShortcutCount;
    private bool _cvsExclude;

    /// <param name="readFile">Reads a rule file by path; throws (FileNotFoundException, IOException, ...) when it cannot.
    /// Defaults to <see cref="File.ReadAllBytes(string)"/>.</param>
    /// <param name="readStdin">Reads standard input for a "-" file name. Defaults to the process's stdin.</param>
    /// <param name="homeDirectory">Where -C looks for .cvsignore. Defaults to $HOME.</param>
    /// <param name="cvsIgnoreVariable">The -C extra words. Defaults to $CVSIGNORE.</param>
    public FilterListBuilder(Func<string, byte[]>? readFile = null, Func<byte[]>? readStdin = null,
        string? homeDirectory = null, string? cvsIgnoreVariable = null)
    {
        _readFile = readFile ?? File.ReadAllBytes;
        _readStdin = readStdin ?? ReadProcessStdin;
        _homeDirectory = homeDirectory ?? Environment.GetEnvironmentVariable("HOME");
        _cvsIgnoreVariable = cvsIgnoreVariable ?? Environment.GetEnvironmentVariable("CVSIGNORE");
    }

    /// <summary>--delete-excluded seen so far: rules added from now on become sender-side.</summary>
    public bool DeleteExcluded { get; set; }

    /// <summary>--from0 seen so far: rule files end lines with NUL.</summary>
    public bool From0 { get; set; }

    /// <summary>Adds one option in command-line order.</summary>
    /// <exception cref="RsyncException">A bad rule (exit code 1) or an unreadable rule file (exit code 11).</exception>
    public FilterListBuilder Add(FilterOptionKind kind, string? value = null)
    {
        switch (kind)
        {
            case FilterOptionKind.Exclude:
                ParseString(Bytes(value), FilterRuleFlags.None, oldPrefixes: true);
                break;
            case FilterOptionKind.Include:
                ParseString(Bytes(value), FilterRuleFlags.Include, oldPrefixes: true);
                break;
            case FilterOptionKind.Filter:
                ParseString(Bytes(value), FilterRuleFlags.None, oldPrefixes: false);
                break;
            case FilterOptionKind.ExcludeFrom:
            case FilterOptionKind.IncludeFrom:
                ParseFile(value ?? "", kind == FilterOptionKind.IncludeFrom ? FilterRuleFlags.Include : FilterRuleFlags.None, oldPrefixes: true);
                break;
            case FilterOptionKind.CvsExclude:
                _cvsExclude = true;
                LoadCvsExtras();
                break;
            case FilterOptionKind.FilterShortcut:
                // rsync options.c case 'F'.
                switch (++_filterShortcutCount)
                {
                    case 1:
                        ParseString(": /.rsync-filter"u8, FilterRuleFlags.None, oldPrefixes: false);
                        break;
                    case 2:
                        ParseString("- .rsync-filter"u8, FilterRuleFlags.None, oldPrefixes: false);
                        break;
                }
                break;
            case FilterOptionKind.DeleteExcluded:
                DeleteExcluded = true;
                break;
            case FilterOptionKind.From0:
                From0 = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return this;
    }

    /// <summary>Adds rule text with the full filter syntax, as --filter does.</summary>
    public FilterListBuilder AddFilter(string rule) => Add(FilterOptionKind.Filter, rule);

    /// <summary>Adds an --exclude pattern.</summary>
    public FilterListBuilder AddExclude(string pattern) => Add(FilterOptionKind.Exclude, pattern);

    /// <summary>Adds an --include pattern.</summary>
    public FilterListBuilder AddInclude(string pattern) => Add(FilterOptionKind.Include, pattern);

    /// <summary>
    /// Adds one rule as it arrives from the peer (rsync exclude.c: recv_filter_list parses each with
    /// parse_filter_str and rule_template(0); before protocol 29 with the old prefixes).
    /// </summary>
    internal FilterListBuilder AddWireRule(ReadOnlySpan<byte> rule, int protocol)
    {
        ParseString(rule, FilterRuleFlags.None, oldPrefixes: protocol < 29);
        return this;
    }

    /// <summary>The list built so far.</summary>
    public FilterList Build() =>
        new(new List<FilterRule>(_rules), _cvsExclude, DeleteExcluded, _cvsHomeWords ?? [],
            Bytes(_cvsIgnoreVariable));

    private static byte[] Bytes(string? s) => s is null ? [] : Encoding.UTF8.GetBytes(s);

    private static byte[] ReadProcessStdin()
    {
        using Stream stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// rsync exclude.c parse_filter_str into the top-level list; <c>source</c> is where the text is in a file it came
    /// out of (exclude.c: rule_src_where), else null.
    /// </summary>
    private void ParseString(ReadOnlySpan<byte> text, FilterRuleFlags template, bool oldPrefixes, string? source = null)
    {
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            text = text[..nul];
        while (FilterRuleParser.TryParseNext(ref text, template, oldPrefixes, DeleteExcluded, out FilterRuleFlags flags, out ReadOnlySpan<byte> pattern, source))
        {
            if (pattern.Length >= MaxPatternLength)
                continue; // rsync: "discarding over-long filter"
            if ((flags & FilterRuleFlags.ClearList) != 0)
            {
                _rules.Clear();
                continue;
            }
            if ((flags & FilterRuleFlags.MergeFile) != 0)
            {
                if (pattern.IsEmpty)
                    pattern = ".cvsignore"u8;
                if ((flags & FilterRuleFlags.ExcludeSelf) != 0)
                {
                    int slash = pattern.LastIndexOf((byte)'/');
                    _rules.Add(FilterRule.Create(pattern[(slash + 1)..], FilterRuleFlags.None));
                    flags &= ~FilterRuleFlags.ExcludeSelf;
                }
                if ((flags & FilterRuleFlags.PerDirMerge) == 0)
                {
                    ParseFile(Encoding.UTF8.GetString(pattern), flags, oldPrefixes: false, namedAt: source);
                    continue;
                }
                if (IsDuplicatePerDirMerge(pattern))
                    continue;
            }
            _rules.Add(FilterRule.Create(pattern, flags));
            if ((flags & (FilterRuleFlags.CvsIgnore | FilterRuleFlags.MergeFile)) == FilterRuleFlags.CvsIgnore)
                LoadCvsExtras();
        }
    }

    /// <summary>rsync add_rule: a second dir-merge of a file name already merged per directory is dropped.</summary>
    private bool IsDuplicatePerDirMerge(ReadOnlySpan<byte> name)
    {
        ReadOnlySpan<byte> baseName = name[(name.LastIndexOf((byte)'/') + 1)..];
        foreach (FilterRule r in _rules)
        {
            if ((r.Flags & FilterRuleFlags.PerDirMerge) == 0)
                continue;
            ReadOnlySpan<byte> existing = r.Pattern;
            if (existing[(existing.LastIndexOf((byte)'/') + 1)..].SequenceEqual(baseName))
                return true;
        }
        return false;
    }

    /// <summary>
    /// How a merge file's name is shown in messages when it is not the name as written (a daemon shows what
    /// exclude.c: parse_merge_name made of it, beneath the module's directory); null shows it as written.
    /// </summary>
    public Func<string, string>? ShownName { get; init; }

    /// <summary>
    /// rsync exclude.c parse_filter_file for --exclude-from, --include-from and '.' merge rules. <c>namedAt</c> is where
    /// the name was read when it came out of another file's contents: then neither the name nor why it could not be
    /// opened is shown (exclude.c 3.5.0: TEXT_FROM_FILE; the errno would tell whether the path exists), and its own
    /// rules are "a file named at" that place.
    /// </summary>
    private void ParseFile(string name, FilterRuleFlags template, bool oldPrefixes, string? namedAt = null)
    {
        if (name.Length == 0)
            return;
        string kind = (template & FilterRuleFlags.Include) != 0 ? "include" : "exclude";
        if (_mergeDepth >= MaxMergeDepth)
        {
            throw new RsyncException(RsyncErrorKind.FileIo,
                $"merge-file include depth limit ({MaxMergeDepth}) exceeded at {name}");
        }

        byte[] content;
        try
        {
            content = name == "-" ? _readStdin() : _readFile(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (namedAt is not null)
                throw new RsyncException(RsyncErrorKind.FileIo, $"failed to open {kind} file {FilterRuleParser.Hidden(namedAt)}");
            throw new RsyncException(RsyncErrorKind.FileIo,
                $"failed to open {kind} file {ShownName?.Invoke(name) ?? name}: {SystemError.Describe(e)}", e);
        }

        _mergeDepth++;
        try
        {
            bool wordSplit = (template & FilterRuleFlags.WordSplit) != 0;
            string? file = namedAt is null ? ShownName?.Invoke(name) ?? name : null;
            foreach ((byte[] line, int number) in FilterFileText.SplitNumbered(content, From0, wordSplit))
                ParseString(line, template, oldPrefixes, file is null ? $"a file named at {namedAt}" : FilterFileText.Where(file, number));
        }
        finally
        {
            _mergeDepth--;
        }
    }

    /// <summary>The parts of the -C list that come from the environment (rsync exclude.c get_cvs_excludes).</summary>
    private void LoadCvsExtras()
    {
        if (_cvsHomeWords is not null)
            return;
        _cvsHomeWords = [];
        if (string.IsNullOrEmpty(_homeDirectory))
            return;
        try
        {
            _cvsHomeWords = _readFile(Path.Combine(_homeDirectory, ".cvsignore"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing ~/.cvsignore is normal; rsync ignores it silently.
        }
    }
}
