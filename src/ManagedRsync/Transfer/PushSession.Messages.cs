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
                if (_options.Verbose > 0 || _options.ItemizeChanges > 0)
                    _log.Info((_options.ItemizeChanges > 0 ? "*deleting   " : "deleting ") + DaemonMessages.Text(payload));
                break;
            case MessageCode.NoSend or MessageCode.Client or MessageCode.Redo or MessageCode.Stats:
                // Bookkeeping between the daemon's own processes: nothing for a client sender to do.
                break;
            default:
                throw DaemonMessages.Unexpected(code);
        }
    }

    // rsync sender.c / log.c: with -i the format is "%i %n%L", with -v "%n%L"; untransferred entries are shown
    // only when something significant changed (maybe_log_item).
    private void LogItem(FileEntry file, ItemFlags iflags, bool transferred)
    {
        bool itemize = _options.ItemizeChanges > 0;
        // rsync options.c: --progress implies the names (info=name1) that -v shows.
        int verbose = _options.Progress ? Math.Max(_options.Verbose, 1) : _options.Verbose;
        if (!itemize && verbose == 0)
            return;
        bool significant = (iflags & ItemFlags.Significant) != 0;
        if (!transferred)
        {
            bool show = itemize
                ? significant || verbose > 1
                : ((iflags & ItemFlags.LocalChange) != 0 && significant) || (file.IsDirectory && significant);
            if (!show)
                return;
        }
        var line = new StringBuilder();
        if (itemize)
            line.Append(Itemize.Format(iflags, file, _options.Times)).Append(' ');
        line.Append(file.DisplayName);
        if (file.IsDirectory)
            line.Append('/');
        if (file.IsSymlink && file.LinkTarget is { } target)
            line.Append(" -> ").Append(FileNameEncoding.Display(target));
        _log.Info(line.ToString());
    }
}
