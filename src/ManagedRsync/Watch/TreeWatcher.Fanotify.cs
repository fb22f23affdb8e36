using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// The fanotify event source: one file-system mark, events that name a directory handle and an entry name.
/// <list type="bullet">
/// <item>Directory handles are resolved to paths (open_by_handle_at, readlink) and cached with their verdict (in the
/// tree, outside it, or above it); the cache is dropped when a directory moves into, out of or inside the tree (any
/// path under it may have changed) and on overflow, and is bounded. A move wholly outside the tree keeps it: no
/// directory under the moved one can be in the tree, and one above the root moving is the root gone. A handle that
/// no longer opens (ESTALE: the directory was deleted) drops the event: the deletion itself is reported by its parent.</item>
/// <item>The file-system mark reports every writer on the file system, so an event outside the tree must cost next to
/// nothing: its directory handle is compared with the last one seen, then looked up in the cache without building a
/// key, and dropped before its name is looked at; an outside directory's cache entry holds no path. Nothing on this
/// path allocates (FanotifyFilterCostTests).</item>
/// <item>The kernel's path is canonical, so it is compared with the root's canonical path: events outside the tree,
/// under an excluded directory, or (with <see cref="TreeWatcherOptions.IgnoreOwnProcess"/>) caused by this process
/// are dropped.</item>
/// <item>Queued events with the same directory and name are merged (fanotify(7)), so a create and a delete of one
/// name may arrive as one event: the file system says which came last.</item>
/// <item>FAN_RENAME gives a move as one event (both names); without it a move is a delete plus a create. A move of
/// the root or of a directory above it makes the root gone, as inotify's IN_MOVE_SELF does.</item>
/// </list>
/// No directory is listed at start: fanotify reports everything under the mark with no per-directory race.
/// </summary>
public sealed partial class TreeWatcher
{
    /// <summary>Directories kept resolved; past this the cache starts again (it is only a cache).</summary>
    private const int DirectoryCacheLimit = 65536;

    private readonly Dictionary<string, ResolvedDirectory> _directories = new(StringComparer.Ordinal);
    private readonly int _ownPid = Environment.ProcessId;
    private readonly byte[] _resolveBuffer = new byte[4096];
    private readonly byte[] _lastHandle = new byte[8 + Interop.MAX_HANDLE_SZ];
    private int _lastHandleLength = -1; // -1: no last handle (cleared with the cache)
    private ResolvedDirectory _lastDirectory;
    private FanotifyInstance? _fanotify;
    private byte[] _canonicalRoot = [];
    private uint _renameCookie;

    /// <summary>Where a resolved directory lies relative to the tree.</summary>
    private enum Placement : byte
    {
        /// <summary>Outside the tree and not above it: its events are dropped, its moves change nothing in the tree.</summary>
        Outside,
        /// <summary>A directory the root lies under: outside, but moving one of its entries may move the root.</summary>
        Above,
        /// <summary>In the tree, below no excluded directory.</summary>
        Inside,
        /// <summary>In the tree, at or below an excluded directory.</summary>
        Excluded,
    }

    /// <summary>
    /// A directory handle's verdict when it was resolved: <see cref="Relative"/> is its path in the tree (Inside,
    /// Excluded), <see cref="Absolute"/> its path (Above only); an Outside entry holds no path at all.
    /// </summary>
    private readonly record struct ResolvedDirectory(Placement Where, RawPath Relative, RawPath Absolute)
    {
        public bool Inside => Where == Placement.Inside;
    }

    /// <summary>Directory handles turned into paths with open_by_handle_at so far (cache misses; for tests).</summary>
    internal long DirectoryResolutions { get; private set; }

    /// <summary>The events asked of the file-system mark for <see cref="TreeWatcherOptions.Events"/> (moves are added by the instance).</summary>
    private ulong FanotifyMask()
    {
        const ulong inotifyCompatible = Interop.FAN_ACCESS | Interop.FAN_MODIFY | Interop.FAN_ATTRIB | Interop.FAN_CLOSE_WRITE
            | Interop.FAN_CLOSE_NOWRITE | Interop.FAN_OPEN;
        return ((ulong)_options.Events & inotifyCompatible) | Interop.FAN_CREATE | Interop.FAN_DELETE | Interop.FAN_ONDIR;
    }

