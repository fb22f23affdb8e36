using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

/// <summary>
/// The destination of a pull, reachable only by walking directory descriptors from its root.
/// </summary>
/// <remarks>
/// Implementation notes. Every name handed to this type came from the server, so no path is ever given to the kernel
/// whole: each directory component is opened with <c>openat(parent, name, O_DIRECTORY|O_NOFOLLOW)</c>, and the last
/// component is acted on with an *at call relative to that parent (<c>openat</c> with O_NOFOLLOW, <c>renameat</c>,
/// <c>unlinkat</c>, <c>utimensat</c>/<c>fchownat</c> with AT_SYMLINK_NOFOLLOW). A symlink anywhere in a path, whether
/// it was there before the transfer or the server made it a moment ago, ends the walk with ELOOP/ENOTDIR instead of
/// leading outside the root. This is the property rsync 3.4/3.5 had to retrofit after CVE-2024-12087/12088
/// (rsync syscall.c: secure_relative_open). Only the root itself, named by the local user, is opened normally.
/// New content is written to a temporary ".NAME.XXXXXX" beside its final name and renamed into place (rsync
/// receiver.c: get_tmpname), so an interrupted transfer leaves the old file as it was.
/// A few parent descriptors are cached because the file list arrives sorted by directory (rsync flist.c: f_name_cmp):
/// consecutive entries share their parent, and the generator and the receiver each work in their own directory.
/// </remarks>
public sealed partial class ConfinedDirectory : IDisposable
{
    private readonly DescriptorHandle _root;
    private const int CacheSlots = 4;

    private readonly Lock _cacheGate = new();
    private readonly string?[] _cachedPaths = new string?[CacheSlots];
    private readonly DescriptorHandle?[] _cachedHandles = new DescriptorHandle?[CacheSlots];
    private readonly long[] _cacheUsed = new long[CacheSlots];
    private long _cacheClock;

    private ConfinedDirectory(DescriptorHandle root, string rootPath, bool wasCreated, int readFlags)
    {
        _root = root;
        RootPath = rootPath;
        WasCreated = wasCreated;
        _readFlags = readFlags;
    }

    // O_NOATIME under --open-noatime (syscall.c: do_open, secure_relative_open): the directories walked and listed and
    // the files read (basis files, -c's checksums) keep their access times.
    private readonly int _readFlags;

    /// <summary>The local path of the destination root as the user gave it.</summary>
    public string RootPath { get; }

    /// <summary>Whether <see cref="Open"/> created the root (rsync -v says "created directory").</summary>
    public bool WasCreated { get; }

    /// <summary>
    /// Opens the destination root, creating its last component when <paramref name="create"/> is set (rsync main.c:
    /// get_local_name creates only the final directory of the destination). The root may be reached through symlinks:
    /// the local user named it.
    /// </summary>
    public static ConfinedDirectory Open(string rootPath, bool create, bool noAtime = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        bool created = create && MkdirAt(AT_FDCWD, rootPath, 0x1ED /* 0755 */) == 0;
        if (create && !created && Marshal.GetLastPInvokeError() != EEXIST)
            throw IoError("mkdir", rootPath, Marshal.GetLastPInvokeError());
        int readFlags = noAtime ? O_NOATIME : 0;
        int fd = OpenAt(AT_FDCWD, rootPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | readFlags, 0);
        if (fd < 0)
            throw IoError("change_dir", rootPath, Marshal.GetLastPInvokeError());
        return new ConfinedDirectory(new DescriptorHandle(fd), rootPath, created, readFlags);
    }

    /// <summary>Closes the directory descriptor.</summary>
    public void Dispose()
    {
        lock (_cacheGate)
        {
            for (int i = 0; i < CacheSlots; i++)
                Evict(i);
        }
        _root.Dispose();
    }

    /// <summary>
    /// Splits a relative name into its parent directory and last component, rejecting any name that could leave the
    /// root. Names were validated when the file list arrived; this is the second line of defence at the point of use.
    /// "." (the transfer root) has an empty parent and leaf ".".
    /// </summary>
    internal static (string Parent, string Leaf) Split(string relativePath)
    {
        if (relativePath == ".")
            return ("", ".");
        if (!IsSafeRelativePath(relativePath))
            throw RsyncException.Protocol($"refusing unsafe path \"{relativePath}\" in the destination");
        int slash = relativePath.LastIndexOf('/');
        return slash < 0 ? ("", relativePath) : (relativePath[..slash], relativePath[(slash + 1)..]);
    }

