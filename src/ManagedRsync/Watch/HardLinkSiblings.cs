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
/// The inode -> names index is filled by one walk of the tree, made when a batch names a multi-link file the index
/// does not know, or one whose link count changed since the last walk (a link made or removed since); at most one
/// walk per batch. A name is checked to still be that inode before it is added. Links outside the tree count in the
/// link count but are never found: the walk's count is remembered so they do not cause a walk per batch.
/// </remarks>
internal sealed class HardLinkSiblings(string root)
{
    private readonly byte[] _root = FileNameEncoding.Encode(root.TrimEnd('/'));
    private Dictionary<(long Dev, long Ino), Inode> _inodes = [];

    private sealed class Inode(int linksAtWalk)
    {
        public int LinksAtWalk { get; } = linksAtWalk;
        public List<RawPath> Names { get; } = [];
    }

    /// <summary>Adds to <paramref name="batch"/> a Send of every other name of each multi-link file it sends.</summary>
    public void AddTo(List<KeyValuePair<RawPath, PendingOp>> batch)
    {
        HashSet<RawPath>? inBatch = null;
        bool walked = false;
        int count = batch.Count;
        for (int i = 0; i < count; i++)
        {
            if (batch[i].Value != PendingOp.Send || !TryStatFile(batch[i].Key, out NativeStat.Info file) || file.Nlink < 2)
                continue;
            var key = (file.Dev, file.Ino);
            if (!walked && (!_inodes.TryGetValue(key, out Inode? known) || known.LinksAtWalk != file.Nlink))
            {
                _inodes = Walk();
                walked = true;
            }
            if (!_inodes.TryGetValue(key, out Inode? inode))
                continue;
            inBatch ??= [.. batch.Select(kv => kv.Key)];
            foreach (RawPath name in inode.Names)
            {
                if (!inBatch.Contains(name) && TryStatFile(name, out NativeStat.Info other) && (other.Dev, other.Ino) == key)
                {
                    inBatch.Add(name);
                    batch.Add(new(name, PendingOp.Send));
                }
            }
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