    /// <summary>Sets up fanotify when asked for (or when Auto can have it); false means use inotify.</summary>
    private bool StartFanotify()
    {
        WatchBackend wanted = _options.Backend;
        if (wanted == WatchBackend.Inotify)
            return false;
        if (wanted == WatchBackend.Auto && !_options.Recursive)
        {
            FallbackReason = "not recursive: one inotify watch is enough";
            return false;
        }
        _fanotify = FanotifyInstance.TryCreate(_root, FanotifyMask(), !_options.FanotifyWithoutRename, out string reason);
        if (_fanotify is null)
        {
            if (wanted == WatchBackend.Fanotify)
                throw new RsyncException(RsyncErrorKind.FileIo,
                    $"cannot watch {System.Text.Encoding.UTF8.GetString(_root)} with fanotify: {reason}");
            FallbackReason = reason;
            return false;
        }
        _canonicalRoot = FanotifyInstance.CanonicalPath(_root) ?? _root;
        return true;
    }

    /// <summary>
    /// Whether fanotify could watch <paramref name="root"/> now (for `mrsync doctor`): null when it could, with
    /// <paramref name="description"/> saying how; otherwise the reason Auto would fall back to inotify.
    /// </summary>
    public static string? ProbeFanotify(string root, out string description)
    {
        byte[] path = System.Text.Encoding.UTF8.GetBytes(root);
        using FanotifyInstance? probe = FanotifyInstance.TryCreate(path, Interop.FAN_CREATE | Interop.FAN_DELETE | Interop.FAN_ONDIR, allowRename: true, out string reason);
        description = probe is null ? "" : $"one file-system mark on {probe.FileSystem}; moves as {(probe.HasRename ? "FAN_RENAME" : "FAN_MOVED_FROM/FAN_MOVED_TO")}";
        return probe is null ? reason : null;
    }

    /// <summary>What the fanotify source is, for the log.</summary>
    public string Describe() => Backend == WatchBackend.Fanotify
        ? $"fanotify (one file-system mark on {_fanotify!.FileSystem}; moves as {(_fanotify.HasRename ? "FAN_RENAME" : "FAN_MOVED_FROM/FAN_MOVED_TO")})"
        : $"inotify ({_watchCount} watches, one per directory)";

    private void Handle(in FanotifyEvent e)
    {
        ulong m = e.Mask;
        if (e.IsOverflow)
        {
            ForgetDirectories();
            _observer.OnEvent(RawPath.Root, new InotifyEvent(0, InotifyMask.IN_Q_OVERFLOW, 0, default));
            _observer.OnWarning($"fanotify queue overflowed (raise {FanotifyInstance.MaxQueuedEventsPath}); doing a full sync");
            if (!_rootMissing)
                Report(ChangeKind.FullRescan, RawPath.Root, true);
            return;
        }
        if (_rootMissing || (_options.IgnoreOwnProcess && e.Pid == _ownPid))
        {
            if (e.IsDirectory && (m & (Interop.FAN_RENAME | Interop.FAN_MOVED_FROM | Interop.FAN_MOVED_TO)) != 0)
                ForgetDirectories(); // unseen, so it may have been in the tree
            return;
        }
        if (e.IsRename)
        {
            Renamed(e);
            return;
        }
        if (!Resolve(e.Directory, out ResolvedDirectory dir))
        {
            if (e.IsDirectory && (m & (Interop.FAN_MOVED_FROM | Interop.FAN_MOVED_TO)) != 0)
                ForgetDirectories();
            return;
        }
        if (dir.Where is Placement.Outside or Placement.Above)
            return; // the common case on a busy file system: nothing else is looked at
        // A directory moved in, out or within the tree changes the path of every directory under it: resolve afresh.
        if (e.IsDirectory && (m & (Interop.FAN_MOVED_FROM | Interop.FAN_MOVED_TO)) != 0)
            ForgetDirectories();
        if (dir.Inside)
            Named(e, dir.Relative);
    }

    /// <summary>Drops every cached directory verdict (a move touched the tree, an overflow, the root back).</summary>
    private void ForgetDirectories()
    {
        _directories.Clear();
        _lastHandleLength = -1;
    }

