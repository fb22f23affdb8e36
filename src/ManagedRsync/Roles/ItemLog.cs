using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles;

/// <summary>
/// The line a client prints about one entry, for push and pull alike (rsync log.c: log_item, maybe_log_item). The
/// format is options.c's: "%i %n%L" with -i, "%n%L" with -v or --progress (which implies info=name1), none otherwise.
/// </summary>
internal static class ItemLog
{
    /// <summary>How many -i were given (stock's stdout_format_has_i: 2 also shows unchanged entries).</summary>
    public static int Level(TransferOptions o) => o.ItemizeChanges;

    /// <summary>Whether entries get lines at all (a stdout format is set).</summary>
    public static bool IsLogging(TransferOptions o) => Level(o) > 0 || o.Verbose > 0 || o.Progress;

    /// <summary>
    /// The line for an entry, or null when stock prints none: a transferred file always has one; another entry only
    /// when maybe_log_item would show it (something significant changed, or -ii, or -vv with -i, or a local change,
    /// or a directory with any significant change, or a hard link made to a leader).
    /// </summary>
    /// <param name="o">The transfer's options (the format: -i, -v, --progress).</param>
    /// <param name="file">The entry.</param>
    /// <param name="displayName">Its name as printed (log.c %n).</param>
    /// <param name="iflags">Its item flags.</param>
    /// <param name="sender">Whether this side sends ('&lt;' for a transfer) or receives ('&gt;').</param>
    /// <param name="hardLink">
    /// The leader a hard link was made to (the xname of ITEM_XNAME_FOLLOWS; log.c %L prints " => NAME"), or null.
    /// </param>
    public static string? Line(TransferOptions o, FileEntry file, string displayName, ItemFlags iflags, bool sender,
        string? hardLink = null)
    {
        if (!IsLogging(o))
            return null;
        int itemize = Level(o);
        if ((iflags & ItemFlags.Transfer) == 0)
        {
            bool significant = (iflags & ItemFlags.Significant) != 0;
            bool seeItem = itemize > 0 && (significant || itemize > 1 || o.Verbose > 1);
            bool localChange = (iflags & ItemFlags.LocalChange) != 0 && significant;
            if (!seeItem && !localChange && string.IsNullOrEmpty(hardLink) && !(file.IsDirectory && significant))
                return null;
        }
        var line = new StringBuilder();
        if (itemize > 0)
            line.Append(Itemize.Format(iflags, file, o.Times, sender)).Append(' ');
        // log.c %n: the name, a directory's with '/' ("." prints as "./"); %L: " -> target" for a symlink.
        line.Append(displayName);
        if (file.IsDirectory)
            line.Append('/');
        if (!string.IsNullOrEmpty(hardLink))
            line.Append(" => ").Append(hardLink);
        else if (file.IsSymlink && file.LinkTarget is { } target)
            line.Append(" -> ").Append(FileNameEncoding.Display(target));
        return line.ToString();
    }
}
