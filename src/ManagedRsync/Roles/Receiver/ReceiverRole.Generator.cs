using System.Buffers;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Generator;

using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

// The generator (rsync generator.c: generate_files, recv_generator): walks the sorted list, makes directories,
// symlinks and devices itself, deletes what the sender no longer has, and asks for every regular file that fails
// the quick check, with the block sums of the local file as the basis.
internal sealed partial class ReceiverRole
{
    private static readonly bool s_isRoot = Environment.UserName == "root";
    private readonly LocalIds _ids = new();
    private readonly List<int> _directories = [];
    private readonly HashSet<int> _createdDirectories = [];
    private string? _singleFileName;
    private ConfinedDirectory? _tempDir;
    private OrderedLog? _order;
    private bool _rootCreated;

    /// <summary>A dry run's first directory that does not exist locally: what is below it is not looked up.</summary>
    private string? _dryMissingDir;

    /// <summary>The entry the generator is on, for the deletions it reports in that directory.</summary>
    private int _generating = -1;

    /// <summary>The local name of entry <paramref name="ndx"/> (a lone file may be renamed by the destination).</summary>
    private string NameOf(int ndx) => _singleFileName ?? _names[ndx];

    private void GenerateAll()
    {
        _keep = PlanDeletion();
        // rsync generator.c: generate_files — --delete-before is a whole pass ahead of the first request.
        if (_keep is not null && EffectiveDeleteTiming == DeleteTiming.Before)
            DeletePass();
        long flushed = _out.TotalWritten;
        for (int ndx = 0; ndx < _files.Count; ndx++)
        {
            _generating = ndx;
            try
            {
                GenerateOne(ndx);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                ReportFailure(e.Message);
            }
            _order?.GeneratorDone(ndx);
            if (_out.TotalWritten != flushed)
            {
                // What went out can be answered now; a stock client prints an entry's line only when the sender's
                // answer comes back, so lines wait for the requests that carry their index.
                flushed = _out.TotalWritten;
                _order?.Release(ndx);
            }
        }
        _generating = -1;
    }

    /// <summary>lstat of a destination name, or nothing when a dry run has not made the directory it would be in.</summary>
    private EntryStatus? StatLocal(string name)
    {
        // rsync generator.c: recv_generator — with dry_run > 1 (no destination) or below dry_missing_dir every entry
        // is treated as missing (statret -1, ENOENT) instead of being looked up.
        if (_dest is null)
            return null;
        if (_dryMissingDir is { } missing)
        {
            if (name.Length > missing.Length && name[missing.Length] == '/' && name.StartsWith(missing, StringComparison.Ordinal))
                return null;
            _dryMissingDir = null;
        }
        return _dest.Stat(name);
    }

