using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

// rsync syscall.c: secure_relative_open's directory walk (ds_descend / ds_walk_path), for a receiver that must reach
// through a directory symlink inside the destination (--no-implied-dirs with -R, --keep-dirlinks).
public sealed partial class ConfinedDirectory
{
    /// <summary>rsync syscall.c: SECURE_OPEN_MAXSYMLINKS.</summary>
    private const int MaxSymlinkHops = 40;

    /// <summary>
    /// Whether a directory component of a name may be a symlink to a directory inside the destination, as stock
    /// 3.5.0's receiver allows (syscall.c: secure_relative_open follows in-tree directory links for --keep-dirlinks and
    /// -R through a symlinked parent). The link's target is walked on the same descriptors: a relative target only, its
    /// ".." going back to a directory already held and never above the root, at most 40 links per name; anything else
    /// ends the walk with ELOOP. Off (the default), any symlink in a path ends it.
    /// </summary>
    public bool FollowInTreeDirLinks { get; set; }

    /// <summary>
    /// The walk of <paramref name="directoryPath"/> through in-tree directory links: the directory's descriptor (the
    /// root shared when the path leads back to it), or null when a component does not exist.
    /// </summary>
    private ParentLease? WalkFollowingLinks(string directoryPath)
    {
        var held = new List<DescriptorHandle>();
        try
        {
            int hops = MaxSymlinkHops;
            int errno = Walk(held, directoryPath, ref hops);
            if (errno == ENOENT)
                return null;
            if (errno != 0)
                throw errno is ELOOP or ENOTDIR
                    ? new RsyncException(RsyncErrorKind.EntryFailed,
                        $"refusing to follow \"{directoryPath}\": a symlink that leaves the destination, or not a directory")
                    : IoError("open directory", directoryPath, errno);
            if (held.Count == 0)
                return ParentLease.Share(_root);
            DescriptorHandle top = held[^1];
            held.RemoveAt(held.Count - 1);
            return ParentLease.Own(top);
        }
        finally
        {
            foreach (DescriptorHandle handle in held)
                handle.Dispose();
        }
    }

    // ds_walk_path: each component of a relative path on the stack of held directories; 0 or an errno.
    private int Walk(List<DescriptorHandle> held, string path, ref int hops)
    {
        foreach (var range in path.AsSpan().Split('/'))
        {
            string part = path[range];
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (held.Count == 0)
                    return ELOOP; // would rise above the root
                held[^1].Dispose();
                held.RemoveAt(held.Count - 1);
                continue;
            }
            int current = held.Count == 0 ? _root.Fd : held[^1].Fd;
            int fd = OpenAt(current, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd >= 0)
            {
                held.Add(new DescriptorHandle(fd));
                continue;
            }
            int openErrno = Marshal.GetLastPInvokeError();
            if (openErrno is not (ELOOP or ENOTDIR))
                return openErrno;
            int linkErrno = ReadLinkTarget(current, part, out string? target);
            if (linkErrno != 0)
                return linkErrno == EINVAL ? openErrno : linkErrno; // EINVAL: not a symlink, a real non-directory
            // An empty or truncated target, an absolute one, or one link too many.
            if (target is null || target.StartsWith('/') || --hops < 0)
                return ELOOP;
            int errno = Walk(held, target, ref hops);
            if (errno != 0)
                return errno;
        }
        return 0;
    }

    // readlinkat: 0 and the target (null when empty or too long to be whole), or the errno.
    private static unsafe int ReadLinkTarget(int directoryFd, string name, out string? target)
    {
        target = null;
        byte* buffer = stackalloc byte[4096];
        nint length = ReadlinkAt(directoryFd, name, buffer, 4096);
        if (length < 0)
            return Marshal.GetLastPInvokeError();
        if (length > 0 && length < 4095)
            target = FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)length));
        return 0;
    }

    /// <summary>
    /// -K (rsync flist.c: link_stat with follow_dirlinks): the status of the directory the symlink
    /// <paramref name="relativePath"/> leads to, walked as <see cref="FollowInTreeDirLinks"/> walks (its parent included),
    /// or null when it leads to no directory (a link to a file, a dangling link). A link that leaves the destination is
    /// a failure of the entry unless <paramref name="followOut"/>: a daemon's stat stays in its module, where a client's
    /// stat follows the link out as stock 3.5.0's does (flist.c: link_stat is a plain stat()); then
    /// <paramref name="leaves"/> is true, the status is that of the directory outside, and nothing below the link can be
    /// reached from here (every name under it fails with ELOOP, as stock's secure walk fails its writes).
    /// </summary>
    public unsafe EntryStatus? StatDirectoryLink(string relativePath, bool followOut, out bool leaves)
    {
        leaves = false;
        var held = new List<DescriptorHandle>();
        try
        {
            int hops = MaxSymlinkHops;
            int errno = Walk(held, relativePath, ref hops);
            if (errno is ENOENT or ENOTDIR)
                return null;
            if (errno == ELOOP && followOut)
            {
                // Metadata only: the directory the link leads to is looked at, never opened or written.
                Statx buffer;
                if (StatxAt(_root.Fd, relativePath, 0, STATX_BASIC_STATS, &buffer) != 0 || (buffer.Mode & 0xF000) != 0x4000)
                    throw IoError("stat", relativePath, ELOOP);
                leaves = true;
                return new EntryStatus(buffer.Mode, (long)buffer.Size, buffer.MtimeSeconds, buffer.MtimeNanoseconds,
                    buffer.Uid, buffer.Gid, buffer.Ino, ((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Nlink,
                    buffer.RdevMajor, buffer.RdevMinor) { AtimeSeconds = buffer.AtimeSeconds };
            }
            // ELOOP: a link that leaves the destination (stock's errno for the writes below it).
            if (errno != 0)
                throw IoError("stat", relativePath, errno);
            return StatAt(held.Count == 0 ? _root.Fd : held[^1].Fd, "", relativePath);
        }
        finally
        {
            foreach (DescriptorHandle handle in held)
                handle.Dispose();
        }
    }

    /// <summary>Whether <paramref name="relativePath"/> is a directory, reached as every other name is (through in-tree
    /// directory links when <see cref="FollowInTreeDirLinks"/> is on).</summary>
    public bool IsDirectory(string relativePath)
    {
        try
        {
            using ParentLease? lease = OpenDirectory(relativePath);
            return lease is not null;
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            return false;
        }
    }
}
