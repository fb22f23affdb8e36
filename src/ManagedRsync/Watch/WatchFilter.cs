using ManagedRsync.Filters;

namespace ManagedRsync.Watch;

/// <summary>
/// The filter rules of `mrsync watch` (--exclude, --include, --filter, --exclude-from, --include-from, in command-line
/// order), matched by the same Filters engine and the same <see cref="FilterList"/> that its pushes send, so what the
/// watcher ignores is exactly what a push of the whole tree would leave out (rsync exclude.c check_filter: first
/// match wins; a pattern with a '/' is anchored at the transfer root, a trailing '/' matches directories only).
/// </summary>
public sealed class WatchFilter
{
    private readonly string _root;

    public WatchFilter(FilterList list, string sourceRoot)
    {
        ArgumentNullException.ThrowIfNull(list);
        List = list;
        _root = Path.GetFullPath(sourceRoot);
    }

    public FilterList List { get; }

    public bool IsEmpty => List.Rules.Count == 0 && !List.CvsExclude;

    /// <summary>
    /// An exclusion test for tree-relative paths with a matcher of its own: a matcher keeps the directory stack of its
    /// per-directory merge files and is not thread-safe, so each thread that filters takes its own.
    /// </summary>
    public Func<RawPath, bool, bool> CreatePredicate()
    {
        FilterMatcher matcher = List.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = _root });
        return (path, isDirectory) =>
        {
            Span<byte> name = path.ByteCount <= 1024 ? stackalloc byte[1024] : new byte[path.ByteCount];
            int n = path.CopyTo(name);
            return matcher.IsExcluded(name[..n], isDirectory);
        };
    }
}
