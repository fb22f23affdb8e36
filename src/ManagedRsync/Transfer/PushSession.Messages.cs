using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer;

// What the daemon tells us out of band, and what we print about each file (rsync log.c: log_item).
internal sealed partial class PushSession
{
    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        if (DaemonMessages.TryHandle(code, payload, _log, ref _sawErrors, ref _remoteIoError))
            return;
        switch (code)
        {
            case MessageCode.Deleted:
                if (ItemLog.IsLogging(_options))
                    _log.Info((ItemLog.Level(_options) > 0 ? "*deleting   " : "deleting ") + DaemonMessages.Text(payload));
                break;
            case MessageCode.NoSend or MessageCode.Client or MessageCode.Redo or MessageCode.Stats:
                // Bookkeeping between the daemon's own processes: nothing for a client sender to do.
                break;
            default:
                throw DaemonMessages.Unexpected(code);
        }
    }

    // rsync sender.c / log.c: the line for each entry, as the pull prints it (ItemLog); the transfer flag is set
    // for what is sent.
    private void LogItem(FileEntry file, ItemFlags iflags, bool transferred)
    {
        ItemFlags shown = transferred ? iflags | ItemFlags.Transfer : iflags & ~ItemFlags.Transfer;
        if (ItemLog.Line(_options, file, file.DisplayName, shown, sender: true) is { } line)
            _log.Info(line);
    }
}
