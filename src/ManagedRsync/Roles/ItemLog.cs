using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles;

/// <summary>
/// Which entries a client reports, for push and pull alike (rsync log.c: log_item, maybe_log_item), as
/// <see cref="ItemizedChange"/> values; the command line prints them (options.c: "%i %n%L" with -i, "%n%L" with -v or
/// --progress, which implies info=name1).
/// </summary>
internal static class ItemLog
{
    /// <summary>
    /// rsync rsync.h: SIGNIFICANT_ITEM_FLAGS — the bits that say something changed (not the ones that only say what
    /// travels with the item, or that the change was local).
    /// </summary>
    public const ItemChanges Significant =
        ~(ItemChanges.BasisTypeFollows | ItemChanges.OtherNameFollows | ItemChanges.LocalChange);

    /// <summary>How many -i were given (stock's stdout_format_has_i: 2 also shows unchanged entries).</summary>
    public static int Level(TransferOptions o) => o.ItemizeChanges;

    /// <summary>Whether entries are reported at all (a stdout format is set).</summary>
    public static bool IsLogging(TransferOptions o) => Level(o) > 0 || o.Verbose > 0 || o.Progress;

    /// <summary>
    /// The report for an entry, or null when stock reports none: a transferred file always has one; another entry only
    /// when maybe_log_item would show it (something significant changed, or -ii, or -vv with -i, or a local change,
    /// or a directory with any significant change, or a hard link made to a leader).
    /// </summary>
    /// <param name="o">The transfer's options (the format: -i, -v, --progress).</param>
    /// <param name="file">The entry.</param>
    /// <param name="displayName">Its name as reported (log.c %n).</param>
    /// <param name="iflags">Its item flags.</param>
    /// <param name="sent">Whether this side sent the data ('&lt;' for a transfer) or received it ('&gt;').</param>
    /// <param name="hardLink">
    /// The leader a hard link was made to (the xname of ITEM_XNAME_FOLLOWS; log.c %L prints " => NAME"), or null.
    /// </param>
    public static ItemizedChange? Change(TransferOptions o, FileEntry file, string displayName, ItemChanges iflags, bool sent,
        string? hardLink = null)
    {
        if (!IsLogging(o))
            return null;
        int itemize = Level(o);
        if ((iflags & ItemChanges.Transfer) == 0)
        {
            bool significant = (iflags & ItemLog.Significant) != 0;
            bool seeItem = itemize > 0 && (significant || itemize > 1 || o.Verbose > 1);
            bool localChange = (iflags & ItemChanges.LocalChange) != 0 && significant;
            if (!seeItem && !localChange && string.IsNullOrEmpty(hardLink) && !(file.IsDirectory && significant))
                return null;
        }
        return new ItemizedChange
        {
            Changes = iflags,
            Kind = KindOf(file),
            Name = displayName,
            Size = file.Size,
            Mode = file.Mode,
            ModTime = DateTimeOffset.FromUnixTimeSeconds(file.ModTime),
            Uid = file.Uid,
            Gid = file.Gid,
            // log.c %L: a hard link names its leader; otherwise a symlink its target.
            HardLinkLeader = string.IsNullOrEmpty(hardLink) ? null : hardLink,
            LinkTarget = string.IsNullOrEmpty(hardLink) && file.IsSymlink && file.LinkTarget is { } target
                ? FileNameEncoding.Display(target) : null,
            Sent = sent,
            TimesPreserved = o.Times,
        };
    }

    /// <summary>What the entry is, from its mode's type bits.</summary>
    public static EntryKind KindOf(FileEntry file) =>
        file.IsDirectory ? EntryKind.Directory
        : file.IsSymlink ? EntryKind.Symlink
        : file.IsDevice ? EntryKind.Device
        : file.IsSpecial ? EntryKind.Special
        : EntryKind.File;
}