    private void GenerateOne(int ndx)
    {
        FileEntry file = _files[ndx];
        string name = NameOf(ndx);
        ConfinedDirectory? dest = _dest;
        bool dry = _options.DryRun;
        EntryStatus? local = StatLocal(name);
        if (file.Mode == 0)
        {
            // rsync generator.c: recv_generator with missing_args == 2 — the sender's argument is gone: what is at its
            // name goes (delete_item, unless the receiver's rules protect it), and nothing is itemized.
            // A directory's contents go only with --delete (generator.c: del_opts is DEL_RECURSE with delete_mode or
            // --force).
            if (local is not null && dest is not null)
                DeleteUnlessProtected(name, recurse: _options.IsDeleting);
            return;
        }
        if (file.IsDirectory)
        {
            _stats.NumDirs++;
            if (local is { IsDirectory: false })
            {
                // rsync generator.c: a non-directory in the way is removed (delete_item, DEL_FOR_DIR: no "deleting").
                if (!dry)
                    dest!.Delete(name);
                local = null;
            }
            bool missing = local is null || (name == "." && _rootCreated);
            if (dry && local is null && name != ".")
                _dryMissingDir = name;
            ItemFlags iflags = missing ? ItemFlags.LocalChange | ItemFlags.IsNew : ItemizeAgainst(file, local, ItemFlags.None);
            if (local is null && !dry)
            {
                dest!.CreateDirectory(name);
                _createdDirectories.Add(ndx);
            }
            if (missing)
                CountCreated(file);
            Settle(ndx, file, iflags);
            if (!dry)
                _directories.Add(ndx);
            // rsync generator.c: delete_in_dir runs for a directory that exists (FLAG_MISSING_DIR excludes the rest).
            if (_keep is not null && local is not null && !file.IsNoContentDir
                && EffectiveDeleteTiming is DeleteTiming.During or DeleteTiming.Delay)
                DeleteExtraneous(name, remember: EffectiveDeleteTiming == DeleteTiming.Delay);
            return;
        }
        if (_list.HardLinkLeaders.ContainsKey(file))
            return;
        if (file.IsSymlink)
        {
            _stats.NumSymlinks++;
            if (!_options.Links || file.LinkTarget is null)
            {
                Say(ndx, $"skipping non-regular file \"{FileNameEncoding.Display(name)}\"");
                return;
            }
            string target = FileNameEncoding.Decode(file.LinkTarget);
            if (local is { IsSymlink: true } link && dest!.ReadSymlink(name) == target)
            {
                if (!dry)
                    dest.SetAttributes(name, AttributesFor(file, isNew: false) with { Permissions = null }, link);
                Settle(ndx, file, ItemizeAgainst(file, local, ItemFlags.None));
                return;
            }
            if (!dry)
            {
                dest!.CreateSymlink(name, target);
                dest.SetAttributes(name, AttributesFor(file, isNew: false) with { Permissions = null });
            }
            if (local is null)
                CountCreated(file);
            // rsync generator.c: a replaced entry of another type is itemized as new.
            EntryStatus? was = local is { IsSymlink: true } ? local : null;
            Settle(ndx, file, ItemizeAgainst(file, was, ItemFlags.LocalChange | ItemFlags.ReportChange));
            return;
        }
        if (file.IsDevice || file.IsSpecial)
        {
            bool wanted = file.IsDevice ? _options.Devices : _options.Specials;
            if (!wanted || (file.IsDevice && !s_isRoot))
            {
                Say(ndx, $"skipping non-regular file \"{FileNameEncoding.Display(name)}\"");
                return;
            }
            if (file.IsDevice) _stats.NumDevices++; else _stats.NumSpecials++;
            bool same = local is { } st && (st.Mode & 0xF000) == ((uint)file.Mode & 0xF000)
                && (!file.IsDevice || (st.RdevMajor == (uint)file.RdevMajor && st.RdevMinor == (uint)file.RdevMinor));
            if (!same)
            {
                if (!dry)
                    dest!.CreateDevice(name, (uint)file.Mode, (uint)file.RdevMajor, (uint)file.RdevMinor);
                if (local is null)
                    CountCreated(file);
                Settle(ndx, file, ItemizeAgainst(file, null, ItemFlags.LocalChange | ItemFlags.ReportChange));
            }
            else
            {
                Settle(ndx, file, ItemizeAgainst(file, local, ItemFlags.None));
            }
            // rsync rsync.c: dest_mode — a device made without -p gets the sender's mode less the umask.
            if (!dry)
                dest!.SetAttributes(name, AttributesFor(file, isNew: !same));
            return;
        }

        _stats.NumRegular++;
        if (local is { IsDirectory: true })
        {
            // rsync generator.c: a directory in the way of a file is removed (with --force, or when empty).
            if (!dry)
                dest!.Delete(name);
            local = null;
        }
        if (local is { IsRegularFile: true } current && QuickCheckPasses(file, current, name))
        {
            if (!dry)
                dest!.SetAttributes(name, AttributesFor(file, isNew: false), current);
            Settle(ndx, file, ItemizeAgainst(file, local, ItemFlags.None));
            return;
        }
        if (local is { IsRegularFile: false })
            local = null; // rsync: another kind of entry is replaced, the file is itemized as new
        ItemFlags request = ItemFlags.Transfer | (_options.AlwaysChecksum ? ItemFlags.ReportChange : 0);
        Request(ndx, redo: false, local, ItemizeAgainst(file, local, request));
    }

