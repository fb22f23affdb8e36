using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;
using static ManagedRsync.FileList.FileListWriter;


namespace ManagedRsync.FileList;

/// <summary>
/// Decodes the sender's file list on the receiving side (rsync flist.c: recv_file_list, recv_file_entry,
/// uidlist.c: recv_id_list), the inverse of <see cref="FileListWriter"/>. Every length and count is bounded before
/// it is used; the names are then checked by <see cref="Destination.FileListGuard"/>.
/// </summary>
internal sealed class FileListReader
{
    /// <summary>rsync MAXPATHLEN on Linux: a name plus its NUL must fit.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>More entries than this is treated as an attack on our memory rather than a tree.</summary>
    public const int MaxEntries = 50_000_000;

    private readonly MultiplexReader _input;
    private readonly SessionParameters _session;
    private readonly TransferOptions _options;
    private readonly int _protocol;
    private readonly int _checksumLength;
    private readonly int _maxEntries;

    private byte[] _lastName = [];
    private long _modTime;
    // flist.c: recv_file_entry's static atime (-U), 0 at the start as the sender's is.
    private long _atime;
    private int _mode;
    private int _uid;
    private int _gid;
    private int _rdevMajor;
    private long _dev;
    private int _total;

    // maxEntries: only tests lower it, to reach the guard without 50 million entries.
    public FileListReader(MultiplexReader input, SessionParameters session, TransferOptions options, int checksumLength,
        int maxEntries = MaxEntries)
    {
        _maxEntries = maxEntries;
        _input = input;
        _session = session;
        _options = options;
        _protocol = session.Protocol;
        _checksumLength = checksumLength;
    }

    /// <summary>
    /// The global index of the list being read (flist.c: ndx_start): 0 for a whole list, each part's own start with
    /// incremental recursion (hard-link group numbers are global indexes).
    /// </summary>
    public int ListStart { get; set; }

    /// <summary>-X: the receiving side's table of xattr lists (null without -X).</summary>
    public XattrTable? Xattrs { get; set; }

    /// <summary>The sender's io_error value (rsync flist.c: the end marker or the int after the list).</summary>
    public int IoError { get; private set; }

    /// <summary>uid -> name and gid -> name as the sender listed them (rsync uidlist.c).</summary>
    public Dictionary<int, string> UserNames { get; } = [];

    public Dictionary<int, string> GroupNames { get; } = [];

    /// <summary>
    /// -A: the receiving side's ACL caches, for the whole session (acls.c: access_acl_list, default_acl_list). A name
    /// that travels with a named entry joins <see cref="UserNames"/> / <see cref="GroupNames"/> as an owner's does.
    /// </summary>
    public AclReceiver Acls => _aclReceiver ??= new AclReceiver
    {
        FakeSuper = _options.FakeSuper,
        NameArrived = (user, id, name) =>
        {
            (user ? UserNames : GroupNames)[id] = name;
            (user ? UserNameArrived : GroupNameArrived)?.Invoke(id, name);
        },
    };

    private AclReceiver? _aclReceiver;

    /// <summary>Told of each user name as it is read (uidlist.c: recv_user_name maps it at once).</summary>
    public Action<int, string>? UserNameArrived { get; set; }

    /// <summary>Told of each group name as it is read (uidlist.c: recv_group_name).</summary>
    public Action<int, string>? GroupNameArrived { get; set; }

