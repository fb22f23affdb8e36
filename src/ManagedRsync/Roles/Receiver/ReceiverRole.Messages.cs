using System.Globalization;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;

using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

// What the sender tells us out of band (the messages every role treats alike are the connection's, PeerMessages), and what we print (rsync log.c, and list_file_entry in generator.c).
internal sealed partial class ReceiverRole
{
    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        switch (code)
        {
            case MessageCode.NoSend:
            {
                // rsync receiver.c: the sender could not open a file we asked for; it will not come.
                int ndx = PeerMessages.Int(payload, code);
                if (_pending.TryRemove(ndx, out _))
                    _sawErrors = true;
                _order?.TransferDone(ndx);
                break;
            }
            case MessageCode.Deleted:
                // Bookkeeping: nothing for a receiving side to do.
                break;
            default:
                throw PeerMessages.Unexpected(code, IsServer ? "client" : "daemon");
        }
    }

    // rsync log.c: log_item / maybe_log_item — the line -v or -i prints for an entry, if any.
    private void LogItem(int ndx, FileEntry file, ItemFlags iflags)
    {
        // A server prints nothing of its own: its client prints each line from the item flags that travel with the
        // requests and itemizations (generator.c: itemize -> write_ndx_and_attrs; sender.c logs the echo).
        if (IsServer)
            return;
        // Names that are not UTF-8 print as rsync prints them ("\#ooo", log.c), not as their escaped local form.
        // log.c %n is the sender's name for the entry (f_name), also when a lone file lands under another name.
        string listed = _names[ndx];
        string display = listed == "." ? "." : FileNameEncoding.Display(listed);
        bool transfer = (iflags & ItemFlags.Transfer) != 0;
        // Before protocol 29 no flags travel: the receiver knows only "transfer, data missing" (rsync.c:
        // read_ndx_and_attrs), and the generator prints every other line itself at once (generator.c: itemize).
        if (Protocol < 29 && transfer)
            iflags = ItemFlags.Transfer | ItemFlags.MissingData;
        // compat.c: receiver_symlink_times is set for a receiver only from protocol 29 on, and log.c prints a
        // symlink's time change as 'T' without it, as it does without -t.
        TransferOptions options = Protocol < 29 && file.IsSymlink ? _options with { Times = false } : _options;
        if (ItemLog.Line(options, file, display, iflags, sender: false) is not { } line)
            return;
        if (Protocol < 29 && !transfer && _order is { } order)
            order.AddNow(line);
        else
            Say(ndx, line);
    }

    /// <summary>A -v line about entry <paramref name="ndx"/>, kept in file-list order when a transfer is running.</summary>
    private void Say(int ndx, string line)
    {
        if (_order is { } order)
            order.Add(ndx, line);
        else
            _log.Info(line);
    }

    // rsync generator.c: list_file_entry — "drwxr-xr-x          4,096 2024/01/02 03:04:05 name".
    private void ListOnly()
    {
        foreach (FileEntry file in _files)
        {
            var line = new StringBuilder();
            line.Append(Permissions(file.Mode)).Append(' ');
            line.Append(file.Size.ToString("#,0", CultureInfo.InvariantCulture).PadLeft(14)).Append(' ');
            line.Append(DateTimeOffset.FromUnixTimeSeconds(file.ModTime).ToLocalTime()
                .ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
            line.Append(file.DisplayName);
            if (file.IsSymlink && file.LinkTarget is { } target)
                line.Append(" -> ").Append(FileNameEncoding.Display(target));
            _log.Info(line.ToString());
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
