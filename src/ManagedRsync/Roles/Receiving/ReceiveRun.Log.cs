using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Receiving;

// What the receiving side reports about each entry (rsync log.c: log_item, maybe_log_item), from whichever unit
// settles it: the generator for what it makes itself, the receiver for what arrives.
internal sealed partial class ReceiveRun
{
    /// <summary>
    /// rsync log.c: log_item / maybe_log_item — the entry -v or -i reports, if any (as an ItemizedChange);
    /// <paramref name="hardLink"/> is the leader a hard link was made to, and <paramref name="before"/> the entry whose
    /// reports it goes out ahead of (<see cref="Files"/>.Count: after every entry) instead of in its own place.
    /// </summary>
    /// <remarks><paramref name="now"/>: out at once, ahead of whatever is held (a redo's line: phase 1 is out).</remarks>
    /// <remarks><paramref name="figures"/>: a transferred file's byte counts and checksum (%b, %c, %C).</remarks>
    public void LogItem(int ndx, FileEntry file, ItemChanges iflags, string? hardLink = null, int? before = null, bool now = false,
        TransferFigures? figures = null)
    {
        // A client without -v, -i, --out-format, --progress or --log-file reports no entry (ItemLog.Change): the walk
        // settles every entry here, and the name was decoded for display first (two strings an entry) to no end.
        if (IsServer ? Options.LogFileFormat is null : !_clientReports)
            return;
        // Names that are not UTF-8 print as rsync prints them ("\#ooo", log.c), not as their escaped local form.
        // log.c %n is the sender's name for the entry (f_name), also when a lone file lands under another name.
        string listed = Names[ndx];
        string display = listed == "." ? "." : FileNameEncoding.Display(listed);
        // log.c %C with -c: the checksum the file list brought for a regular file (F_SUM); otherwise, with nothing to
        // show, spaces as wide as the session's checksum.
        if (Options.AlwaysChecksum && file.IsRegular)
            figures = TransferFigures.WithListSum(figures, ListChecksum, file.Checksum);
        figures ??= new TransferFigures(0, 0, null, TransferFigures.SessionBlankDigits(Options.AlwaysChecksum, Checksum, ListChecksum));
        bool transfer = (iflags & ItemChanges.Transfer) != 0;
        // Before protocol 29 no flags travel: the receiver knows only "transfer, data missing" (rsync.c:
        // read_ndx_and_attrs), and the generator prints every other line itself at once (generator.c: itemize); a
        // daemon's receiver logs a received file so too (">f?????????" under %i).
        if (Protocol < 29 && transfer)
            iflags = ItemChanges.Transfer | ItemChanges.MissingData;
        // A server prints nothing of its own: its client prints each line from the item flags that travel with the
        // requests and itemizations (generator.c: itemize -> write_ndx_and_attrs; sender.c logs the echo). Only its
        // log file gets lines, under a daemon's transfer logging.
        if (IsServer)
        {
            if (ItemLog.ServerChange(Options, file, display, iflags, sent: false, hardLink, figures: figures) is { } logged)
                Log.Item(logged);
            return;
        }
        // compat.c: receiver_symlink_times is set for a receiver only from protocol 29 on, and log.c prints a
        // symlink's time change as 'T' without it, as it does without -t.
        TransferOptions options = Protocol < 29 && file.IsSymlink ? Options with { Times = false } : Options;
        if (ItemLog.Change(options, file, display, iflags, sent: false, hardLink, figures: figures) is not { } change)
            return;
        if (((Protocol < 29 && !transfer) || now) && Order is { } order)
            order.AddNow(change);
        else if (before is { } position && Order is { } ordered)
            ordered.AddBefore(position, change);
        else if (Order is { } inOrder)
            inOrder.Add(ndx, change);
        else
            Log.Item(change);
    }

    /// <summary>A -v line about entry <paramref name="ndx"/>, kept in file-list order when a transfer is running.</summary>
    public void Say(int ndx, string line)
    {
        if (Order is { } order)
            order.Add(ndx, line);
        else
            Log.Info(line);
    }

    /// <summary>rsync log.c: FERROR — an error line that does not by itself make the run partial.</summary>
    public void ReportError(string message)
    {
        if (Connection.ServerLog is { } server)
            server.Error(message);
        else
            Log.Error(message);
    }

    /// <summary>rsync log.c: FERROR_XFER — the run becomes a partial transfer (exit 23); a server tells the client so.</summary>
    public void ReportFailure(string message)
    {
        MarkErrors();
        if (Connection.ServerLog is { } server)
            server.Failure(message);
        else
            Log.Error(message);
    }
}
