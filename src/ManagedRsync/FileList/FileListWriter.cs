using System.Buffers;
using System.Text;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.FileList;

/// <summary>
/// Encodes the sender's file list (rsync flist.c: send_file_entry, write_end_of_flist; uidlist.c: send_id_lists).
/// Each entry is sent relative to the previous one: flags say which fields repeat, and the name shares a prefix
/// of up to 255 bytes with the previous name. The list is sent already sorted, so our indexes are the receiver's.
/// </summary>
internal sealed class FileListWriter
{
    // rsync rsync.h: XMIT_* transmit flags.
    internal const int XMIT_TOP_DIR = 1 << 0;
    internal const int XMIT_SAME_MODE = 1 << 1;
    internal const int XMIT_SAME_RDEV_pre28 = 1 << 2;
    internal const int XMIT_EXTENDED_FLAGS = 1 << 2;
    internal const int XMIT_SAME_UID = 1 << 3;
    internal const int XMIT_SAME_GID = 1 << 4;
    internal const int XMIT_SAME_NAME = 1 << 5;
    internal const int XMIT_LONG_NAME = 1 << 6;
    internal const int XMIT_SAME_TIME = 1 << 7;
    internal const int XMIT_SAME_RDEV_MAJOR = 1 << 8;
    internal const int XMIT_NO_CONTENT_DIR = 1 << 8;
    internal const int XMIT_HLINKED = 1 << 9;
    internal const int XMIT_SAME_DEV_pre30 = 1 << 10;
    internal const int XMIT_USER_NAME_FOLLOWS = 1 << 10;
    internal const int XMIT_RDEV_MINOR_8_pre30 = 1 << 11;
    internal const int XMIT_GROUP_NAME_FOLLOWS = 1 << 11;
    internal const int XMIT_HLINK_FIRST = 1 << 12;
    internal const int XMIT_IO_ERROR_ENDLIST = 1 << 12;
    internal const int XMIT_MOD_NSEC = 1 << 13;
    internal const int XMIT_SAME_ATIME = 1 << 14;

    private readonly SessionParameters _session;
    private readonly TransferOptions _options;
    private readonly int _protocol;

    // The "same as previous" state of send_file_entry.
    private long _modTime = long.MinValue;
    // flist.c: send_file_entry's static atime starts at 0, as recv_file_entry's does.
    private long _atime;
    private int _mode = -1;
    private int _uid = -1;
    private int _gid = -1;
    private int _rdevMajor = -1;
    private long _dev = -1;
    private byte[] _lastName = [];
    private bool _first = true;
    private readonly Dictionary<(long Dev, long Ino), int> _hardLinkFirst = [];
    private readonly List<int> _uids = [];
    private readonly List<int> _gids = [];
    private readonly HashSet<int> _seenUids = [];
    private readonly HashSet<int> _seenGids = [];

    private readonly IAccountNames _names;

    public FileListWriter(SessionParameters session, TransferOptions options)
    {
        _session = session;
        _options = options;
        _protocol = session.Protocol;
        _names = options.AccountNames ?? SystemAccountNames.Instance;
    }

    /// <summary>
    /// The global index of the list being written (flist.c: first_ndx, the list's ndx_start): 0 for a whole list,
    /// each part's own start with incremental recursion. Entry numbers passed to <see cref="Write"/> are global.
    /// </summary>
    public int ListStart { get; set; }

    /// <summary>rsync "total size" (regular files and symlinks).</summary>
    public long TotalSize { get; private set; }