    /// <summary>
    /// An entry the generator settled itself: it is itemized to the sender as stock's generator does (from protocol
    /// 29, when something significant changed or -ii / -vv asks for every entry; generator.c: itemize), which the
    /// sender echoes back (and counts) before its answer to the next request, and its line is printed.
    /// </summary>
    private void Settle(int ndx, FileEntry file, ItemFlags iflags)
    {
        if (Protocol >= 29 && ((iflags & ItemFlags.Significant) != 0 || ItemLog.Level(_options) > 1 || _options.Verbose > 1))
        {
            _ndxOut.Write(_out, ndx);
            _out.WriteUInt16((ushort)iflags);
        }
        LogItem(ndx, file, iflags);
    }

    /// <summary>
    /// rsync generator.c: itemize — what differs between the sender's entry and what lstat found at its name
    /// (nothing found: ITEM_IS_NEW). Times are compared in whole seconds (util1.c: same_time with modify_window 0).
    /// </summary>
    private ItemFlags ItemizeAgainst(FileEntry file, EntryStatus? local, ItemFlags iflags)
    {
        if (local is not { } st)
            return iflags | ItemFlags.IsNew;
        if (file.IsRegular && file.Size != st.Size)
            iflags |= ItemFlags.ReportSize;
        bool timeDiffers = _options.Times
            ? st.MtimeSeconds != file.ModTime
            : (iflags & (ItemFlags.Transfer | ItemFlags.LocalChange)) != 0;
        if (timeDiffers)
            iflags |= ItemFlags.ReportTime;
        if (_options.Perms && !file.IsSymlink && (st.Mode & 0xFFF) != ((uint)file.Mode & 0xFFF))
            iflags |= ItemFlags.ReportPerms;
        if (AttributesFor(file, isNew: false) is var wanted)
        {
            if (wanted.Uid is { } uid && uid != st.Uid)
                iflags |= ItemFlags.ReportOwner;
            if (wanted.Gid is { } gid && gid != st.Gid)
                iflags |= ItemFlags.ReportGroup;
        }
        return iflags;
    }

    // rsync receiver.c: the created counts follow ITEM_IS_NEW by kind (regular files are counted by the receiver).
    private void CountCreated(FileEntry file)
    {
        _stats.CreatedFiles++;
        if (file.IsDirectory) _stats.CreatedDirs++;
        else if (file.IsSymlink) _stats.CreatedSymlinks++;
        else if (file.IsDevice) _stats.CreatedDevices++;
        else if (file.IsSpecial) _stats.CreatedSpecials++;
    }

    // rsync generator.c: quick_check_ok — same size and same mtime, or same checksum with -c (which -I does not
    // override), or same size with --size-only; -I fails the time comparison only.
    private bool QuickCheckPasses(FileEntry file, EntryStatus local, string name)
    {
        if (local.Size != file.Size)
            return false;
        if (_options.AlwaysChecksum && file.Checksum is { } remoteSum)
            return ChecksumOfLocalFile(name) is { } localSum && localSum.AsSpan().SequenceEqual(remoteSum);
        if (_options.SizeOnly)
            return true;
        return !_options.IgnoreTimes && local.MtimeSeconds == file.ModTime;
    }

    private byte[]? ChecksumOfLocalFile(string name)
    {
        using var handle = _dest!.OpenBasis(name);
        if (handle is null)
            return null;
        using var sum = FileChecksum.CreateListSum(_checksum);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                sum.Append(buffer.AsSpan(0, n));
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var digest = new byte[sum.DigestLength];
        sum.GetDigestAndReset(digest);
        return digest;
    }

