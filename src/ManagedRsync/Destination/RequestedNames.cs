namespace ManagedRsync.Destination;

/// <summary>
/// Which top-level names a pull asked for, so that a name the server volunteers on its own is refused (rsync 3.2.5+
/// exclude.c: add_implied_include turns each source argument into an implied filter, and flist.c: recv_file_entry
/// exits with "rejecting unrequested file-list name", RERR_UNSUPPORTED).
/// </summary>
public sealed class RequestedNames
{
    private readonly bool _all;
    private readonly List<string> _roots = [];
    private readonly HashSet<string> _impliedDirectories = new(StringComparer.Ordinal);

    private RequestedNames(bool all) => _all = all;

    /// <summary>Every name is acceptable (the whole module, or a directory's contents, was asked for).</summary>
    public static RequestedNames All { get; } = new(all: true);

    /// <summary>
    /// Builds the set from the source paths after the module name (for <c>host::mod/dir/sub</c> that is "dir/sub").
    /// Without --relative only the last component of each source arrives; a source ending in '/' (or naming the module
    /// itself) sends its contents, which may have any name. With --relative the path after a "/./" marker arrives whole,
    /// with its leading directories implied.
    /// </summary>
    public static RequestedNames FromSources(IEnumerable<string> sourcePaths, bool relativePaths)
    {
        var names = new RequestedNames(all: false);
        foreach (string source in sourcePaths)
        {
            string path = source;
            if (relativePaths)
            {
                int marker = path.IndexOf("/./", StringComparison.Ordinal);
                if (marker >= 0)
                    path = path[(marker + 3)..];
                else
                    path = path.TrimStart('/'); // an absolute source's names lose their '/' as they are read (FileListReader)
            }
            else if (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal))
            {
                return All;
            }
            else
            {
                path = path[(path.LastIndexOf('/') + 1)..];
            }
            path = path.TrimEnd('/');
            while (path.StartsWith("./", StringComparison.Ordinal))
                path = path[2..];
            // Wildcards are matched by the filter engine on the server; without a matcher here, accept what they match.
            if (path.Length == 0 || path == "." || path.AsSpan().IndexOfAny("*?[") >= 0)
                return All;
            names._roots.Add(path);
            for (int slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
                names._impliedDirectories.Add(path[..slash]);
        }
        return names._roots.Count == 0 ? All : names;
    }

    /// <summary>
    /// Whether directory <paramref name="name"/> is in the list only as a parent of a requested name, never as one
    /// itself: the transfer root "." unless the contents of a directory were asked for, or a leading directory of a
    /// --relative source (exclude.c: is_implied_parent_dir). Its contents were not requested, so --delete must not
    /// touch them whatever the sender flags it as (flist.c: recv_file_entry forces such an entry to
    /// XMIT_TOP_DIR|XMIT_NO_CONTENT_DIR).
    /// </summary>
    public bool IsImpliedParentOnly(string name)
    {
        if (_all)
            return false;
        if (name == ".")
            return true;
        return _impliedDirectories.Contains(name) && !_roots.Contains(name);
    }

    /// <summary>Whether <paramref name="name"/> (already checked for safety) is one that was asked for.</summary>
    public bool Allows(string name, bool isDirectory)
    {
        if (_all || name == ".")
            return true;
        if (isDirectory && _impliedDirectories.Contains(name))
            return true;
        foreach (string root in _roots)
        {
            if (name.Length == root.Length ? name == root
                : name.Length > root.Length && name[root.Length] == '/' && name.StartsWith(root, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
