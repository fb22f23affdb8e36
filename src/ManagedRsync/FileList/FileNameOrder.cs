
namespace ManagedRsync.FileList;

/// <summary>Sorts entries in rsync's file-list order (rsync flist.c: f_name_cmp, via <see cref="FileListOrder"/>).</summary>
internal sealed class FileNameOrder(int protocol) : IComparer<FileEntry>
{
    public int Compare(FileEntry? x, FileEntry? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        return FileListOrder.Compare(x.Name, x.IsDirectory, y.Name, y.IsDirectory, protocol);
    }
}

/// <summary>
/// Sorts the entries of one directory's own list (every name is the directory's name, '/' and a name without '/';
/// <paramref name="skip"/> is the length before that last name) in rsync's file-list order: the order
/// <see cref="FileNameOrder"/> gives them, without walking the directory's name again for every pair
/// (<see cref="FileListOrder.CompareSiblings"/>).
/// </summary>
internal readonly struct SiblingNameOrder(int skip, int protocol) : IComparer<FileEntry>
{
    public int Compare(FileEntry? x, FileEntry? y) =>
        FileListOrder.CompareSiblings(x!.Name.AsSpan(skip), x.IsDirectory, y!.Name.AsSpan(skip), y.IsDirectory, protocol);
}