    internal static bool IsSafeRelativePath(string path)
    {
        if (path.Length == 0 || path.Contains('\0'))
            return false;
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan(range);
            if (component.Length == 0 || component is "." or "..")
                return false;
        }
        return true;
    }

    /// <summary>
    /// Opens the directory <paramref name="directoryPath"/> (relative, "" for the root) one component at a time without
    /// following symlinks. The caller must dispose the returned lease. Returns null when a component does not exist.
    /// </summary>
    private ParentLease? OpenDirectory(string directoryPath)
    {
        if (directoryPath.Length == 0)
            return ParentLease.Share(_root);
        lock (_cacheGate)
        {
            for (int i = 0; i < CacheSlots; i++)
            {
                if (_cachedHandles[i] is { } cached && _cachedPaths[i] == directoryPath)
                {
                    _cacheUsed[i] = ++_cacheClock;
                    return ParentLease.Share(cached);
                }
            }
        }

        if (FollowInTreeDirLinks)
        {
            if (WalkFollowingLinks(directoryPath) is not { } followed)
                return null;
            // A path that leads back to the root is the root itself: not a handle the cache may own.
            if (ReferenceEquals(followed.Handle, _root))
                return followed;
            return Cache(directoryPath, followed);
        }

        var current = ParentLease.Share(_root);
        foreach (var range in directoryPath.AsSpan().Split('/'))
        {
            string component = directoryPath[range];
            int fd = OpenAt(current.Fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | _readFlags, 0);
            int errno = Marshal.GetLastPInvokeError();
            current.Dispose();
            if (fd < 0)
            {
                if (errno == ENOENT)
                    return null;
                if (errno is ELOOP or ENOTDIR)
                    throw new RsyncException(RsyncErrorKind.EntryFailed,
                        $"refusing to follow \"{directoryPath}\": a component is a symlink or not a directory");
                throw IoError("open directory", directoryPath, errno);
            }
            current = ParentLease.Own(new DescriptorHandle(fd));
        }
        return Cache(directoryPath, current);
    }

    /// <summary>
    /// The cached descriptor of <paramref name="directoryPath"/> (not empty), found by its characters; null when it is not
    /// cached (<see cref="OpenDirectory"/> walks to it then).
    /// </summary>
    private ParentLease? OpenCachedDirectory(ReadOnlySpan<char> directoryPath)
    {
        lock (_cacheGate)
        {
            for (int i = 0; i < CacheSlots; i++)
            {
                if (_cachedHandles[i] is { } cached && directoryPath.SequenceEqual(_cachedPaths[i]))
                {
                    _cacheUsed[i] = ++_cacheClock;
                    return ParentLease.Share(cached);
                }
            }
        }
        return null;
    }

    // The cache takes ownership of the walked handle (in its least recently used slot); the caller gets its own
    // reference to it.
    private ParentLease Cache(string directoryPath, ParentLease current)
    {
        lock (_cacheGate)
        {
            int slot = 0;
            for (int i = 1; i < CacheSlots; i++)
            {
                if (_cacheUsed[i] < _cacheUsed[slot])
                    slot = i;
            }
            Evict(slot);
            _cachedHandles[slot] = current.Handle;
            _cachedPaths[slot] = directoryPath;
            _cacheUsed[slot] = ++_cacheClock;
            return ParentLease.Share(current.Handle);
        }
    }

    private void Evict(int slot)
    {
        _cachedHandles[slot]?.Dispose();
        _cachedHandles[slot] = null;
        _cachedPaths[slot] = null;
        _cacheUsed[slot] = 0;
    }

    private ParentLease RequireDirectory(string directoryPath, string forPath) =>
        OpenDirectory(directoryPath)
        ?? throw IoError("open directory", forPath.Length == 0 ? "." : directoryPath, ENOENT);

    /// <summary>Drops a cached parent when the directory it names (or one above it) is removed or replaced.</summary>
    private void ForgetCached(string path)
    {
        lock (_cacheGate)
        {
            for (int i = 0; i < CacheSlots; i++)
            {
                if (_cachedPaths[i] is { } cached
                    && (cached == path || cached.StartsWith(path + "/", StringComparison.Ordinal)))
                    Evict(i);
            }
        }
    }

    internal static RsyncException IoError(string operation, string path, int errno) =>
        new(RsyncErrorKind.EntryFailed,
            $"{operation} \"{path}\" failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})") { Errno = errno };

    /// <summary>A use of a directory descriptor: a shared reference (released on dispose) or sole ownership.</summary>
    private struct ParentLease : IDisposable
    {
        private readonly bool _owned;
        private bool _held;

        private ParentLease(DescriptorHandle handle, bool owned)
        {
            Handle = handle;
            _owned = owned;
            _held = true;
        }

        public static ParentLease Share(DescriptorHandle handle)
        {
            bool added = false;
            handle.DangerousAddRef(ref added);
            return new ParentLease(handle, owned: false);
        }

        public static ParentLease Own(DescriptorHandle handle) => new(handle, owned: true);

        public DescriptorHandle Handle { get; }

        public readonly int Fd => Handle.Fd;

        public void Dispose()
        {
            if (!_held)
                return;
            _held = false;
            if (_owned)
                Handle.Dispose();
            else
                Handle.DangerousRelease();
        }
    }
}