    /// <summary>
    /// Reads the whole list (or, with incremental recursion, one of its parts) in the order the sender sent it. The
    /// entries' compression state (the previous name, time, mode, ids) carries over from one part to the next, as
    /// stock's recv_file_entry keeps it in statics; the bound on entries is over all parts.
    /// </summary>
    public async Task<List<FileEntry>> ReadAsync(CancellationToken ct)
    {
        var entries = new List<FileEntry>();
        while (true)
        {
            // An entry the buffer holds whole is decoded from it at once; one it ends in (or one the span decoder leaves
            // to the field readers) is read field by field, waiting where the bytes run out.
            Buffered buffered = TryReadBuffered(entries);
            if (buffered == Buffered.Entry)
                continue;
            if (buffered == Buffered.End)
                break;
            int xflags = await ReadFlagsAsync(ct).ConfigureAwait(false);
            if (xflags == 0)
                break;
            if (_total >= _maxEntries)
                throw RsyncException.Protocol($"file list has more than {_maxEntries} entries");
            _total++;
            entries.Add(await ReadEntryAsync(xflags, entries, ct).ConfigureAwait(false));
        }
        // rsync flist.c: send_file_list sends the id lists only without incremental recursion (the names then
        // travel inside the entries, XMIT_USER_NAME_FOLLOWS).
        if (!_options.NumericIds && !_session.IncRecurse)
        {
            // uidlist.c: recv_id_list — with -A both lists come, whatever -o and -g say.
            if (_options.Owner || _options.Acls)
                await ReadIdListAsync(UserNames, UserNameArrived, ct).ConfigureAwait(false);
            if (_options.Group || _options.Acls)
                await ReadIdListAsync(GroupNames, GroupNameArrived, ct).ConfigureAwait(false);
        }
        if (_protocol < 30)
            IoError |= await _input.ReadInt32Async(ct).ConfigureAwait(false);
        return entries;
    }

    private enum Buffered
    {
        /// <summary>Nothing was taken: the buffer ends inside the next entry, or the field readers are to read it.</summary>
        None,

        /// <summary>An entry was taken and added.</summary>
        Entry,

        /// <summary>The end of the list (and its io_error) was taken.</summary>
        End,
    }