    /// <summary>An event naming an entry of a directory in the tree (or the directory itself, as ".").</summary>
    private void Named(in FanotifyEvent e, RawPath dir)
    {
        ulong m = e.Mask;
        bool isDir = e.IsDirectory;
        if (e.Name.SequenceEqual("."u8))
        {
            Observe(dir, m, default);
            if (dir.IsRoot && (m & (Interop.FAN_DELETE_SELF | Interop.FAN_MOVE_SELF)) != 0)
                RootGone((m & Interop.FAN_DELETE_SELF) != 0 ? "it was deleted" : "it was moved or renamed");
            else if ((m & Interop.FAN_ATTRIB) != 0)
                Report(ChangeKind.Changed, dir, true);
            return;
        }
        Observe(dir, m, e.Name);
        RawPath path = dir.Child(e.Name);
        if (IsExcluded(path, isDir))
            return;
        if ((m & (Interop.FAN_DELETE | Interop.FAN_MOVED_FROM)) != 0)
        {
            // Merged events do not say their order: a name both removed and made exists now only if made last.
            Report(ChangeKind.Deleted, path, isDir);
            if ((m & (Interop.FAN_CREATE | Interop.FAN_MOVED_TO)) != 0 && RawDirectory.Exists(FullPath(path)))
                Appeared(path, isDir, m);
            return;
        }
        if ((m & (Interop.FAN_CREATE | Interop.FAN_MOVED_TO)) != 0)
            Appeared(path, isDir, m);
        else if ((m & (Interop.FAN_CLOSE_WRITE | Interop.FAN_ATTRIB)) != 0)
            Report(ChangeKind.Changed, path, isDir);
        // Written and not closed since (a create merged with its first writes, say): hold it until FAN_CLOSE_WRITE.
        if ((m & (Interop.FAN_MODIFY | Interop.FAN_CLOSE_WRITE)) == Interop.FAN_MODIFY)
            Report(ChangeKind.Writing, path, isDir);
    }

    /// <summary>A new entry; a directory moved in brings a subtree no event described.</summary>
    private void Appeared(RawPath path, bool isDir, ulong mask)
    {
        bool movedIn = (mask & Interop.FAN_MOVED_TO) != 0;
        // A file made here and not closed after writing in the same (merged) event may still be being written.
        Report(ChangeKind.Changed, path, isDir, created: !isDir && !movedIn && (mask & Interop.FAN_CLOSE_WRITE) == 0);
        if (isDir && movedIn)
            Report(ChangeKind.SubtreeDirty, path, true);
    }

    /// <summary>FAN_RENAME: both ends in the tree is a move; one end only is a delete or a create.</summary>
    private void Renamed(in FanotifyEvent e)
    {
        bool isDir = e.IsDirectory;
        bool oldKnown = Resolve(e.OldDirectory, out ResolvedDirectory from);
        bool newKnown = Resolve(e.NewDirectory, out ResolvedDirectory to);
        if (isDir && oldKnown && from.Where == Placement.Above && AboveOrAtRoot(from.Absolute, e.OldName))
        {
            RootGone("it or a directory above it was moved or renamed");
            return;
        }
        // Both ends outside (or above): no directory in the tree moved, and none moved into it; the cache stands.
        bool outsideOnly = oldKnown && newKnown && from.Where is Placement.Outside or Placement.Above
            && to.Where is Placement.Outside or Placement.Above;
        if (outsideOnly)
            return;
        if (isDir)
            ForgetDirectories(); // after the lookups above: their verdicts were taken before the move
        bool fromInside = oldKnown && from.Inside, toInside = newKnown && to.Inside;
        uint cookie = ++_renameCookie;
        InotifyMask dirBit = isDir ? InotifyMask.IN_ISDIR : InotifyMask.None;
        if (fromInside)
            _observer.OnEvent(from.Relative, new InotifyEvent(0, InotifyMask.IN_MOVED_FROM | dirBit, cookie, e.OldName));
        if (toInside)
            _observer.OnEvent(to.Relative, new InotifyEvent(0, InotifyMask.IN_MOVED_TO | dirBit, cookie, e.NewName));
        if (fromInside && toInside)
            MovedWithin(from.Relative.Child(e.OldName), to.Relative.Child(e.NewName), isDir);
        else if (fromInside)
        {
            RawPath gone = from.Relative.Child(e.OldName);
            if (!IsExcluded(gone, isDir))
                Report(ChangeKind.Deleted, gone, isDir);
        }
        else if (toInside)
        {
            RawPath came = to.Relative.Child(e.NewName);
            if (!IsExcluded(came, isDir))
                Appeared(came, isDir, Interop.FAN_MOVED_TO);
        }
    }

