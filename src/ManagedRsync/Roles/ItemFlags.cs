namespace ManagedRsync.Roles;

/// <summary>rsync rsync.h: ITEM_* flags the generator sends with each file-list index.</summary>
[Flags]
internal enum ItemFlags
{
    None = 0,
    ReportAtime = 1 << 0,
    ReportChange = 1 << 1,
    ReportSize = 1 << 2,
    ReportTime = 1 << 3,
    ReportPerms = 1 << 4,
    ReportOwner = 1 << 5,
    ReportGroup = 1 << 6,
    ReportAcl = 1 << 7,
    ReportXattr = 1 << 8,
    ReportCrtime = 1 << 10,
    BasisTypeFollows = 1 << 11,
    XnameFollows = 1 << 12,
    IsNew = 1 << 13,
    LocalChange = 1 << 14,
    Transfer = 1 << 15,
    MissingData = 1 << 16,
    Deleted = 1 << 17,

    /// <summary>rsync rsync.h: SIGNIFICANT_ITEM_FLAGS.</summary>
    Significant = ~(BasisTypeFollows | XnameFollows | LocalChange),
}

/// <summary>rsync log.c: the %i itemize string.</summary>
internal static class Itemize
{
    public static string Format(ItemFlags f, FileList.FileEntry file, bool preserveTimes, bool sender = true)
    {
        if ((f & ItemFlags.Deleted) != 0)
            return "*deleting  ";
        Span<char> c = stackalloc char[11];
        c[0] = (f & ItemFlags.LocalChange) != 0 ? ((f & ItemFlags.XnameFollows) != 0 ? 'h' : 'c')
            : (f & ItemFlags.Transfer) == 0 ? '.' : sender ? '<' : '>';
        if (file.IsSymlink)
        {
            c[1] = 'L';
            c[3] = '.';
            c[4] = (f & ItemFlags.ReportTime) == 0 ? '.' : !preserveTimes || (f & ItemFlags.ReportSize) != 0 ? 'T' : 't';
        }
        else
        {
            c[1] = file.IsDirectory ? 'd' : file.IsSpecial ? 'S' : file.IsDevice ? 'D' : 'f';
            c[3] = (f & ItemFlags.ReportSize) == 0 ? '.' : 's';
            c[4] = (f & ItemFlags.ReportTime) == 0 ? '.' : !preserveTimes ? 'T' : 't';
        }
        c[2] = (f & ItemFlags.ReportChange) == 0 ? '.' : 'c';
        c[5] = (f & ItemFlags.ReportPerms) == 0 ? '.' : 'p';
        c[6] = (f & ItemFlags.ReportOwner) == 0 ? '.' : 'o';
        c[7] = (f & ItemFlags.ReportGroup) == 0 ? '.' : 'g';
        c[8] = (f & (ItemFlags.ReportAtime | ItemFlags.ReportCrtime)) == 0 ? '.'
            : (f & (ItemFlags.ReportAtime | ItemFlags.ReportCrtime)) == (ItemFlags.ReportAtime | ItemFlags.ReportCrtime) ? 'b'
            : (f & ItemFlags.ReportAtime) != 0 ? 'u' : 'n';
        c[9] = (f & ItemFlags.ReportAcl) == 0 ? '.' : 'a';
        c[10] = (f & ItemFlags.ReportXattr) == 0 ? '.' : 'x';
        if ((f & (ItemFlags.IsNew | ItemFlags.MissingData)) != 0)
        {
            c[2..].Fill((f & ItemFlags.IsNew) != 0 ? '+' : '?');
        }
        else if (c[0] is '.' or 'h' or 'c' && !c[2..].ContainsAnyExcept('.'))
        {
            c[2..].Fill(' ');
        }
        return new string(c);
    }
}
