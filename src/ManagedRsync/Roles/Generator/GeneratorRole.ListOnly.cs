using System.Globalization;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// A listing (no destination): rsync generator.c: generate_files under list_only prints each entry instead of
// generating it.
internal sealed partial class GeneratorRole
{
    // rsync generator.c: list_file_entry — "drwxr-xr-x          4,096 2024/01/02 03:04:05 name".
    public static void ListOnly(ReceiveRun run)
    {
        foreach (FileEntry file in run.Files)
        {
            var line = new StringBuilder();
            line.Append(Permissions(file.Mode)).Append(' ');
            line.Append(file.Size.ToString("#,0", CultureInfo.InvariantCulture).PadLeft(14)).Append(' ');
            line.Append(DateTimeOffset.FromUnixTimeSeconds(file.ModTime).ToLocalTime()
                .ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
            line.Append(file.DisplayName);
            if (file.IsSymlink && file.LinkTarget is { } target)
                line.Append(" -> ").Append(FileNameEncoding.Display(target));
            run.Log.Info(line.ToString());
        }
    }

    // rsync lib/permstring.c: permstring.
    private static string Permissions(int mode)
    {
        Span<char> p = stackalloc char[10];
        p[0] = (mode & FileEntry.S_IFMT) switch
        {
            FileEntry.S_IFDIR => 'd', FileEntry.S_IFLNK => 'l', FileEntry.S_IFCHR => 'c', FileEntry.S_IFBLK => 'b',
            FileEntry.S_IFIFO => 'p', FileEntry.S_IFSOCK => 's', _ => '-',
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