    /// <summary>Writes entry number <paramref name="ndx"/>.</summary>
    public void Write(IBufferWriter<byte> w, FileEntry file, int ndx)
    {
        int xflags = 0;
        if (file.IsDirectory)
        {
            if (_protocol >= 30 && file.IsNoContentDir)
                xflags = XMIT_NO_CONTENT_DIR | (file.IsTopDir ? XMIT_TOP_DIR : 0);
            else
                xflags = file.IsTopDir ? XMIT_TOP_DIR : 0;
        }

        if (file.Mode == _mode)
            xflags |= XMIT_SAME_MODE;
        else
            _mode = file.Mode;

        bool sendRdev = false;
        int rdevMinor = 0;
        if (_options.Devices && file.IsDevice)
        {
            sendRdev = true;
            rdevMinor = file.RdevMinor;
            if (_protocol < 28)
                throw new RsyncException(RsyncErrorKind.Unsupported, "devices need protocol 28 or newer here");
            if (file.RdevMajor == _rdevMajor)
                xflags |= XMIT_SAME_RDEV_MAJOR;
            else
                _rdevMajor = file.RdevMajor;
            if (_protocol < 30 && (uint)file.RdevMinor <= 0xFF)
                xflags |= XMIT_RDEV_MINOR_8_pre30;
        }
        else if (_options.Specials && file.IsSpecial && _protocol < 31)
        {
            // rsync flist.c: specials need no rdev; the historical field is sent as cheaply as possible.
            sendRdev = true;
            if (_protocol < 28)
                throw new RsyncException(RsyncErrorKind.Unsupported, "specials need protocol 28 or newer here");
            xflags |= XMIT_SAME_RDEV_MAJOR;
            if (_rdevMajor < 0)
                _rdevMajor = 0;
            if (_protocol < 30)
                xflags |= XMIT_RDEV_MINOR_8_pre30;
        }

        byte[]? userName = null, groupName = null;
        if (!_options.Owner || (file.Uid == _uid && !_first))
        {
            xflags |= XMIT_SAME_UID;
        }
        else
        {
            _uid = file.Uid;
            if (!_options.NumericIds && !_options.NumericIdsHere && _seenUids.Add(file.Uid))
                userName = NewIdName(_uids, file.Uid, _names.UserName);
        }
        if (!_options.Group || (file.Gid == _gid && !_first))
        {
            xflags |= XMIT_SAME_GID;
        }
        else
        {
            _gid = file.Gid;
            if (!_options.NumericIds && !_options.NumericIdsHere && _seenGids.Add(file.Gid))
                groupName = NewIdName(_gids, file.Gid, _names.GroupName);
        }
        if (userName is not null)
            xflags |= XMIT_USER_NAME_FOLLOWS;
        if (groupName is not null)
            xflags |= XMIT_GROUP_NAME_FOLLOWS;

        if (file.ModTime == _modTime)
            xflags |= XMIT_SAME_TIME;
        else
            _modTime = file.ModTime;
        if (file.ModTimeNsec != 0 && _protocol >= 31)
            xflags |= XMIT_MOD_NSEC;
        bool sendsAtime = _options.Atimes && !file.IsDirectory;
        if (sendsAtime)
        {
            if (file.AccessTime == _atime)
                xflags |= XMIT_SAME_ATIME;
            else
                _atime = file.AccessTime;
        }

        int firstHardLink = -1;
        // rsync flist.c: make_file — from protocol 28 any non-directory with more than one link; before 28 every
        // regular file carries its device and inode.
        bool hardLinked = _options.HardLinks && file.Dev != -1
            && (_protocol >= 28 ? !file.IsDirectory && file.Nlink > 1 : file.IsRegular);
        if (hardLinked)
        {
            if (_protocol >= 30)
            {
                if (_hardLinkFirst.TryGetValue((file.Dev, file.Ino), out int first))
                {
                    firstHardLink = first;
                }
                else
                {
                    _hardLinkFirst[(file.Dev, file.Ino)] = ndx;
                    xflags |= XMIT_HLINK_FIRST;
                }
            }
            else if (file.Dev == _dev)
            {
                if (_protocol >= 28)
                    xflags |= XMIT_SAME_DEV_pre30;
            }
            else
            {
                _dev = file.Dev;
            }
            xflags |= XMIT_HLINKED;
        }

        byte[] name = Rooted is { } rooted && rooted(file) ? [(byte)'/', .. file.Name] : file.Name;
        int l1 = 0;
        int maxShared = Math.Min(Math.Min(_lastName.Length, name.Length), 255);
        while (l1 < maxShared && name[l1] == _lastName[l1])
            l1++;
        int l2 = name.Length - l1;
        if (l1 > 0)
            xflags |= XMIT_SAME_NAME;
        if (l2 > 255)
            xflags |= XMIT_LONG_NAME;

        // A zero flags value (or first byte) would read as the end of the list (rsync flist.c: send_file_entry).
        if (_session.VarintFlistFlags)
        {
            w.WriteVarInt(xflags != 0 ? xflags : XMIT_EXTENDED_FLAGS);
        }
        else if (_protocol >= 28)
        {
            if (xflags == 0 && !file.IsDirectory)
                xflags |= XMIT_TOP_DIR;
            if ((xflags & 0xFF00) != 0 || xflags == 0)
            {
                xflags |= XMIT_EXTENDED_FLAGS;
                w.WriteUInt16((ushort)xflags);
            }
            else
            {
                w.WriteByte((byte)xflags);
            }
        }
        else
        {
            if ((xflags & 0xFF) == 0)
                xflags |= file.IsDirectory ? XMIT_LONG_NAME : XMIT_TOP_DIR;
            w.WriteByte((byte)xflags);
        }
        if ((xflags & XMIT_SAME_NAME) != 0)
            w.WriteByte((byte)l1);
        if ((xflags & XMIT_LONG_NAME) != 0)
            w.WriteVarInt30(l2, _protocol);
        else
            w.WriteByte((byte)l2);
        w.Write(name.AsSpan(l1));

        _lastName = name;
        _first = false;
        if (file.IsRegular || file.IsSymlink)
            TotalSize += file.Size;

        if (firstHardLink >= 0)
        {
            // rsync flist.c: send_file_entry — a first in this list abbreviates the entry (the_end when
            // first_hlink_ndx >= first_ndx); one in an earlier list (incremental recursion) is followed by the whole
            // entry, which the receiver may no longer be able to copy from.
            w.WriteVarInt(firstHardLink);
            if (firstHardLink >= ListStart)
            {
                // flist.c: send_file_name sends the ACLs, then the xattr list, after send_file_entry, abbreviated or not.
                WriteAcls(w, file);
                WriteXattrs(w, file);
                return;
            }
        }

        w.WriteVarLong30(file.Size, 3, _protocol);
        if ((xflags & XMIT_SAME_TIME) == 0)
        {
            if (_protocol >= 30)
                w.WriteVarLong(file.ModTime, 4);
            else
                w.WriteInt32((int)file.ModTime);
        }
        if ((xflags & XMIT_MOD_NSEC) != 0)
            w.WriteVarInt(file.ModTimeNsec);
        if ((xflags & XMIT_SAME_MODE) == 0)
            w.WriteInt32(file.Mode);
        if (sendsAtime && (xflags & XMIT_SAME_ATIME) == 0)
            w.WriteVarLong(file.AccessTime, 4);
        if (_options.Owner && (xflags & XMIT_SAME_UID) == 0)
        {
            if (_protocol < 30)
                w.WriteInt32(file.Uid);
            else
                w.WriteVarInt(file.Uid);
            if (userName is not null)
                WriteShortName(w, userName);
        }
        if (_options.Group && (xflags & XMIT_SAME_GID) == 0)
        {
            if (_protocol < 30)
                w.WriteInt32(file.Gid);
            else
                w.WriteVarInt(file.Gid);
            if (groupName is not null)
                WriteShortName(w, groupName);
        }
        if (sendRdev)
        {
            if ((xflags & XMIT_SAME_RDEV_MAJOR) == 0)
                w.WriteVarInt30(file.RdevMajor, _protocol);
            if (_protocol >= 30)
                w.WriteVarInt(rdevMinor);
            else if ((xflags & XMIT_RDEV_MINOR_8_pre30) != 0)
                w.WriteByte((byte)rdevMinor);
            else
                w.WriteInt32(rdevMinor);
        }
        if (_options.Links && file.IsSymlink && file.LinkTarget is { } target)
        {
            w.WriteVarInt30(target.Length, _protocol);
            w.Write(target);
        }
        if (hardLinked && _protocol < 30)
        {
            // Older protocols send dev+1 (never zero) and the inode as longints (rsync flist.c).
            if ((xflags & XMIT_SAME_DEV_pre30) == 0)
                w.WriteLongInt(file.Dev + 1);
            w.WriteLongInt(file.Ino);
        }
        if (_options.AlwaysChecksum && (file.IsRegular || _protocol < 28))
        {
            if (file.Checksum is null || !file.IsRegular)
                w.GetSpan(ChecksumLength)[..ChecksumLength].Clear();
            else
                file.Checksum.AsSpan(0, ChecksumLength).CopyTo(w.GetSpan(ChecksumLength));
            w.Advance(ChecksumLength);
        }
        WriteAcls(w, file);
        WriteXattrs(w, file);
    }

