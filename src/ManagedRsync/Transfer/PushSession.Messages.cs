using System.Buffers.Binary;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer;

// What the daemon tells us out of band, and what we print about each file (rsync log.c: log_item).
internal sealed partial class PushSession
{
    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        switch (code)
        {
            case MessageCode.Info:
                _log.Info(Text(payload));
                break;
            case MessageCode.ErrorXfer:
                // rsync log.c: a transfer error from the peer makes the run a partial transfer (exit 23).
                _sawErrors = true;
                _log.Error(Text(payload));
                break;
            case MessageCode.Error or MessageCode.Warning or MessageCode.ErrorSocket or MessageCode.ErrorUtf8:
                _log.Error(Text(payload));
                break;
            case MessageCode.Deleted:
                if (_options.Verbose > 0 || _options.ItemizeChanges)
                    _log.Info((_options.ItemizeChanges ? "*deleting   " : "deleting ") + Text(payload));
                break;
            case MessageCode.IoError:
                _remoteIoError |= Int(payload, code);
                break;
            case MessageCode.ErrorExit:
            {
                int exit = payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : (int)RsyncExitCode.Partial;
                throw new RsyncException(RsyncErrorKind.RemoteError,
                    Enum.IsDefined((RsyncExitCode)exit) ? (RsyncExitCode)exit : RsyncExitCode.Partial,
                    $"the daemon ended the session with exit code {exit}");
            }
            case MessageCode.Noop or MessageCode.IoTimeout or MessageCode.Success or MessageCode.NoSend or MessageCode.Log
                or MessageCode.Client or MessageCode.Redo or MessageCode.Stats:
                // Keep-alives, the daemon's timeout, and sibling-only bookkeeping: nothing for a client sender to do.
                break;
            default:
                throw RsyncException.Protocol($"unexpected message tag {(int)code} from the daemon");
        }
    }

    private static int Int(ReadOnlySpan<byte> payload, MessageCode code) =>
        payload.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload)
            : throw RsyncException.Protocol($"message {code} with a {payload.Length}-byte payload (expected 4)");

    private static string Text(ReadOnlySpan<byte> payload)
    {
        string s = Encoding.UTF8.GetString(payload);
        return s.EndsWith('\n') ? s[..^1] : s;
    }

    // rsync sender.c / log.c: with -i the format is "%i %n%L", with -v "%n%L"; untransferred entries are shown
    // only when something significant changed (maybe_log_item).
    private void LogItem(FileEntry file, ItemFlags iflags, bool transferred)
    {
        bool itemize = _options.ItemizeChanges;
        if (!itemize && _options.Verbose == 0)
            return;
        bool significant = (iflags & ItemFlags.Significant) != 0;
        if (!transferred)
        {
            bool show = itemize
                ? significant || _options.Verbose > 1
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
            line.Append(" -> ").Append(Encoding.UTF8.GetString(target));
        _log.Info(line.ToString());
    }
}