    /// <summary>
    /// The next entry, or the end of the list, decoded from what the input already holds, as <see cref="ReadFlagsAsync"/>
    /// and <see cref="ReadEntryAsync"/> read it (the same fields, checks and messages, in the same order), with no await
    /// per field: a 100,000-entry list took some fifteen awaited reads an entry. Nothing is taken (and no state of
    /// the list changes) unless the whole entry is there. ACLs and xattrs (read by their own readers), and the owner
    /// and group names that may follow an entry (their callbacks map each as it arrives), stay with the field
    /// readers.
    /// </summary>
    private Buffered TryReadBuffered(List<FileEntry> previous)
    {
        if (_options.Acls || Xattrs is not null)
            return Buffered.None;
        var r = new WireReader(_input.Buffered);
        int xflags;
        if (_session.VarintFlistFlags)
        {
            if (!r.TryReadVarInt(out xflags))
                return Buffered.None;
            if (xflags == 0)
            {
                if (!r.TryReadVarInt(out int ioError))
                    return Buffered.None;
                IoError |= ioError;
                _input.Advance(r.Consumed);
                return Buffered.End;
            }
        }
        else
        {
            if (!r.TryReadByte(out byte first))
                return Buffered.None;
            xflags = first;
            if (xflags == 0)
            {
                _input.Advance(r.Consumed);
                return Buffered.End;
            }
            if (_protocol >= 28 && (xflags & XMIT_EXTENDED_FLAGS) != 0)
            {
                if (!r.TryReadByte(out byte second))
                    return Buffered.None;
                xflags |= second << 8;
                if (xflags == (XMIT_EXTENDED_FLAGS | XMIT_IO_ERROR_ENDLIST) && _session.SafeFlist)
                {
                    if (!r.TryReadVarInt(out int ioError))
                        return Buffered.None;
                    IoError |= ioError;
                    _input.Advance(r.Consumed);
                    return Buffered.End;
                }
            }
        }
        if (_protocol >= 30 && (xflags & (XMIT_USER_NAME_FOLLOWS | XMIT_GROUP_NAME_FOLLOWS)) != 0)
            return Buffered.None;
        if (_total >= _maxEntries)
            throw RsyncException.Protocol($"file list has more than {_maxEntries} entries");

        int l1 = 0;
        if ((xflags & XMIT_SAME_NAME) != 0)
        {
            if (!r.TryReadByte(out byte shared))
                return Buffered.None;
            l1 = shared;
        }
        int l2;
        if ((xflags & XMIT_LONG_NAME) != 0)
        {
            if (!TryReadVarInt30(ref r, out l2))
                return Buffered.None;
        }
        else
        {
            if (!r.TryReadByte(out byte length))
                return Buffered.None;
            l2 = length;
        }
        if (l1 > _lastName.Length || l2 < 0 || l2 >= MaxPathBytes - l1)
            throw RsyncException.Protocol($"file-list name overflow: shared {l1} of {_lastName.Length}, new {l2} bytes");
        if (!r.TryReadSpan(l2, out ReadOnlySpan<byte> suffix))
            return Buffered.None;
        var fullName = new byte[l1 + l2];
        _lastName.AsSpan(0, l1).CopyTo(fullName);
        suffix.CopyTo(fullName.AsSpan(l1));
        byte[] name = _options.Relative && fullName.Length > 0 && fullName[0] == (byte)'/'
            ? fullName.AsSpan().TrimStart((byte)'/').ToArray()
            : fullName;

        int gnum = -1;
        if ((xflags & XMIT_HLINKED) != 0 && _protocol >= 30 && (xflags & XMIT_HLINK_FIRST) == 0)
        {
            if (!r.TryReadVarInt(out gnum))
                return Buffered.None;
            if (gnum < 0 || gnum >= ListStart + previous.Count)
                throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                    $"hard-link reference out of range: {gnum} ({ListStart + previous.Count})");
        }
        if (gnum >= ListStart)
        {
            FileEntry leader = previous[gnum - ListStart];
            if (leader.IsDirectory)
                throw RsyncException.Protocol($"hard link to directory \"{leader.DisplayName}\"");
            // As ReadEntryAsync: the abbreviated entry sets the "same as previous" values from its leader.
            _lastName = fullName;
            _mode = leader.Mode;
            _modTime = leader.ModTime;
            if (_options.Atimes)
                _atime = leader.AccessTime;
            _uid = leader.Uid;
            _gid = leader.Gid;
            if (_options.Devices && leader.IsDevice)
                _rdevMajor = leader.RdevMajor;
            _total++;
            _input.Advance(r.Consumed);
            previous.Add(new FileEntry
            {
                Name = name, Mode = leader.Mode, Size = leader.Size, ModTime = leader.ModTime, ModTimeNsec = leader.ModTimeNsec,
                Uid = leader.Uid, Gid = leader.Gid, RdevMajor = leader.RdevMajor, RdevMinor = leader.RdevMinor,
                LinkTarget = leader.LinkTarget, Dev = 0, Ino = gnum, Checksum = leader.Checksum, AccessTime = leader.AccessTime,
            });
            return Buffered.Entry;
        }

        if (!TryReadVarLong30(ref r, 3, out long size))
            return Buffered.None;
        if (size < 0)
            throw RsyncException.Protocol($"negative file size {size} for \"{System.Text.Encoding.UTF8.GetString(name)}\"");
        long modTime = _modTime;
        if ((xflags & XMIT_SAME_TIME) == 0)
        {
            if (_protocol >= 30)
            {
                if (!r.TryReadVarLong(4, out modTime))
                    return Buffered.None;
            }
            else
            {
                if (!r.TryReadInt32(out int seconds))
                    return Buffered.None;
                modTime = seconds;
            }
        }
        int nsec = 0;
        if ((xflags & XMIT_MOD_NSEC) != 0)
        {
            if (!r.TryReadVarInt(out nsec))
                return Buffered.None;
            if (nsec is < 0 or > 999_999_999)
                throw RsyncException.Protocol($"modification time nanoseconds {nsec} out of range");
        }
        int mode = _mode;
        if ((xflags & XMIT_SAME_MODE) == 0 && !r.TryReadInt32(out mode))
            return Buffered.None;
        int type = mode & FileEntry.S_IFMT;
        bool missingArg = mode == 0 && _options.DeleteMissingArgs;
        if (!missingArg && type is not (FileEntry.S_IFREG or FileEntry.S_IFDIR or FileEntry.S_IFLNK or FileEntry.S_IFCHR
            or FileEntry.S_IFBLK or FileEntry.S_IFIFO or FileEntry.S_IFSOCK))
            throw RsyncException.Protocol($"file mode 0{Convert.ToString(mode, 8)} has no valid file type");
        long lastAtime = _atime;
        if (_options.Atimes && type != FileEntry.S_IFDIR && (xflags & XMIT_SAME_ATIME) == 0 && !r.TryReadVarLong(4, out lastAtime))
            return Buffered.None;
        long atime = _options.Atimes && type != FileEntry.S_IFDIR ? lastAtime : 0;

