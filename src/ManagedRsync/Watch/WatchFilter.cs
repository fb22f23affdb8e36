using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// The filter rules of `mrsync watch` (--exclude, --include, --filter, --exclude-from, --include-from, in command-line
/// order), matched by the same Filters engine and the same <see cref="FilterList"/> that its pushes send, so what the
/// watcher ignores is exactly what a push of the whole tree would leave out (rsync exclude.c check_filter: first
/// match wins; a pattern with a '/' is anchored at the transfer root, a trailing '/' matches directories only).
/// <para>
/// Directories the watcher may not read (permission denied) are put in front of the pushed rules as a sender-side
/// hide and a receiver-side protect ("H /dir/", "P /dir/", rsync(1) FILTER RULES): the push does not try to read them
/// (an unreadable directory makes stock rsync skip every deletion of the run: "IO error encountered -- skipping file
/// deletion", generator.c/main.c io_error), and the replica's copy is never deleted, even with --delete-excluded.
/// </para>
/// </summary>
public sealed class WatchFilter
{
    private readonly string _root;
    private readonly Lock _lock = new();
    private readonly SortedSet<RawPath> _denied = [];
    private FilterList? _current;

    /// <summary>The rules <paramref name="list"/> for the tree at <paramref name="sourceRoot"/>.</summary>
    public WatchFilter(FilterList list, string sourceRoot)
    {
        ArgumentNullException.ThrowIfNull(list);
        List = list;
        _root = Path.GetFullPath(sourceRoot);
    }

    /// <summary>The rules as given.</summary>
    public FilterList List { get; }

    /// <summary>No rule and no -C: nothing is excluded.</summary>
    public bool IsEmpty => List.Rules.Count == 0 && !List.CvsExclude;

    /// <summary>
    /// An exclusion test for tree-relative paths with a matcher of its own: a matcher keeps the directory stack of its
    /// per-directory merge files and is not thread-safe, so each thread that filters takes its own.
    /// </summary>
    public Func<RawPath, bool, bool> CreatePredicate() => CreatePredicate(List);

    /// <summary>
    /// As <see cref="CreatePredicate()"/>, for another list over the same tree (a replica's own rules), from the sender's
    /// side (not sent) or the receiver's (not deleted: protect rules, and excludes unless --delete-excluded).
    /// </summary>
    public Func<RawPath, bool, bool> CreatePredicate(FilterList list, FilterSide side = FilterSide.Sender)
    {
        ArgumentNullException.ThrowIfNull(list);
        FilterMatcher matcher = list.CreateMatcher(side, new FilterMatcherOptions { LocalRoot = _root });
        return (path, isDirectory) => matcher.IsExcluded(path.Text, isDirectory);
    }

    /// <summary>Marks a directory unreadable (true) or readable again (false); thread-safe.</summary>
    public void SetDenied(RawPath directory, bool denied)
    {
        lock (_lock)
        {
            if (denied ? _denied.Add(directory) : _denied.Remove(directory))
                _current = null;
        }
    }

    /// <summary>The rules a push sends now: the unreadable directories' hide/protect pairs, then the rules as given.</summary>
    public FilterList Current()
    {
        lock (_lock)
            return _current ??= WithDenied(List);
    }

    /// <summary>As <see cref="Current"/>, in front of another list over the same tree (a replica's own rules).</summary>
    public FilterList CurrentFor(FilterList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (ReferenceEquals(list, List))
            return Current();
        lock (_lock)
            return WithDenied(list);
    }

    private FilterList WithDenied(FilterList list)
    {
        if (_denied.Count == 0)
            return list;
        var builder = new FilterListBuilder();
        foreach (RawPath dir in _denied)
        {
            if (!dir.TryGetUtf8(out string text))
                continue; // rules are text; such a directory's push fails and is retried, as before
            string pattern = "/" + Escape(text) + "/";
            builder.AddFilter("H " + pattern).AddFilter("P " + pattern);
        }
        return list.Prepend(builder.Build().Rules);
    }

    /// <summary>
    /// A literal name as a pattern: rsync treats a pattern with no wildcard as plain text, and one with a wildcard
    /// takes a backslash as an escape (exclude.c: parse_filter_str sets FILTRULE_WILD; wildmatch.c).
    /// </summary>
    internal static string Escape(string name)
    {
        if (name.AsSpan().IndexOfAny("*?[") < 0)
            return name;
        var sb = new StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            if (c is '*' or '?' or '[' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
