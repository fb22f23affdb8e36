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

    /// <summary>
    /// Stock's stdout_format_has_i: how many -i count (2 also shows unchanged entries); 0 when an --out-format without
    /// %i is given.
    /// </summary>
    public static int Level(TransferOptions o) => o.StdoutFormatHasI;

    /// <summary>Whether entries are printed at all (a stdout format is set: -i, -v, --progress or --out-format).</summary>
    public static bool IsLogging(TransferOptions o) => o.StdoutFormat is not null;

    /// <summary>Whether a client reports entries to its output or to its --log-file (options.c: logfile_format).</summary>
    public static bool IsReporting(TransferOptions o) => o.StdoutFormat is not null || o.LogFileFormat is not null;

    /// <summary>
    /// The report for an entry, or null when stock reports none: a transferred file always has one; another entry only
    /// when maybe_log_item would show it (something significant changed, or -ii, or -vv with -i, or a local change,
    /// or a directory with any significant change, or a hard link made to a leader). It is printed when a stdout
    /// format is set, and logged to a client's --log-file as log.c logs it: a transfer unless dry (log_item with FINFO
    /// or FLOG; a dry run's is FCLIENT), another entry when it changed significantly or the log format has %i
    /// (maybe_log_item's FINFO rather than FCLIENT).
    /// </summary>
    /// <param name="o">The transfer's options (the format: -i, -v, --progress).</param>
    /// <param name="file">The entry.</param>
    /// <param name="displayName">Its name as reported (log.c %n).</param>
    /// <param name="iflags">Its item flags.</param>
    /// <param name="sent">Whether this side sent the data ('&lt;' for a transfer) or received it ('&gt;').</param>
    /// <param name="hardLink">
    /// The leader a hard link was made to (the xname of ITEM_XNAME_FOLLOWS; log.c %L prints " => NAME"), or null.
    /// </param>
    /// <param name="bySender">The sending side reports it (log.c %o "send", %f with the source directory).</param>
    /// <param name="figures">A transferred file's byte counts and checksum (%b, %c, %C), when a format shows them.</param>
    public static ItemizedChange? Change(TransferOptions o, FileEntry file, string displayName, ItemChanges iflags, bool sent,
        string? hardLink = null, bool bySender = false, TransferFigures? figures = null)
    {
        if (!IsReporting(o))
            return null;
        int itemize = Level(o);
        bool logged = o.LogFileFormat is not null;
        if ((iflags & ItemChanges.Transfer) == 0)
        {
            bool significant = (iflags & ItemLog.Significant) != 0;
            bool seeItem = itemize > 0 && (significant || itemize > 1 || o.Info.Gte(InfoFlag.Name, 2));
            bool localChange = (iflags & ItemChanges.LocalChange) != 0 && significant;
            if (!seeItem && !localChange && string.IsNullOrEmpty(hardLink) && !(file.IsDirectory && significant))
                return null;
            logged &= significant || o.LogFileFormatHasI;
        }
        else
        {
            logged &= !o.DryRun;
        }
        if (!logged && !IsLogging(o))
            return null;
        return Build(o, file, displayName, iflags, sent, hardLink, bySender, figures) with { Printed = IsLogging(o), Logged = logged };
    }

    /// <summary>
    /// The entry a server writes to its log file (log.c: log_item with FLOG/FINFO on a server, maybe_log_item's am_server
    /// branch), or null: with a log-file format, a transferred file always; another entry only when the format has %i
    /// and something significant changed or a hard link was made; nothing in a dry run.
    /// </summary>
    public static ItemizedChange? ServerChange(TransferOptions o, FileEntry file, string displayName, ItemChanges iflags,
        bool sent, string? hardLink = null, bool bySender = false, TransferFigures? figures = null)
    {
        if (o.LogFileFormat is null || o.DryRun)
            return null;
        if ((iflags & ItemChanges.Transfer) == 0
            && !(o.LogFileFormatHasI && ((iflags & Significant) != 0 || !string.IsNullOrEmpty(hardLink))))
            return null;
        return Build(o, file, displayName, iflags, sent, hardLink, bySender, figures);
    }

    private static ItemizedChange Build(TransferOptions o, FileEntry file, string displayName, ItemChanges iflags,
        bool sent, string? hardLink, bool bySender, TransferFigures? figures) =>
        new ItemizedChange
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
            ReportedBySender = bySender,
            FullPath = bySender && file.LocalPath is { } local ? SenderPath(local, file) : displayName,
            TimesPreserved = o.Times,
            BytesWritten = figures?.Written ?? 0,
            BytesRead = figures?.Read ?? 0,
            Checksum = figures?.Checksum,
            ChecksumDigits = figures?.Digits ?? 32,
        };

    /// <summary>What the entry is, from its mode's type bits.</summary>
    public static EntryKind KindOf(FileEntry file) =>
        file.IsDirectory ? EntryKind.Directory
        : file.IsSymlink ? EntryKind.Symlink
        : file.IsDevice ? EntryKind.Device
        : file.IsSpecial ? EntryKind.Special
        : EntryKind.File;

    // log.c: log_formatted %f on the sender — F_PATHNAME (the directory the source was read from) joined with the
    // name, cleaned (util1.c: clean_fname), without a leading '/'. The entry's local path is that directory joined
    // with its name, so the directory is what is left when the name is taken off (all of it for the top ".").
    private static string SenderPath(string localPath, FileEntry file)
    {
        string name = FileNameEncoding.Display(file.Name);
        string shown = FileNameEncoding.Display(localPath);
        string? dir = name == "." ? shown
            : shown == name ? ""
            : shown.EndsWith("/" + name, StringComparison.Ordinal) ? shown[..^(name.Length + 1)]
            : null;
        string joined = dir is null ? shown : dir.Length == 0 ? name : dir + "/" + name;
        return Clean(joined).TrimStart('/') is { Length: > 0 } clean ? clean : ".";
    }

    // util1.c: clean_fname with no flags — "//" becomes "/", "./" components go (not a trailing "."), a trailing '/'
    // goes; ".." stays.
    private static string Clean(string path)
    {
        bool anchored = path.StartsWith('/');
        var parts = new List<string>();
        string[] words = path.Split('/');
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i];
            if (w.Length == 0 || (w == "." && i < words.Length - 1))
                continue;
            parts.Add(w);
        }
        string joined = string.Join('/', parts);
        return anchored ? "/" + joined : joined.Length == 0 ? "." : joined;
    }
}
