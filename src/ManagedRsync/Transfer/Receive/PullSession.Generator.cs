using System.Buffers;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

// The generator (rsync generator.c: generate_files, recv_generator): walks the sorted list, makes directories,
// symlinks and devices itself, deletes what the sender no longer has, and asks for every regular file that fails
// the quick check, with the block sums of the local file as the basis.
internal sealed partial class PullSession
{
    private static readonly bool s_isRoot = Environment.UserName == "root";
    private readonly LocalIds _ids = new();
    private readonly List<int> _directories = [];
    private string? _singleFileName;
    private ConfinedDirectory? _tempDir;
    private OrderedLog? _order;
    private bool _rootCreated;

    /// <summary>The entry the generator is on, for the deletions it reports in that directory.</summary>
    private int _generating = -1;

    /// <summary>The local name of entry <paramref name="ndx"/> (a lone file may be renamed by the destination).</summary>
    private string NameOf(int ndx) => _singleFileName ?? _names[ndx];

    private void GenerateAll()
    {
        Dictionary<string, HashSet<string>>? keep = _options.IsDeleting ? ChildrenByDirectory() : null;
        if (keep is not null && _remoteIoError != 0)
        {
            ReportFailure("IO error encountered -- skipping file deletion");
            keep = null;
        }
        if (keep is not null)
            _protect = CreateProtection();
        for (int ndx = 0; ndx < _files.Count; ndx++)
        {
            _generating = ndx;
            try
            {
                GenerateOne(ndx, keep);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                ReportFailure(e.Message);
            }
            _order?.GeneratorDone(ndx);
        }
    }

    private void GenerateOne(int ndx, Dictionary<string, HashSet<string>>? keep)
    {
        FileEntry file = _files[ndx];
        string name = NameOf(ndx);
        ConfinedDirectory dest = _dest!;
        if (file.IsDirectory)
        {
            _stats.NumDirs++;
            if (dest.CreateDirectory(name))
            {
                _stats.CreatedDirs++;
                LogName(ndx, file, name);
            }
            else if (name == "." && _rootCreated)
            {
                LogName(ndx, file, name); // rsync main.c: FLAG_DIR_CREATED on "." when get_local_name made the root
            }
            _directories.Add(ndx);
            if (keep is not null && !file.IsNoContentDir)
                DeleteExtraneous(name, keep);
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
            if (dest.ReadSymlink(name) != target)
            {
                dest.CreateSymlink(name, target);
                _stats.CreatedSymlinks++;
                LogName(ndx, file, name);
            }
            dest.SetAttributes(name, AttributesFor(file, isNew: false) with { Permissions = null });
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
            var existing = dest.Stat(name);
            if (existing is not { } st || st.Mode != (uint)file.Mode
                || (file.IsDevice && (st.RdevMajor != (uint)file.RdevMajor || st.RdevMinor != (uint)file.RdevMinor)))
            {
                dest.CreateDevice(name, (uint)file.Mode, (uint)file.RdevMajor, (uint)file.RdevMinor);
                LogName(ndx, file, name);
            }
            dest.SetAttributes(name, AttributesFor(file, isNew: false));
            return;
        }

        _stats.NumRegular++;
        EntryStatus? local = dest.Stat(name);
        if (local is { IsDirectory: true })
        {
            // rsync generator.c: a directory in the way of a file is removed (with --force, or when empty).
            dest.Delete(name);
            local = null;
        }
        if (local is { IsRegularFile: true } current && QuickCheckPasses(file, current, name))
        {
            dest.SetAttributes(name, AttributesFor(file, isNew: false));
            return;
        }
        Request(ndx, redo: false, local);
    }

    // rsync generator.c: quick_check_ok — same size and same mtime (or same checksum with -c); -I never matches.
    private bool QuickCheckPasses(FileEntry file, EntryStatus local, string name)
    {
        if (_options.IgnoreTimes || local.Size != file.Size)
            return false;
        if (_options.AlwaysChecksum && file.Checksum is { } remoteSum)
            return ChecksumOfLocalFile(name) is { } localSum && localSum.AsSpan().SequenceEqual(remoteSum);
        if (_options.SizeOnly)
            return true;
        return local.MtimeSeconds == file.ModTime;
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
    /// </summary>
    private void Request(int ndx, bool redo, EntryStatus? local)
    {
        string name = NameOf(ndx);
        using var basis = _options.WholeFile || local is not { IsRegularFile: true, Size: > 0 } ? null : _dest!.OpenBasis(name);
        long basisLength = basis is null ? 0 : RandomAccess.GetLength(basis);
        int digestLength = ChecksumNames.DigestLength(_checksum);
        SumHeader header = basis is null || basisLength == 0
            ? default
            : BlockLayout.For(basisLength, Protocol, digestLength, _options.BlockSize, redo);
        _order?.ExpectTransfer(ndx);
        _pending[ndx] = new PendingFile(header, local);

        _ndxOut.Write(_out, ndx);
        if (Protocol >= 29)
            _out.WriteUInt16((ushort)(ItemFlags.Transfer | (local is null ? ItemFlags.IsNew : 0)));
        Span<byte> head = _out.GetSpan(SumHeader.WireSize(Protocol));
        _out.Advance(header.Write(head, Protocol));
        if (header.Count > 0)
            WriteBlockSums(basis!, header);
    }

    /// <summary>Reads the basis in runs of whole blocks (about 1 MiB) and sends each block's rolling and strong sum.</summary>
    private void WriteBlockSums(Microsoft.Win32.SafeHandles.SafeFileHandle basis, SumHeader header)
    {
        var strong = BlockChecksum.Create(_checksum, _session.ChecksumSeed, _session.ChecksumSeedFix);
        Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
        int blocksPerRead = Math.Max(1, (1 << 20) / header.BlockLength);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blocksPerRead * header.BlockLength);
        try
        {
            for (int first = 0; first < header.Count; first += blocksPerRead)
            {
                int count = Math.Min(blocksPerRead, header.Count - first);
                int wanted = (count - 1) * header.BlockLength + header.LengthOf(first + count - 1);
                long offset = (long)first * header.BlockLength;
                int got = 0;
                while (got < wanted)
                {
                    int n = RandomAccess.Read(basis, buffer.AsSpan(got, wanted - got), offset + got);
                    if (n <= 0)
                        break;
                    got += n;
                }
                if (got < wanted)
                    buffer.AsSpan(got, wanted - got).Clear(); // the basis shrank under us: the redo pass will fix it
                for (int i = 0; i < count; i++)
                {
                    var data = buffer.AsSpan(i * header.BlockLength, header.LengthOf(first + i));
                    _out.WriteInt32((int)RollingChecksum.Compute(data));
                    strong.Compute(data, digest);
                    _out.Write(digest[..header.StrongLength]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
                LogName(followerIndex, follower, _names[followerIndex]);
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
                _dest!.SetAttributes(_names[ndx], AttributesFor(_files[ndx], isNew: false));
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                ReportFailure(e.Message);
            }
        }
    }
}
