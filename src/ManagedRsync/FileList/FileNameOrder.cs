
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