        int uid = _uid;
        if (_options.Owner && (xflags & XMIT_SAME_UID) == 0 && !TryReadVarInt30(ref r, out uid))
            return Buffered.None;
        int gid = _gid;
        if (_options.Group && (xflags & XMIT_SAME_GID) == 0 && !TryReadVarInt30(ref r, out gid))
            return Buffered.None;

        int rdevMajor = _rdevMajor;
        int rdevMinor = 0;
        bool isDevice = type is FileEntry.S_IFCHR or FileEntry.S_IFBLK;
        bool isSpecial = type is FileEntry.S_IFIFO or FileEntry.S_IFSOCK;
        if ((_options.Devices && isDevice) || (_options.Specials && isSpecial && _protocol < 31))
        {
            if (_protocol < 28)
            {
                if ((xflags & XMIT_SAME_RDEV_pre28) == 0)
                {
                    if (!r.TryReadInt32(out int rdev))
                        return Buffered.None;
                    rdevMajor = (rdev >> 8) & 0xFFF;
                    rdevMinor = (rdev & 0xFF) | ((rdev >> 12) & ~0xFF);
                }
            }
            else
            {
                if ((xflags & XMIT_SAME_RDEV_MAJOR) == 0 && !TryReadVarInt30(ref r, out rdevMajor))
                    return Buffered.None;
                if (_protocol >= 30)
                {
                    if (!r.TryReadVarInt(out rdevMinor))
                        return Buffered.None;
                }
                else if ((xflags & XMIT_RDEV_MINOR_8_pre30) != 0)
                {
                    if (!r.TryReadByte(out byte minor))
                        return Buffered.None;
                    rdevMinor = minor;
                }
                else if (!r.TryReadInt32(out rdevMinor))
                {
                    return Buffered.None;
                }
            }
        }

        byte[]? target = null;
        if (_options.Links && type == FileEntry.S_IFLNK)
        {
            if (!TryReadVarInt30(ref r, out int length))
                return Buffered.None;
            if (length <= 0 || length >= MaxPathBytes)
                throw RsyncException.Protocol($"symlink target length {length} out of range");
            if (!r.TryReadSpan(length, out ReadOnlySpan<byte> targetBytes))
                return Buffered.None;
            target = targetBytes.ToArray();
        }

        long lastDev = _dev;
        long dev = -1, ino = 0;
        if (_options.HardLinks && _protocol < 30 && (xflags & XMIT_HLINKED) != 0 && type != FileEntry.S_IFDIR)
        {
            if (_protocol < 28 || (xflags & XMIT_SAME_DEV_pre30) == 0)
            {
                if (!r.TryReadLongInt(out long devPlusOne))
                    return Buffered.None;
                lastDev = devPlusOne - 1;
            }
            dev = lastDev;
            if (!r.TryReadLongInt(out ino))
                return Buffered.None;
        }
        else if ((xflags & XMIT_HLINKED) != 0 && _protocol >= 30)
        {
            dev = 0;
            ino = gnum >= 0 ? gnum : ListStart + previous.Count;
        }

        byte[]? checksum = null;
        if (_options.AlwaysChecksum && (type == FileEntry.S_IFREG || _protocol < 28))
        {
            if (!r.TryReadSpan(_checksumLength, out ReadOnlySpan<byte> sum))
                return Buffered.None;
            checksum = sum.ToArray();
        }
        if (_options.Chmod is { } chmod && type != FileEntry.S_IFLNK && mode != 0)
            mode = chmod.Apply(mode);