    // flist.c: send_file_name — the ACLs follow the entry (acls.c: send_acl), before its xattrs.
    private void WriteAcls(IBufferWriter<byte> w, FileEntry file)
    {
        if (_options.Acls && !file.IsSymlink)
            _acls.Write(w, file.Acls, file.Mode, _session.IncRecurse, AclIdName);
    }

    private readonly AclSender _acls = new();

    // acls.c: send_ida_entries — an ACL's named ids join the same id lists as the owners' (uidlist.c: add_uid /
    // add_gid, which give the name only the first time an id is added, and nothing with --numeric-ids).
    private byte[]? AclIdName(bool user, uint id)
    {
        if (_options.NumericIds || _options.NumericIdsHere)
            return null;
        return user
            ? _seenUids.Add((int)id) ? NewIdName(_uids, (int)id, _names.UserName) : null
            : _seenGids.Add((int)id) ? NewIdName(_gids, (int)id, _names.GroupName) : null;
    }

    // flist.c: send_file_name — with -X the entry's xattr list (or the index of an identical one) follows it.
    private void WriteXattrs(IBufferWriter<byte> w, FileEntry file)
    {
        if (Xattrs is not { } xattrs)
            return;
        file.XattrIndex = xattrs.Send(w, file.Xattrs ?? []);
        file.Xattrs = null;
    }