    /// <summary>The directory a handle names now (cached); false when it is gone (ESTALE) or cannot be resolved.</summary>
    private bool Resolve(ReadOnlySpan<byte> handle, out ResolvedDirectory dir)
    {
        if (handle.IsEmpty)
        {
            dir = default;
            return false;
        }
        // Events come in runs from one directory (a writer filling it): the last handle answers most of them.
        if (handle.Length == _lastHandleLength && handle.SequenceEqual(_lastHandle.AsSpan(0, _lastHandleLength)))
        {
            dir = _lastDirectory;
            return true;
        }
        // The key is the handle's bytes one char each; the alternate lookup finds it without making the string.
        Span<char> key = handle.Length <= 256 ? stackalloc char[handle.Length] : new char[handle.Length];
        for (int i = 0; i < handle.Length; i++)
            key[i] = (char)handle[i];
        Dictionary<string, ResolvedDirectory>.AlternateLookup<ReadOnlySpan<char>> lookup = _directories.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(key, out dir))
        {
            DirectoryResolutions++;
            int n = _fanotify!.ResolveDirectory(handle, _resolveBuffer, out _);
            if (n < 0)
                return false;
            dir = Place(_resolveBuffer.AsSpan(0, n));
            if (_directories.Count >= DirectoryCacheLimit)
                _directories.Clear(); // only a cache: start again rather than grow without bound
            lookup[key] = dir;
        }
        if (handle.Length <= _lastHandle.Length)
        {
            handle.CopyTo(_lastHandle);
            _lastHandleLength = handle.Length;
            _lastDirectory = dir;
        }
        return true;
    }

    /// <summary>Where an absolute directory path lies relative to the tree; an outside one costs no allocation.</summary>
    private ResolvedDirectory Place(ReadOnlySpan<byte> abs)
    {
        ReadOnlySpan<byte> root = _canonicalRoot;
        bool rootIsSlash = root.Length == 1 && root[0] == '/';
        if (abs.SequenceEqual(root))
            return new(Placement.Inside, RawPath.Root, default);
        if (!abs.StartsWith(root) || (!rootIsSlash && (abs.Length <= root.Length || abs[root.Length] != '/')))
        {
            // Above the root: "/" always, else a proper prefix of it that ends where one of its names ends.
            bool above = root.StartsWith(abs) && (abs.Length == 1 || root[abs.Length] == '/');
            return above ? new(Placement.Above, default, RawPath.FromBytes(abs)) : default;
        }
        RawPath relative = RawPath.FromBytes(abs[(rootIsSlash ? 1 : root.Length + 1)..]);
        if (!_options.Recursive)
            return new(Placement.Excluded, relative, default);
        // Inside only if no directory on the way down is excluded (inotify never watches below an excluded one).
        foreach (RawPath prefix in relative.SelfAndAncestorsTopDown())
        {
            if (IsExcluded(prefix, true))
                return new(Placement.Excluded, relative, default);
        }
        return new(Placement.Inside, relative, default);
    }

    /// <summary>Whether the entry <paramref name="name"/> of the directory <paramref name="above"/> is the root or one of its ancestors.</summary>
    private bool AboveOrAtRoot(RawPath above, ReadOnlySpan<byte> name)
    {
        string dir = above.Text;
        var moved = RawPath.FromText(string.Concat(dir.EndsWith('/') ? dir : dir + "/", FileNameEncoding.Decode(name))); // "/" has no slash to add
        return RawPath.FromBytes(_canonicalRoot).IsUnder(moved);
    }

    /// <summary>A vanished root is back: it may be a new inode, so its own mark is set again.</summary>
    private void RootBackFanotify()
    {
        ForgetDirectories();
        _canonicalRoot = FanotifyInstance.CanonicalPath(_root) ?? _root;
        string failed = _fanotify!.MarkRoot(_root);
        if (failed.Length > 0)
            _observer.OnWarning(failed);
        _watchCount = 1;
    }

    /// <summary>The order inotify would have queued the events a merged fanotify event stands for.</summary>
    private static ReadOnlySpan<uint> InotifyOrder =>
    [
        (uint)InotifyMask.IN_CREATE, (uint)InotifyMask.IN_MOVED_TO, (uint)InotifyMask.IN_OPEN, (uint)InotifyMask.IN_ACCESS,
        (uint)InotifyMask.IN_MODIFY, (uint)InotifyMask.IN_ATTRIB, (uint)InotifyMask.IN_CLOSE_WRITE, (uint)InotifyMask.IN_CLOSE_NOWRITE,
        (uint)InotifyMask.IN_MOVED_FROM, (uint)InotifyMask.IN_DELETE, (uint)InotifyMask.IN_DELETE_SELF, (uint)InotifyMask.IN_MOVE_SELF,
    ];

    /// <summary>
    /// Hands the raw event to the observer as the inotify events it merges (fanotify's bits shared with inotify have
    /// inotify's values; FAN_ONDIR is IN_ISDIR), one per bit, so an inotifywait printer prints inotifywait's lines.
    /// </summary>
    private void Observe(RawPath dir, ulong mask, ReadOnlySpan<byte> name)
    {
        uint isDir = (mask & Interop.FAN_ONDIR) != 0 ? (uint)InotifyMask.IN_ISDIR : 0;
        foreach (uint bit in InotifyOrder)
        {
            if ((mask & bit) != 0)
                _observer.OnEvent(dir, new InotifyEvent(0, (InotifyMask)(bit | isDir), 0, name));
        }
    }
}
