using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Sender;

// What only a sender makes of the receiving side's messages, and what it prints about each file (rsync log.c:
// log_item); the messages every role treats alike are the connection's (PeerMessages).
internal sealed partial class SenderRole
{
    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        switch (code)
        {
            case MessageCode.Deleted:
                // rsync io.c: read_a_msg MSG_DELETED — a receiving server's deletion, printed by the client (log.c:
                // log_delete); a directory's name ends in a NUL.
                if (_options.ReportsDeletions)
                {
                    bool isDirectory = payload is [.., 0];
                    // io.c: read_a_msg — the client knows only the type (log_delete with S_IFDIR or S_IFREG).
                    _log.Deleted(PeerMessages.Text(isDirectory ? payload[..^1] : payload), isDirectory,
                        isDirectory ? FileEntry.S_IFDIR : FileEntry.S_IFREG);
                }
                break;
            case MessageCode.Success:
                OnSuccess(payload);
                break;
            case MessageCode.NoSend or MessageCode.Client or MessageCode.Redo or MessageCode.Stats:
                // Bookkeeping between the other side's own processes: nothing for a sender to do.
                break;
            default:
                throw PeerMessages.Unexpected(code);
        }
    }

    // rsync sender.c / log.c: the report for each entry, as the receiving side makes it (ItemLog); the transfer flag is
    // set for what is sent.
    /// <summary>
    /// An entry's name on a client sender's lines: with a leading '/' where stock's sender lists one (an absolute -R
    /// source, <see cref="FileListBuilder.IsRootedName"/>).
    /// </summary>
    private string Shown(FileEntry file) =>
        _builder is { } builder && builder.IsRootedName(file.LocalName) ? "/" + file.DisplayName : file.DisplayName;

    // A hard link's line names its leader (the xname the generator sent: log.c %L " => NAME").
    private void LogItem(FileEntry file, ItemChanges iflags, bool transferred, byte[]? xname = null, TransferFigures? figures = null)
    {
        // A server's lines go only to its log file with a format ("transfer logging", ItemLog.ServerChange): without
        // one there is nothing to build. A daemon's pull decoded each name and worked the blank %C width out (parsing
        // the checksum names) per file, for nothing.
        if (_conn.IsServer && (_options.LogFileFormat is null || _options.DryRun))
            return;
        ItemChanges shown = transferred ? iflags | ItemChanges.Transfer : iflags & ~ItemChanges.Transfer;
        string? hardLink = xname is { Length: > 0 } ? FileNameEncoding.Display(xname) : null;
        // rsync sender.c: log_item(FCLIENT, ...) — a server's item lines are for its own log file only, never the
        // client's (log.c: log_item with FLOG, maybe_log_item's am_server branch).
        // log.c %C with -c: the file-list checksum of a regular file (main.c: client_run, and start_server for a daemon's
        // "log format", set sender_keeps_checksum for it); otherwise, with nothing to show, spaces as wide as the
        // session's checksum.
        if (_options.AlwaysChecksum && file.IsRegular)
            figures = TransferFigures.WithListSum(figures, ListChecksumVariant, file.Checksum);
        figures ??= new TransferFigures(0, 0, null, BlankChecksumDigits);
        // compat.c: a sender's receiver_symlink_times comes from the compat flags (a client) or the client's 'L' (a
        // server), both from protocol 30 only: below it log.c prints a symlink's time change as 'T', as without -t.
        TransferOptions options = file.IsSymlink && _conn.Protocol < 30 ? _options with { Times = false } : _options;
        ItemizedChange? change = _conn.IsServer
            ? ItemLog.ServerChange(options, file, file.DisplayName, shown, sent: true, hardLink, bySender: true, figures)
            : ItemLog.Change(options, file, Shown(file), shown, sent: !_localServer, hardLink, bySender: true, figures);
        if (change is not null)
            _log.Item(change);
    }
}
