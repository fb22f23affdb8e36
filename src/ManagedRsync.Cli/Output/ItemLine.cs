using System.Globalization;
using System.Text;
using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// rsync's lines for the entries a transfer reports (log.c: log_item with options.c's stdout formats "%i %n%L" for -i,
/// "%n%L" for -v), for deletions (log.c: log_delete) and for --list-only (generator.c: list_file_entry).
/// </summary>
internal static class ItemLine
{
    /// <summary>"%i %n%L" with -i, else "%n%L".</summary>
    public static string Format(ItemizedChange change, bool itemize)
    {
        var line = new StringBuilder();
        if (itemize)
            line.Append(Itemize(change)).Append(' ');
        return line.Append(Name(change)).Append(LinkSuffix(change)).ToString();
    }

    /// <summary>log.c %n: the name, a directory's ending in '/' ("." prints as "./").</summary>
    public static string Name(ItemizedChange change) =>
        change.Kind == EntryKind.Directory ? change.Name + "/" : change.Name;

    /// <summary>log.c %L: " -> target" for a symlink, " => leader" for a hard link to an earlier entry, else nothing.</summary>
    public static string LinkSuffix(ItemizedChange change) =>
        change.LinkTarget is { } target ? " -> " + target
        : change.HardLinkLeader is { } leader ? " => " + leader
        : "";

    /// <summary>rsync log.c: log_delete — "deleting %n", with -i "*deleting   %n"; a directory's %n ends in '/'.</summary>
    public static string Deletion(TransferDeletion deletion, bool itemized) =>
        (itemized ? "*deleting   " : "deleting ") + deletion.Name + (deletion.IsDirectory ? "/" : "");

    /// <summary>rsync log.c: the %i string ("&gt;f+++++++++", "cd..t......", "*deleting  ").</summary>
    public static string Itemize(ItemizedChange change)
    {
        ItemChanges f = change.Changes;
        if ((f & ItemChanges.Deleted) != 0)
            return "*deleting  ";
        Span<char> c = stackalloc char[11];
        c[0] = (f & ItemChanges.LocalChange) != 0 ? ((f & ItemChanges.OtherNameFollows) != 0 ? 'h' : 'c')
            : (f & ItemChanges.Transfer) == 0 ? '.' : change.Sent ? '<' : '>';
        if (change.Kind == EntryKind.Symlink)
        {
            // For a symlink the size bit is ITEM_REPORT_TIMEFAIL: its time could not be set.
            c[1] = 'L';
            c[3] = '.';
            c[4] = (f & ItemChanges.ModTime) == 0 ? '.' : !change.TimesPreserved || (f & ItemChanges.Size) != 0 ? 'T' : 't';
        }
        else
        {
            c[1] = change.Kind switch
            {
                EntryKind.Directory => 'd', EntryKind.Special => 'S', EntryKind.Device => 'D', _ => 'f',
            };
            c[3] = (f & ItemChanges.Size) == 0 ? '.' : 's';
            c[4] = (f & ItemChanges.ModTime) == 0 ? '.' : !change.TimesPreserved ? 'T' : 't';
        }
        c[2] = (f & ItemChanges.Checksum) == 0 ? '.' : 'c';
        c[5] = (f & ItemChanges.Permissions) == 0 ? '.' : 'p';
        c[6] = (f & ItemChanges.Owner) == 0 ? '.' : 'o';
        c[7] = (f & ItemChanges.Group) == 0 ? '.' : 'g';
        c[8] = (f & (ItemChanges.AccessTime | ItemChanges.CreateTime)) switch
        {
            0 => '.',
            ItemChanges.AccessTime | ItemChanges.CreateTime => 'b',
            ItemChanges.AccessTime => 'u',
            _ => 'n',
        };
        c[9] = (f & ItemChanges.Acl) == 0 ? '.' : 'a';
        c[10] = (f & ItemChanges.Xattr) == 0 ? '.' : 'x';
        if ((f & (ItemChanges.IsNew | ItemChanges.MissingData)) != 0)
        {
            c[2..].Fill((f & ItemChanges.IsNew) != 0 ? '+' : '?');
        }
        else if (c[0] is '.' or 'h' or 'c' && !c[2..].ContainsAnyExcept('.'))
        {
            c[2..].Fill(' ');
        }
        return new string(c);
    }

    /// <summary>rsync generator.c: list_file_entry — "drwxr-xr-x          4,096 2024/01/02 03:04:05 name".</summary>
    public static string Listing(ListingEntry entry)
    {
        var line = new StringBuilder();
        line.Append(Permissions(entry.Mode)).Append(' ');
        line.Append(entry.Size.ToString("#,0", CultureInfo.InvariantCulture).PadLeft(14)).Append(' ');
        line.Append(entry.ModTime.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
        line.Append(entry.Name);
        if (entry.LinkTarget is { } target)
            line.Append(" -> ").Append(target);
        return line.ToString();
    }

    /// <summary>rsync lib/permstring.c: permstring ("drwxr-xr-x", with s/S/t/T for the set-id and sticky bits).</summary>
    public static string Permissions(int mode)
    {
        Span<char> p = stackalloc char[10];
        p[0] = (mode & 0xF000) switch
        {
            0x4000 => 'd', 0xA000 => 'l', 0x2000 => 'c', 0x6000 => 'b',
            0x1000 => 'p', 0xC000 => 's', _ => '-',
        };
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
            p[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx[i] : '-';
        if ((mode & 0x800) != 0) p[3] = (mode & 0x40) != 0 ? 's' : 'S';
        if ((mode & 0x400) != 0) p[6] = (mode & 0x8) != 0 ? 's' : 'S';
        if ((mode & 0x200) != 0) p[9] = (mode & 0x1) != 0 ? 't' : 'T';
        return new string(p);
    }
}