        // The whole entry is here: it is taken, and the values the next entry may share become this one's.
        _lastName = fullName;
        _modTime = modTime;
        _mode = mode;
        _atime = lastAtime;
        _uid = uid;
        _gid = gid;
        _rdevMajor = rdevMajor;
        _dev = lastDev;
        _total++;
        _input.Advance(r.Consumed);
        previous.Add(new FileEntry
        {
            Name = name, Mode = mode, Size = size, ModTime = modTime, ModTimeNsec = nsec, Uid = uid, Gid = gid,
            RdevMajor = rdevMajor, RdevMinor = rdevMinor, LinkTarget = target, Dev = dev, Ino = ino, Checksum = checksum,
            AccessTime = atime,
            IsTopDir = (xflags & XMIT_TOP_DIR) != 0 && type == FileEntry.S_IFDIR,
            IsNoContentDir = _protocol >= 30 && type == FileEntry.S_IFDIR && (xflags & XMIT_NO_CONTENT_DIR) != 0,
        });
        return Buffered.Entry;
    }

    // rsync io.h: read_varint30 — an int32 before protocol 30.
    private bool TryReadVarInt30(ref WireReader r, out int value) =>
        _protocol < 30 ? r.TryReadInt32(out value) : r.TryReadVarInt(out value);

    // rsync io.h: read_varlong30 — a longint before protocol 30.
    private bool TryReadVarLong30(ref WireReader r, int minBytes, out long value) =>
        _protocol < 30 ? r.TryReadLongInt(out value) : r.TryReadVarLong(minBytes, out value);

    // Returns 0 at the end of the list, after reading the io_error that may travel with the end marker.
    private async ValueTask<int> ReadFlagsAsync(CancellationToken ct)
    {
        if (_session.VarintFlistFlags)
        {
            int flags = await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (flags == 0)
            {
                IoError |= await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
                return 0;
            }
            return flags;
        }
        int xflags = await _input.ReadByteAsync(ct).ConfigureAwait(false);
        if (xflags == 0)
            return 0;
        if (_protocol >= 28 && (xflags & XMIT_EXTENDED_FLAGS) != 0)
        {
            xflags |= await _input.ReadByteAsync(ct).ConfigureAwait(false) << 8;
            if (xflags == (XMIT_EXTENDED_FLAGS | XMIT_IO_ERROR_ENDLIST) && _session.SafeFlist)
            {
                IoError |= await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
                return 0;
            }
        }
        return xflags;
    }

    private async ValueTask<FileEntry> ReadEntryAsync(int xflags, List<FileEntry> previous, CancellationToken ct)
    {
        int l1 = (xflags & XMIT_SAME_NAME) != 0 ? await _input.ReadByteAsync(ct).ConfigureAwait(false) : 0;
        int l2 = (xflags & XMIT_LONG_NAME) != 0
            ? await _input.ReadVarInt30Async(_protocol, ct).ConfigureAwait(false)
            : await _input.ReadByteAsync(ct).ConfigureAwait(false);
        // rsync flist.c: "overflow" when l2 >= MAXPATHLEN - l1; and the shared prefix cannot exceed the last name.
        if (l1 > _lastName.Length || l2 < 0 || l2 >= MaxPathBytes - l1)
            throw RsyncException.Protocol($"file-list name overflow: shared {l1} of {_lastName.Length}, new {l2} bytes");
        var name = new byte[l1 + l2];
        _lastName.AsSpan(0, l1).CopyTo(name);
        await _input.ReadExactlyAsync(name.AsMemory(l1), ct).ConfigureAwait(false);
        _lastName = name;
        // flist.c: recv_file_entry refuses an absolute name unless -R, where a sender lists an absolute source's names
        // with their leading '/' (send_file_list); the receiver takes the name without it (a daemon's sanitize_path
        // there, flist_sort_and_clean's strip_root elsewhere). The next entry's shared prefix counts the '/'.
        if (_options.Relative && name.Length > 0 && name[0] == (byte)'/')
            name = name.AsSpan().TrimStart((byte)'/').ToArray();

        int gnum = -1;
        if ((xflags & XMIT_HLINKED) != 0 && _protocol >= 30 && (xflags & XMIT_HLINK_FIRST) == 0)
        {
            // rsync flist.c: recv_file_entry — a later hard link names the global index of its group's first (the
            // group number, F_HL_GNUM), below the end of this list; one in this list abbreviates the entry (all else
            // is the first's), one in an earlier list (incremental recursion) is followed by the full entry, and the
            // group must have been declared there (hlink.c: match_gnums, ReceiveRun.MatchHardLinks).
            gnum = await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (gnum < 0 || gnum >= ListStart + previous.Count)
                throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, // RERR_PROTOCOL, as stock exits
                    $"hard-link reference out of range: {gnum} ({ListStart + previous.Count})");
        }
        if (gnum >= ListStart)
        {
            var leader = previous[gnum - ListStart];
            if (leader.IsDirectory)
                throw RsyncException.Protocol($"hard link to directory \"{leader.DisplayName}\"");
            // rsync flist.c: recv_file_entry — the abbreviated entry sets the "same as previous" statics from the
            // first (mode, time, ids, a device's major), as send_file_entry set its own from this file before it
            // wrote the index: the next entry's XMIT_SAME_* flags refer to the leader's values, not the entry
            // before the follower.
            _mode = leader.Mode;
            _modTime = leader.ModTime;
            if (_options.Atimes && !leader.IsDirectory)
                _atime = leader.AccessTime;
            _uid = leader.Uid;
            _gid = leader.Gid;
            if (_options.Devices && leader.IsDevice)
                _rdevMajor = leader.RdevMajor;
            var follower = new FileEntry
            {
                Name = name, Mode = leader.Mode, Size = leader.Size, ModTime = leader.ModTime, ModTimeNsec = leader.ModTimeNsec,
                Uid = leader.Uid, Gid = leader.Gid, RdevMajor = leader.RdevMajor, RdevMinor = leader.RdevMinor,
                LinkTarget = leader.LinkTarget, Dev = 0, Ino = gnum, Checksum = leader.Checksum, AccessTime = leader.AccessTime,
                // flist.c: recv_file_entry reaches receive_acl for an abbreviated entry too (create_object).
                Acls = _options.Acls && !leader.IsSymlink ? await Acls.ReadAsync(_input, leader.Mode, ct).ConfigureAwait(false) : null,
            };
            // flist.c: recv_file_entry — create_object goes on to the xattr list.
            if (Xattrs is { } followerXattrs)
                follower.XattrIndex = await followerXattrs.ReceiveAsync(_input, () => Platform.FileNameEncoding.Display(name), ct).ConfigureAwait(false);
            return follower;
        }

        long size = await _input.ReadVarLong30Async(3, _protocol, ct).ConfigureAwait(false);
        if (size < 0)
            throw RsyncException.Protocol($"negative file size {size} for \"{System.Text.Encoding.UTF8.GetString(name)}\"");
        if ((xflags & XMIT_SAME_TIME) == 0)
        {
            _modTime = _protocol >= 30
                ? await _input.ReadVarLongAsync(4, ct).ConfigureAwait(false)
                : await _input.ReadInt32Async(ct).ConfigureAwait(false);
        }
        int nsec = 0;
        if ((xflags & XMIT_MOD_NSEC) != 0)
        {
            nsec = await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (nsec is < 0 or > 999_999_999)
                throw RsyncException.Protocol($"modification time nanoseconds {nsec} out of range");
        }
        if ((xflags & XMIT_SAME_MODE) == 0)
            _mode = await _input.ReadInt32Async(ct).ConfigureAwait(false);
        int mode = _mode;
        int type = mode & FileEntry.S_IFMT;
        // rsync flist.c: recv_file_entry — mode 0 is the one exception, and only with --delete-missing-args
        // (missing_args == 2): a source argument that no longer exists, which the generator deletes.
        bool missingArg = mode == 0 && _options.DeleteMissingArgs;
        if (!missingArg && type is not (FileEntry.S_IFREG or FileEntry.S_IFDIR or FileEntry.S_IFLNK or FileEntry.S_IFCHR
            or FileEntry.S_IFBLK or FileEntry.S_IFIFO or FileEntry.S_IFSOCK))
            throw RsyncException.Protocol($"file mode 0{Convert.ToString(mode, 8)} has no valid file type");
        // flist.c: recv_file_entry — -U: the access time of all but a directory, a varlong of at least 4 bytes (any
        // 64-bit value, as the modification time: a time the file system cannot hold fails where it is set).
        if (_options.Atimes && type != FileEntry.S_IFDIR && (xflags & XMIT_SAME_ATIME) == 0)
            _atime = await _input.ReadVarLongAsync(4, ct).ConfigureAwait(false);
        long atime = _options.Atimes && type != FileEntry.S_IFDIR ? _atime : 0;

        if (_options.Owner && (xflags & XMIT_SAME_UID) == 0)
        {
            _uid = _protocol < 30 ? await _input.ReadInt32Async(ct).ConfigureAwait(false) : await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if ((xflags & XMIT_USER_NAME_FOLLOWS) != 0 && _protocol >= 30)
            {
                UserNames[_uid] = await ReadShortNameAsync(ct).ConfigureAwait(false);
                UserNameArrived?.Invoke(_uid, UserNames[_uid]);
            }
        }
        if (_options.Group && (xflags & XMIT_SAME_GID) == 0)
        {
            _gid = _protocol < 30 ? await _input.ReadInt32Async(ct).ConfigureAwait(false) : await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if ((xflags & XMIT_GROUP_NAME_FOLLOWS) != 0 && _protocol >= 30)
            {
                GroupNames[_gid] = await ReadShortNameAsync(ct).ConfigureAwait(false);
                GroupNameArrived?.Invoke(_gid, GroupNames[_gid]);
            }
        }

        int rdevMinor = 0;
        bool isDevice = type is FileEntry.S_IFCHR or FileEntry.S_IFBLK;
        bool isSpecial = type is FileEntry.S_IFIFO or FileEntry.S_IFSOCK;
        if ((_options.Devices && isDevice) || (_options.Specials && isSpecial && _protocol < 31))
        {
            if (_protocol < 28)
            {
                if ((xflags & XMIT_SAME_RDEV_pre28) == 0)
                {
                    int rdev = await _input.ReadInt32Async(ct).ConfigureAwait(false);
                    _rdevMajor = (rdev >> 8) & 0xFFF;
                    rdevMinor = (rdev & 0xFF) | ((rdev >> 12) & ~0xFF);
                }
            }
            else
            {
                if ((xflags & XMIT_SAME_RDEV_MAJOR) == 0)
                    _rdevMajor = await _input.ReadVarInt30Async(_protocol, ct).ConfigureAwait(false);
                if (_protocol >= 30)
                    rdevMinor = await _input.ReadVarIntAsync(ct).ConfigureAwait(false);
                else if ((xflags & XMIT_RDEV_MINOR_8_pre30) != 0)
                    rdevMinor = await _input.ReadByteAsync(ct).ConfigureAwait(false);
                else
                    rdevMinor = await _input.ReadInt32Async(ct).ConfigureAwait(false);
            }
        }

        byte[]? target = null;
        if (_options.Links && type == FileEntry.S_IFLNK)
        {
            int length = await _input.ReadVarInt30Async(_protocol, ct).ConfigureAwait(false);
            // rsync flist.c: "overflow: linkname_len" when the target and its NUL exceed MAXPATHLEN.
            if (length <= 0 || length >= MaxPathBytes)
                throw RsyncException.Protocol($"symlink target length {length} out of range");
            target = new byte[length];
            await _input.ReadExactlyAsync(target, ct).ConfigureAwait(false);
        }

        long dev = -1, ino = 0;
        if (_options.HardLinks && _protocol < 30 && (xflags & XMIT_HLINKED) != 0 && type != FileEntry.S_IFDIR)
        {
            if (_protocol < 28 || (xflags & XMIT_SAME_DEV_pre30) == 0)
                _dev = await ReadLongIntAsync(ct).ConfigureAwait(false) - 1;
            dev = _dev;
            ino = await ReadLongIntAsync(ct).ConfigureAwait(false);
        }
        else if ((xflags & XMIT_HLINKED) != 0 && _protocol >= 30)
        {
            // flist.c: recv_file_entry — the group number: the first's own global index (ndx_start + used), or the
            // one a later member in a later list named.
            dev = 0;
            ino = gnum >= 0 ? gnum : ListStart + previous.Count;
        }

        byte[]? checksum = null;
        if (_options.AlwaysChecksum && (type == FileEntry.S_IFREG || _protocol < 28))
        {
            checksum = new byte[_checksumLength];
            await _input.ReadExactlyAsync(checksum, ct).ConfigureAwait(false);
        }
        // flist.c: recv_file_entry applies --chmod to all but symlinks (and a missing argument's 0), to its static
        // mode: the next entry sent with XMIT_SAME_MODE starts from the changed mode and is changed again (which a
        // copy rule such as g=o makes visible).
        if (_options.Chmod is { } chmod && type != FileEntry.S_IFLNK && mode != 0)
            _mode = mode = chmod.Apply(mode);
        // flist.c: recv_file_entry — the ACLs after the checksum (acls.c: receive_acl, with the mode --chmod made),
        // then the xattrs.
        EntryAcls? acls = _options.Acls && type != FileEntry.S_IFLNK
            ? await Acls.ReadAsync(_input, mode, ct).ConfigureAwait(false)
            : null;
        // flist.c: recv_file_entry — with -X the entry's xattr list (or the index of an earlier one) follows it.
        int xattrIndex = Xattrs is { } xattrs
            ? await xattrs.ReceiveAsync(_input, () => Platform.FileNameEncoding.Display(name), ct).ConfigureAwait(false)
            : -1;
        return new FileEntry
        {
            Acls = acls,
            Name = name, Mode = mode, Size = size, ModTime = _modTime, ModTimeNsec = nsec, Uid = _uid, Gid = _gid,
            RdevMajor = _rdevMajor, RdevMinor = rdevMinor, LinkTarget = target, Dev = dev, Ino = ino, Checksum = checksum,
            XattrIndex = xattrIndex, AccessTime = atime,
            IsTopDir = (xflags & XMIT_TOP_DIR) != 0 && type == FileEntry.S_IFDIR,
            // rsync flist.c: recv_file_entry — from protocol 30 a directory without XMIT_NO_CONTENT_DIR is a content
            // directory (FLAG_CONTENT_DIR); the others (-R's implied parents, -d's subdirectories) are never swept by
            // delete_in_dir.
            IsNoContentDir = _protocol >= 30 && type == FileEntry.S_IFDIR && (xflags & XMIT_NO_CONTENT_DIR) != 0,
        };
    }

    // rsync io.c: read_longint (read_varlong30 before protocol 30).
    private ValueTask<long> ReadLongIntAsync(CancellationToken ct) => _input.ReadVarLong30Async(3, 29, ct);

    private async ValueTask<string> ReadShortNameAsync(CancellationToken ct)
    {
        int length = await _input.ReadByteAsync(ct).ConfigureAwait(false);
        var bytes = new byte[length];
        await _input.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    // rsync uidlist.c: recv_id_list: (id, name) pairs until id 0, then id 0's name with CF_ID0_NAMES.
    private async ValueTask ReadIdListAsync(Dictionary<int, string> names, Action<int, string>? arrived, CancellationToken ct)
    {
        for (int count = 0; ; count++)
        {
            if (count > 1_000_000)
                throw RsyncException.Protocol("id list longer than a million entries");
            int id = await _input.ReadVarInt30Async(_protocol, ct).ConfigureAwait(false);
            if (id == 0)
                break;
            names[id] = await ReadShortNameAsync(ct).ConfigureAwait(false);
            arrived?.Invoke(id, names[id]);
        }
        if (_session.Id0Names)
        {
            names[0] = await ReadShortNameAsync(ct).ConfigureAwait(false);
            arrived?.Invoke(0, names[0]);
        }
    }
}
