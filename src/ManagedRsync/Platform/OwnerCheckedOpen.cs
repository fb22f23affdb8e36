using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Platform;

/// <summary>
/// Opens a path the user named (the password file) walking it one component at a time and refusing to pass through
/// any symlink, parent or leaf, that is not owned by root or by us: a symlink someone else planted in a directory
/// they can write (the "/tmp/somedir/" case) would otherwise redirect the read to a file whose first line is then
/// sent to the daemon. A symlink we or root own is followed, its target spliced in, as the kernel would.
/// Stock 3.5.0 does the same (rsync syscall.c: open_no_attacker_symlinks, ona_open; authenticate.c: getpassf),
/// failing with ELOOP, and rsync prints <see cref="RefusalNote"/> before its usual "could not open" line.
/// </summary>
internal static class OwnerCheckedOpen
{
    /// <summary>The line stock rsync 3.5.0 prints when the walk meets an untrusted symlink (seen on stderr).</summary>
    public const string RefusalNote = "refusing to follow a symlink owned by an untrusted user; use --insecure-links locally or " +
        "\"insecure links = yes\" in a daemon module ONLY if every path component is trusted";

    // rsync syscall.c: ona_open caps symlink expansions (not depth) at 40, SYMLOOP_MAX-like.
    private const int MaxSymlinks = 40;

    /// <summary>The open file, or the errno of the failure and whether it was the untrusted-symlink refusal.</summary>
    public readonly record struct Result(SafeFileHandle? Handle, int Errno, bool UntrustedSymlink);

    public static Result OpenForReading(string path) => Open(path, Interop.O_RDONLY, 0);

    /// <summary>
    /// Opens <paramref name="path"/> for appending, creating it with <paramref name="mode"/> (less the umask) when it
    /// is missing (log.c: logfile_open — O_WRONLY|O_APPEND|O_CREAT, 0644, through the same walk).
    /// </summary>
    public static Result OpenForAppending(string path, uint mode) =>
        Open(path, Interop.O_WRONLY | Interop.O_APPEND | Interop.O_CREAT, mode);

    /// <summary>
    /// The same walk for <paramref name="flags"/> (O_CREAT makes a missing last component, with <paramref name="mode"/>,
    /// never through a symlink: the daemon's lock file, connection.c: claim_connection opens it so in 3.5.0).
    /// </summary>
    public static unsafe Result Open(string path, int flags, uint mode)
    {
        if (path.Length == 0)
            return new(null, Interop.ENOENT, false);
        uint euid = Interop.GetEffectiveUserId();
        int dirFd = Interop.AT_FDCWD;
        string remaining = path;
        int symlinks = MaxSymlinks;
        try
        {
            if (remaining[0] == '/')
            {
                if (!Reopen(ref dirFd, Interop.AT_FDCWD, "/", out int errno))
                    return new(null, errno, false);
                remaining = remaining.TrimStart('/');
            }
            while (remaining.Length > 0)
            {
                int slash = remaining.IndexOf('/');
                string component = slash < 0 ? remaining : remaining[..slash];
                string tail = slash < 0 ? "" : remaining[slash..];
                if (component.Length == 0)
                    return new(null, Interop.EINVAL, false); // "a//b": rsync's walk refuses an empty component too
                Interop.Statx st;
                if (Interop.StatxAt(dirFd, component, Interop.AT_SYMLINK_NOFOLLOW,
                        Interop.STATX_BASIC_STATS, &st) != 0)
                {
                    int statErrno = Marshal.GetLastPInvokeError();
                    if (statErrno != Interop.ENOENT || slash >= 0 || (flags & Interop.O_CREAT) == 0)
                        return new(null, statErrno, false);
                    // A missing leaf is made where the walk is; a symlink raced in meanwhile is refused by O_NOFOLLOW.
                    int created = Interop.OpenAt(dirFd, component, flags | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, mode);
                    return created < 0 ? new(null, Marshal.GetLastPInvokeError(), false) : new(new SafeFileHandle(created, ownsHandle: true), 0, false);
                }
                if ((st.Mode & Interop.S_IFMT) == Interop.S_IFLNK)
                {
                    if (st.Uid != 0 && st.Uid != euid)
                        return new(null, Interop.ELOOP, true);
                    if (--symlinks < 0)
                        return new(null, Interop.ELOOP, false);
                    if (ReadLink(dirFd, component) is not { } target)
                        return new(null, Marshal.GetLastPInvokeError(), false);
                    remaining = target + tail;
                    if (remaining.StartsWith('/'))
                    {
                        if (!Reopen(ref dirFd, Interop.AT_FDCWD, "/", out int errno))
                            return new(null, errno, false);
                        remaining = remaining.TrimStart('/');
                    }
                    continue;
                }
                if (slash < 0)
                {
                    int fd = Interop.OpenAt(dirFd, component, flags | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, mode);
                    return fd < 0 ? new(null, Marshal.GetLastPInvokeError(), false) : new(new SafeFileHandle(fd, ownsHandle: true), 0, false);
                }
                if (!Reopen(ref dirFd, dirFd, component, out int dirErrno))
                    return new(null, dirErrno, false);
                remaining = tail.TrimStart('/');
                if (remaining.Length == 0)
                    return new(null, Interop.EISDIR, false);
            }
            return new(null, Interop.EISDIR, false);
        }
        finally
        {
            if (dirFd != Interop.AT_FDCWD)
                _ = Interop.Close(dirFd);
        }
    }

    /// <summary>Replaces <paramref name="dirFd"/> with the directory <paramref name="name"/> opened below <paramref name="from"/>, never through a symlink.</summary>
    private static bool Reopen(ref int dirFd, int from, string name, out int errno)
    {
        int next = Interop.OpenAt(from, name,
            Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        errno = next < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (next < 0)
            return false;
        if (dirFd != Interop.AT_FDCWD)
            _ = Interop.Close(dirFd);
        dirFd = next;
        return true;
    }

    private static unsafe string? ReadLink(int dirFd, string name)
    {
        const int max = 4096;
        byte* buffer = stackalloc byte[max];
        nint n = Interop.ReadlinkAt(dirFd, name, buffer, max - 1);
        return n < 0 ? null : FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)n));
    }
}
