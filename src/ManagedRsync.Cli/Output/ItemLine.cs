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
            line.Append(LogLine.Itemize(change)).Append(' ');
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

    /// <summary>rsync generator.c: list_file_entry — "drwxr-xr-x          4,096 2024/01/02 03:04:05 name".</summary>
    public static string Listing(ListingEntry entry)
    {
        var line = new StringBuilder();
        line.Append(LogLine.Permissions(entry.Mode)).Append(' ');
        line.Append(entry.Size.ToString("#,0", CultureInfo.InvariantCulture).PadLeft(14)).Append(' ');
        string mtime = entry.ModTime.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
        line.Append(mtime);
        // generator.c: list_file_entry — with -U a column as wide as " MTIME", blank for a directory.
        if (entry.AccessTimeColumn)
        {
            string atime = entry.AccessTime is { } at ? at.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture) : "";
            line.Append(atime.PadLeft(mtime.Length + 1));
        }
        line.Append(' ');
        line.Append(entry.Name);
        if (entry.LinkTarget is { } target)
            line.Append(" -> ").Append(target);
        return line.ToString();
    }
}
