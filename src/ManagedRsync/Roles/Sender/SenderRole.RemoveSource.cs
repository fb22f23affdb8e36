using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;

namespace ManagedRsync.Roles.Sender;

// --remove-source-files (rsync sender.c: successful_send, io.c: read_a_msg MSG_SUCCESS): the receiving side confirms
// each entry it has (received, or found up to date) and the sender removes it, unless it changed since the list was
// made or, in a local copy, it is the very file the receiver has (the same device and inode).
internal sealed partial class SenderRole
{
    private volatile bool _removeFailed;

    private void OnSuccess(ReadOnlySpan<byte> payload)
    {
        // io.c: 4 bytes, or index, dev and ino (4 + 8 + 8) from a local copy's own receiver; else "invalid multi-message".
        if (payload.Length != (_localServer ? 20 : 4))
            throw RsyncException.Protocol($"invalid multi-message {(int)MessageCode.Success}:{payload.Length}");
        if (!_options.RemoveSourceFiles && !_options.RemoveSentFiles)
            return;
        int ndx = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if ((uint)ndx >= (uint)_files.Count)
            throw RsyncException.Protocol($"Invalid file index: {ndx} (count={_files.Count})");
        FileEntry file = _files[ndx];
        if (file.IsDirectory || file.LocalPath is null)
            return;
        string name = file.DisplayName;
        string path = AbsolutePath(file.LocalPath);
        // A daemon module's file is checked and removed at its directory opened beneath the module (3.5.0's sender
        // works on the held directory fd): a parent raced into a link out of it is ELOOP, never an outside file
        // removed (upstream sender-remove-source-secure).
        BeneathRoot? module = _source.Confinement;
        string? beneath = module?.Relative(path) is { } r && r != "." ? r : null;
        // sender.c: remove_the_source_file — with -L the checked size and time are the referent's (the link goes).
        NativeStat.Info st;
        int statError = beneath is not null
            ? module!.LinkStat(beneath, follow: _options.CopyLinks, out st, out _)
            : _options.CopyLinks ? NativeStat.TryStat(path, out st) : NativeStat.TryLstat(path, out st);
        if (statError is not 0 and int errno)
        {
            RemoveFailed(errno, "re-lstat", name);
            return;
        }
        if (_localServer && st.Dev == BinaryPrimitives.ReadInt64LittleEndian(payload[4..]) && st.Ino == BinaryPrimitives.ReadInt64LittleEndian(payload[12..]))
        {
            _removeFailed = true;
            _log.Error($"ERROR: Skipping sender remove of destination file: {name}");
            return;
        }
        // rsync.h NSEC_BUMP: the nanoseconds count when the list carries them (protocol 31, a non-zero value).
        if (st.Size != file.Size || st.MTime != file.ModTime || (_conn.Protocol >= 31 && file.ModTimeNsec != 0 && st.MTimeNsec != file.ModTimeNsec))
        {
            _removeFailed = true;
            _log.Error($"ERROR: Skipping sender remove for changed file: {name}");
            return;
        }
        int unlinkError = beneath is not null ? module!.Unlink(beneath)
            : Interop.UnlinkAt(Interop.AT_FDCWD, path, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        if (unlinkError != 0)
        {
            RemoveFailed(unlinkError, "remove", name);
            return;
        }
        // options.c: info=remove is a -vv level.
        if (_options.Info.Gte(InfoFlag.Remove, 1) && !_conn.IsServer)
            _log.Info($"sender removed {name}");
    }

    private void RemoveFailed(int errno, string operation, string name)
    {
        if (errno == Interop.ENOENT)
        {
            _log.Info($"sender file already removed: {name}");
            return;
        }
        _removeFailed = true;
        _log.Error($"rsync: [sender] sender failed to {operation} {name}: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
    }
}
