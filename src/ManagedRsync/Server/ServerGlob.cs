using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Server;

/// <summary>
/// A daemon's wildcard expansion of the paths a client names (rsync io.c: read_args hands every word after "." to
/// util1.c: glob_expand_module, glob_expand, glob_match): each component holding <c>*</c>, <c>?</c> or <c>[</c> is
/// matched with wildmatch against the names of the directory reached so far (not "." or ".."), a component followed by
/// more must be a directory, and names the module's own filter rules exclude are not matched. A path that matches
/// nothing (or holds no wildcard) stays as it was, so a missing name is reported as missing later.
/// </summary>
/// <remarks>
/// Confined: the walk goes through real directories only, never through a symlink (stock's stat and opendir follow
/// one; every expanded path is then walked beneath the module again by <see cref="ServerPaths.CheckBeneath"/>), and a
/// symlink matched as the last component is kept whatever it points to (stock's stat drops a dangling one).
/// </remarks>
internal static class ServerGlob
{
    /// <summary>The most paths one argument may expand to: beyond it the rest is not matched (a bound for hostile patterns).</summary>
    public const int MaxMatches = 100_000;

    /// <summary>
    /// Expands <paramref name="path"/> (module-relative, sanitized: no "." or ".." components, a trailing slash kept)
    /// beneath <paramref name="root"/>; <paramref name="excluded"/> is the module's filter verdict (path, is directory).
    /// </summary>
    public static List<string> Expand(string root, string path, Func<string, bool, bool>? excluded)
    {
        if (path.IndexOfAny(['*', '?', '[']) < 0)
            return [path];
        bool trailingSlash = path.EndsWith('/');
        string[] parts = path.TrimEnd('/').Split('/');
        var found = new List<string>();
        Match(root, "", parts, 0, trailingSlash, excluded, found);
        if (found.Count == 0)
            return [path];
        // readdir order in stock; the file list is sorted by name anyway (flist.c: flist_sort_and_clean).
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Match(string root, string prefix, string[] parts, int index, bool trailingSlash,
        Func<string, bool, bool>? excluded, List<string> found)
    {
        string part = parts[index];
        bool last = index == parts.Length - 1;
        // util1.c: call_glob_match's "arg": more follows (another component, or the trailing slash).
        bool more = !last || trailingSlash;
        bool wild = part.IndexOfAny(['*', '?', '[']) >= 0;
        foreach (string name in wild ? Names(Path.Join(root, prefix), part) : [part])
        {
            if (found.Count >= MaxMatches)
                return;
            string relative = prefix + name;
            if (wild || (more && name.Length > 0))
            {
                if (NativeStat.TryLstat(Path.Join(root, relative), out NativeStat.Info info) != 0)
                    continue;
                bool isDirectory = (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR;
                if (more && !isDirectory)
                    continue;
                if (excluded?.Invoke(relative, isDirectory) == true)
                    continue;
            }
            if (!last)
                Match(root, relative + "/", parts, index + 1, trailingSlash, excluded, found);
            else
                found.Add(trailingSlash ? relative + "/" : relative);
        }
    }

    // The entries of one directory that the component matches (util1.c: glob_match skips "." and "..").
    private static List<string> Names(string directory, string pattern)
    {
        byte[] wanted = FileNameEncoding.Encode(pattern);
        var names = new List<string>();
        RawDirectory.List(FileNameEncoding.Encode(directory), (name, _) =>
        {
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8) || !WildMatch.IsMatch(wanted, name))
                return;
            names.Add(FileNameEncoding.Decode(name));
        });
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
