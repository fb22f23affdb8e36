using ManagedRsync.FileList;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// -m/--prune-empty-dirs on the receiving side (rsync flist.c: flist_sort_and_clean with prune_empty_dirs and
/// !am_sender, right after the list is sorted): a directory other than the transfer root "." (depth 0) stays only
/// when something that is not a directory lies somewhere below it in the list, or when it, or a directory below it,
/// is excluded by the receiver's own rules (exclude.c: name_is_excluded, ALL_FILTERS: how a "protect DIR/" rule keeps
/// an empty directory, rsync(1) --prune-empty-dirs). The others are dropped (<see cref="FileEntry.Pruned"/>).
/// </summary>
/// <remarks>
/// The sorted order (<see cref="FileListOrder"/>) puts each directory's whole subtree right after it, so one pass with
/// a stack of the open directories decides: an entry closes every open directory it does not lie in; a non-directory
/// (or ".") keeps every open one; a protected directory keeps those and itself.
/// </remarks>
internal static class EmptyDirectories
{
    /// <param name="sorted">The list in <see cref="FileListOrder"/>, its names in <paramref name="names"/>.</param>
    /// <param name="names">The local name of each entry.</param>
    /// <param name="isProtected">Whether the receiver's rules exclude a directory of that name.</param>
    /// <returns>How many directories were pruned.</returns>
    public static int Prune(IReadOnlyList<FileEntry> sorted, IReadOnlyList<string> names, Func<string, bool> isProtected)
    {
        var open = new List<int>();
        int kept = 0; // the first `kept` open directories already stay
        int pruned = 0;
        for (int ndx = 0; ndx < sorted.Count; ndx++)
        {
            string name = names[ndx];
            while (open.Count > 0 && !IsBelow(name, names[open[^1]]))
                pruned += Close(sorted, open, ref kept);
            FileEntry file = sorted[ndx];
            if (file.IsDirectory && name != ".")
            {
                open.Add(ndx);
                if (isProtected(name))
                    kept = open.Count;
            }
            else
            {
                kept = open.Count;
            }
        }
        while (open.Count > 0)
            pruned += Close(sorted, open, ref kept);
        return pruned;
    }

    private static int Close(IReadOnlyList<FileEntry> sorted, List<int> open, ref int kept)
    {
        int ndx = open[^1];
        open.RemoveAt(open.Count - 1);
        if (kept > open.Count)
        {
            kept = open.Count;
            return 0;
        }
        sorted[ndx].Pruned = true;
        return 1;
    }

    private static bool IsBelow(string name, string directory) =>
        name.Length > directory.Length + 1 && name[directory.Length] == '/' && name.StartsWith(directory, StringComparison.Ordinal);
}
