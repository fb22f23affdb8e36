using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// The other names of a hard-linked file. A write, chmod or touch through one name changes the file under all its
/// names, but inotify and fanotify report only the name that was used (inotify(7): events name the directory entry).
/// On the replica each name is its own file unless -H links them, so a batch that sends one name of a multi-link
/// file must send the others too; the seed's loop got this for free by re-syncing the whole tree on every event
/// (the soak test, benchmarks/soak.py, found the replica keeping stale copies under the other names).
/// </summary>
/// <remarks>
/// The inode -> names index is filled by one walk of the tree, needed when a batch names a multi-link file the index
/// does not know, one whose link count changed since the last walk (a link made or removed since), or one with a name
/// that is no longer it (renamed, or moved with its directory). The walk runs on
/// a thread of its own, never on the caller's (the coalescer's: a walk of a big tree would hold back every batch): the
/// batch goes out at once with the name that was written (and the other names still where the index has them), and
/// when the walk is done the names that waited for it are
/// handed to <c>walked</c>, which feeds them back as changes, so a later batch sends each with all its other names (in
/// one push: with -H the replica links them). One walk at a time; names arriving meanwhile wait for the next. A name is
/// checked to still be that inode before it is added. Links outside the tree count in the link count but are never
/// found: the walk's count is remembered so they do not cause a walk per batch.
/// </remarks>
internal sealed class HardLinkSiblings(string root, Action<IReadOnlyList<RawPath>> walked)
{
    private readonly byte[] _root = FileNameEncoding.Encode(root.TrimEnd('/'));
    private readonly Lock _lock = new();
    private readonly HashSet<RawPath> _waiting = [];
    private volatile Dictionary<(long Dev, long Ino), Inode> _inodes = [];
    private bool _walking;

    private sealed class Inode(int linksAtWalk)
    {
        public int LinksAtWalk { get; } = linksAtWalk;
        public List<RawPath> Names { get; } = [];
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> a Send of every other name of each multi-link file it sends, as far as the
    /// last walk knows them. Returns true when some names wait for a walk (started in the background; their siblings
    /// come through <c>walked</c>).
    /// </summary>
    public bool AddTo(List<KeyValuePair<RawPath, PendingOp>> batch)
    {
        Dictionary<(long Dev, long Ino), Inode> inodes = _inodes;
        HashSet<RawPath>? inBatch = null;
        List<RawPath>? stale = null;
        int count = batch.Count;
        for (int i = 0; i < count; i++)
        {
            if (batch[i].Value != PendingOp.Send || !TryStatFile(batch[i].Key, out NativeStat.Info file) || file.Nlink < 2)
                continue;
            var key = (file.Dev, file.Ino);
            if (!inodes.TryGetValue(key, out Inode? inode) || inode.LinksAtWalk != file.Nlink)
            {
                (stale ??= []).Add(batch[i].Key);
                continue;
            }
            inBatch ??= [.. batch.Select(kv => kv.Key)];
            bool moved = false;
            foreach (RawPath name in inode.Names)
            {
                if (inBatch.Contains(name))
                    continue;
                if (TryStatFile(name, out NativeStat.Info other) && (other.Dev, other.Ino) == key)
                {
                    inBatch.Add(name);
                    batch.Add(new(name, PendingOp.Send));
                }
                else
                {
                    moved = true;
                }
            }
            // A name the walk found is no longer this file, with the link count unchanged: renamed, or its directory
            // was (the soak test found the copy under the moved name left stale). Walk again for its new name.
            if (moved)
                (stale ??= []).Add(batch[i].Key);
        }
        if (stale is null)
            return false;
        lock (_lock)
        {
            _waiting.UnionWith(stale);
            if (!_walking)
            {
                _walking = true;
                _ = Task.Run(WalkLoop);
            }
        }
        return true;
    }

    // Walks until no name waits any more; hands on the waiting names the fresh index knows.
    private void WalkLoop()
    {
        try
        {
            WalkUntilNoneWaits();
        }
        catch
        {
            lock (_lock)
                _walking = false; // the next batch that needs a walk starts one again
            throw;
        }
    }

    private void WalkUntilNoneWaits()
    {
        while (true)
        {
            RawPath[] names;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _walking = false;
                    return;
                }
                names = [.. _waiting];
                _waiting.Clear();
            }
            Dictionary<(long Dev, long Ino), Inode> inodes = Walk();
            _inodes = inodes;
            List<RawPath> known = [.. names.Where(n => TryStatFile(n, out NativeStat.Info f) && inodes.ContainsKey((f.Dev, f.Ino)))];
            if (known.Count > 0)
                walked(known);
        }
    }

    private bool TryStatFile(RawPath path, out NativeStat.Info info) =>
        NativeStat.TryLstat(Absolute(path), out info) == 0 && (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFREG;

    private string Absolute(RawPath path) => FileNameEncoding.Decode(AbsoluteBytes(path));

    private byte[] AbsoluteBytes(RawPath path)
    {
        if (path.IsRoot)
            return _root;
        byte[] bytes = new byte[_root.Length + 1 + path.ByteCount];
        _root.CopyTo(bytes, 0);
        bytes[_root.Length] = (byte)'/';
        path.CopyTo(bytes.AsSpan(_root.Length + 1));
        return bytes;
    }

    private Dictionary<(long, long), Inode> Walk()
    {
        var inodes = new Dictionary<(long, long), Inode>();
        var directories = new Stack<RawPath>();
        directories.Push(RawPath.Root);
        while (directories.Count > 0)
        {
            RawPath dir = directories.Pop();
            RawDirectory.List(AbsoluteBytes(dir), (name, type) =>
            {
                RawPath path = dir.Child(name);
                if (type is not (EntryType.Directory or EntryType.File or EntryType.Unknown)
                    || NativeStat.TryLstat(Absolute(path), out NativeStat.Info info) != 0)
                    return;
                // d_type is a hint (Unknown on some file systems): the stat decides.
                int format = info.Mode & FileEntry.S_IFMT;
                if (format == FileEntry.S_IFDIR)
                {
                    directories.Push(path);
                }
                else if (format == FileEntry.S_IFREG && info.Nlink > 1)
                {
                    if (!inodes.TryGetValue((info.Dev, info.Ino), out Inode? inode))
                        inodes[(info.Dev, info.Ino)] = inode = new Inode(info.Nlink);
                    inode.Names.Add(path);
                }
            });
        }
        return inodes;
    }
}