    /// <summary>-X: the sender's table of xattr lists (null without -X).</summary>
    public XattrTable? Xattrs { get; init; }

    /// <summary>flist_csum_len: the whole-file checksum length of the negotiated checksum.</summary>
    public int ChecksumLength { get; init; } = 16;

    /// <summary>
    /// Which entries go out with a leading '/': with -R an absolute source without "/./" (flist.c: send_file_list keeps
    /// the '/' in the names it lists; <see cref="FileListBuilder.IsRootedName"/>); null when none does.
    /// </summary>
    public Func<FileEntry, bool>? Rooted { get; init; }

    /// <summary>
    /// Ends the list: the end marker (with the io_error value where the protocol carries it there), then the
    /// uid/gid name lists, then (before protocol 30) io_error as an int. Protocol 30 without CF_SAFE_FLIST reports
    /// io_error in a MSG_IO_ERROR instead, which the caller sends.
    /// </summary>
    public void WriteEnd(IBufferWriter<byte> w, int ioError)
    {
        if (_session.VarintFlistFlags)
        {
            w.WriteVarInt(0);
            w.WriteVarInt(_session.SafeFlist ? ioError : 0);
        }
        else if (_session.SafeFlist && ioError != 0)
        {
            w.WriteUInt16((ushort)(XMIT_EXTENDED_FLAGS | XMIT_IO_ERROR_ENDLIST));
            w.WriteVarInt(ioError);
        }
        else
        {
            w.WriteByte(0);
        }

        // flist.c: send_file_list — with incremental recursion the names went in the entries instead.
        if (!_options.NumericIds && !_session.IncRecurse)
        {
            // uidlist.c: send_id_lists — with -A both lists go, whatever -o and -g say.
            if (_options.Owner || _options.Acls)
                WriteIdList(w, _uids, _names.UserName);
            if (_options.Group || _options.Acls)
                WriteIdList(w, _gids, _names.GroupName);
        }
        if (_protocol < 30)
            w.WriteInt32(ioError);
    }

    private void WriteIdList(IBufferWriter<byte> w, List<int> ids, Func<int, string?> lookup)
    {
        foreach (int id in ids)
        {
            if (id == 0 || lookup(id) is not { } name)
                continue;
            WriteIdName(w, id, name);
        }
        if (_session.Id0Names)
            WriteIdName(w, 0, lookup(0) ?? "");
        else
            w.WriteVarInt30(0, _protocol);
    }

    private void WriteIdName(IBufferWriter<byte> w, int id, string name)
    {
        w.WriteVarInt30(id, _protocol);
        WriteShortName(w, Encoding.UTF8.GetBytes(name));
    }

    // A name of at most 255 bytes after its length byte (uidlist.c: send_one_name; flist.c: send_file_entry).
    private static void WriteShortName(IBufferWriter<byte> w, byte[] name)
    {
        int len = Math.Min(name.Length, 255);
        w.WriteByte((byte)len);
        w.Write(name.AsSpan(0, len));
    }

    // The first time an id is sent: without incremental recursion it joins the id list sent after the entries;
    // with it, its name (when it has one) follows the id in this entry (flist.c: send_file_entry,
    // XMIT_USER_NAME_FOLLOWS / XMIT_GROUP_NAME_FOLLOWS; uidlist.c: add_uid returns the name once).
    private byte[]? NewIdName(List<int> ids, int id, Func<int, string?> lookup)
    {
        if (!_session.IncRecurse)
        {
            ids.Add(id);
            return null;
        }
        return lookup(id) is { } name ? Encoding.UTF8.GetBytes(name) : null;
    }
}