    /// <summary>
    /// Sends ndx, item flags and the sum header with the block sums of the basis (rsync generator.c:
    /// write_ndx_and_attrs, generate_and_send_sums). No basis (or -W) sends an empty header: the whole file comes.
    /// <paramref name="local"/> is what lstat found at the name; the receiver uses it instead of looking again.
    /// A dry run sends the index and flags only: with do_xfers off the generator skips write_sum_head and the
    /// sender echoes the index without reading sums (generator.c: recv_generator "if (!do_xfers)", sender.c:
    /// send_files "if (!do_xfers)"); before protocol 29 there are no flags on the wire, only the index.
    /// </summary>
    private void Request(int ndx, bool redo, EntryStatus? local, ItemFlags iflags)
    {
        string name = NameOf(ndx);
        bool sums = !_options.DryRun && !_options.WholeFile && local is { IsRegularFile: true, Size: > 0 };
        using var basis = sums ? _dest!.OpenBasis(name) : null;
        long basisLength = basis is null ? 0 : RandomAccess.GetLength(basis);
        int digestLength = ChecksumNames.DigestLength(_checksum);
        SumHeader header = basis is null || basisLength == 0
            ? default
            : BlockLayout.For(basisLength, Protocol, digestLength, _options.BlockSize, redo);
        _order?.ExpectTransfer(ndx);
        _pending[ndx] = new PendingFile(header, local, iflags);

        _ndxOut.Write(_out, ndx);
        if (Protocol >= 29)
            _out.WriteUInt16((ushort)iflags);
        if (_options.DryRun)
            return;
        Span<byte> head = _out.GetSpan(SumHeader.WireSize(Protocol));
        _out.Advance(header.Write(head, Protocol));
        if (header.Count > 0)
            BlockSums.Write(basis!, header, _checksum, _session.ChecksumSeed, _session.ChecksumSeedFix, _out);
    }

    private EntryAttributes AttributesFor(FileEntry file, bool isNew)
    {
        uint? permissions = _options.Perms ? (uint)file.Mode & 0xFFF
            : isNew ? (uint)file.Mode & 0x1FF & ~0x12u /* rsync: the sender's mode less the umask (022 assumed) */ : null;
        uint? uid = _options.Owner && s_isRoot
            ? (uint)(_options.NumericIds ? file.Uid : _ids.MapUser(file.Uid, _list.UserNames)) : null;
        uint? gid = _options.Group && s_isRoot
            ? (uint)(_options.NumericIds ? file.Gid : _ids.MapGroup(file.Gid, _list.GroupNames)) : null;
        long? mtime = _options.Times ? file.ModTime : null;
        return new EntryAttributes(permissions, mtime, (uint)file.ModTimeNsec, uid, gid);
    }

    // The names each directory of the list keeps (rsync generator.c: delete_in_dir compares the local directory
    // with the received entries below it).
    private Dictionary<string, HashSet<string>> ChildrenByDirectory()
    {
        var children = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (int ndx = 0; ndx < _files.Count; ndx++)
        {
            string name = _names[ndx];
            if (name == ".")
                continue;
            int slash = name.LastIndexOf('/');
            string parent = slash < 0 ? "." : name[..slash];
            if (!children.TryGetValue(parent, out var set))
                children[parent] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(slash < 0 ? name : name[(slash + 1)..]);
        }
        return children;
    }

    // rsync hlink.c: finish_hardlink — later links of a group are made once the first has its content.
    private void FinishHardLinks()
    {
        foreach (var (follower, leader) in _list.HardLinkLeaders)
        {
            int leaderIndex = _files.IndexOf(leader);
            int followerIndex = _files.IndexOf(follower);
            if (leaderIndex < 0 || followerIndex < 0)
                continue;
            try
            {
                var a = _dest!.Stat(_names[leaderIndex]);
                var b = _dest.Stat(_names[followerIndex]);
                if (a is { } x && b is { } y && x.Inode == y.Inode && x.Device == y.Device)
                    continue;
                _dest.CreateHardLink(_names[followerIndex], _names[leaderIndex]);
                if (ItemLog.IsLogging(_options))
                    Say(followerIndex, FileNameEncoding.Display(_names[followerIndex]));
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                ReportFailure(e.Message);
            }
        }
    }

    // rsync generator.c: touch_up_dirs — directories get their mode and times after their contents, deepest first.
    private void FinishDirectories()
    {
        for (int i = _directories.Count - 1; i >= 0; i--)
        {
            int ndx = _directories[i];
            try
            {
                // A directory we made gets the sender's mode less the umask even without -p (generator.c: dest_mode).
                _dest!.SetAttributes(_names[ndx], AttributesFor(_files[ndx], isNew: _createdDirectories.Contains(ndx)));
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                ReportFailure(e.Message);
            }
        }
    }
}
