using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// A daemon module's root, held open, that a sending server reads through: every directory it lists and every file it
/// sends is opened relative to it with openat2 RESOLVE_BENEATH, so a symlink that a module's owner (or a local user
/// racing the transfer) points out of the module is never followed out of it. A symlink inside the module is followed
/// when the transfer asks for that (-L, -k, --copy-unsafe-links), as stock 3.5.0's sender does
/// (sender.c: sender_open_copylinks_confined, flist.c: the confined opendir); one that leads out fails with ELOOP,
/// stock's errno ("Too many levels of symbolic links"), where openat2 says EXDEV.
/// </summary>
internal sealed unsafe class BeneathRoot : IDisposable
{
    private readonly DescriptorHandle _root;

    private BeneathRoot(string path, string module, bool slashAtTop, DescriptorHandle root)
    {
        Path = path;
        _module = module;
        _slashAtTop = slashAtTop;
        _root = root;
    }

    private readonly string _module;

    // util1.c: full_fname puts the working directory below the module's path before a name (curr_dir + module_dirlen):
    // nothing in the module's own directory, unless module_dirlen is 0 (chrooted into the module itself, or a module
    // whose path is "/"), where that is "/".
    private readonly bool _slashAtTop;

    private const int MaxAttempts = 64;

    /// <summary>The root as this process names it: paths under it are opened through the descriptor.</summary>
    public string Path { get; }

    /// <summary>Opens the root directory; throws when it cannot be opened.</summary>
    public static BeneathRoot Open(string path, string module, bool slashAtTop = true)
    {
        int fd = Interop.OpenAt(Interop.AT_FDCWD, path, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"change_dir \"{path}\" failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
        }
        return new BeneathRoot(path, module, slashAtTop, new DescriptorHandle(fd));
    }

    /// <summary>
    /// The part of <paramref name="path"/> below <see cref="Path"/> ("." for the root itself), or null when the path
    /// does not start with it (then it is not this root's to confine).
    /// </summary>
    public string? Relative(string path) => RelativeTo(Path, path);

    internal static string? RelativeTo(string rootPath, string path)
    {
        string root = rootPath.Length > 1 ? rootPath.TrimEnd('/') : rootPath;
        if (!path.StartsWith(root, StringComparison.Ordinal))
            return null;
        if (path.Length > root.Length && path[root.Length] != '/' && root != "/")
            return null;
        string rest = path[root.Length..].Trim('/');
        return rest.Length == 0 ? "." : rest;
    }

    /// <summary>
    /// A path beneath the root as a daemon names it in a message (util1.c: full_fname), where the server works in
    /// <paramref name="workingDirectory"/> (beneath the root, "." for the root itself: a sender in its argument's
    /// directory, flist.c: change_pathname; a receiver in its destination): from a subdirectory "/sub/x" (in mod);
    /// from the module's own directory "x" (in mod), or "/x" (in mod) when chrooted into the module.
    /// </summary>
    public string Quote(string relative, string workingDirectory = ".") => Quote(_module, _slashAtTop, relative, workingDirectory);

    internal static string Quote(string module, bool slashAtTop, string relative, string workingDirectory)
    {
        string name = relative == "." ? "" : relative.TrimEnd('/');
        string within = workingDirectory.Trim('/');
        bool below = within is not ("." or "") && (name == within || name.StartsWith(within + "/", StringComparison.Ordinal));
        string shown = below ? "/" + name : (slashAtTop ? "/" : "") + (name.Length == 0 ? "." : name);
        return $"\"{FileNameEncoding.Display(shown)}\" (in {module})";
    }

    /// <summary>
    /// The directory a server works in for an entry at <paramref name="relative"/> (beneath the root) whose name in
    /// the list is <paramref name="listed"/>: what comes before that name ("." when nothing does).
    /// </summary>
    public static string WorkingDirectoryOf(string relative, string listed)
    {
        string path = relative.TrimEnd('/');
        if (listed is "." or "" || !path.EndsWith(listed, StringComparison.Ordinal) || path.Length == listed.Length)
            return listed is "." or "" && path is not ("" or ".") ? path : ".";
        string dir = path[..^listed.Length];
        return dir.EndsWith('/') ? dir.TrimEnd('/') is { Length: > 0 } d ? d : "." : ".";
    }

    /// <summary>
    /// Opens <paramref name="relative"/> beneath the root with <paramref name="flags"/> (O_CLOEXEC is added; O_NOFOLLOW
    /// refuses a symlink as the last component). Returns the descriptor, or -1 with the errno in
    /// <paramref name="errno"/>: ELOOP for a path that leads out of the root.
    /// </summary>
    public int Open(string relative, int flags, out int errno) => Open(relative, flags, 0, out errno);

    /// <summary>
    /// As <see cref="Open(string, int, out int)"/>, but no symlink is followed anywhere on the way (RESOLVE_NO_SYMLINKS):
    /// one met fails with ELOOP, so the caller knows the path holds none.
    /// </summary>
    public int OpenWithoutSymlinks(string relative, int flags, out int errno) => Open(relative, flags, Interop.RESOLVE_NO_SYMLINKS, out errno);

    private int Open(string relative, int flags, ulong resolve, out int errno)
    {
        // Called once per file sent and per directory listed: the name is encoded on the stack (a PATH_MAX one fits).
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(relative.Length) + 1;
        Span<byte> name = max <= 4096 ? stackalloc byte[max] : new byte[max];
        name[FileNameEncoding.GetBytes(relative, name)] = 0;
        bool added = false;
        try
        {
            _root.DangerousAddRef(ref added);
            errno = Interop.EAGAIN;
            // openat2(2): a ".." walked while any rename or mount happens on the system gives EAGAIN; try again.
            for (int attempt = 0; attempt < MaxAttempts && errno == Interop.EAGAIN; attempt++)
            {
                int fd;
                fixed (byte* p = name)
                    fd = Interop.OpenAt2(_root.Fd, p, flags | Interop.O_CLOEXEC, Interop.RESOLVE_BENEATH | Interop.RESOLVE_NO_MAGICLINKS | resolve);
                errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (fd >= 0)
                    return fd;
            }
            if (errno == Interop.ENOSYS)
                return OpenWithoutLinks(relative, flags, out errno);
            // An escape is stock's ELOOP (and so is a resolution that kept racing renames).
            if (errno is Interop.EXDEV or Interop.EAGAIN)
                errno = Interop.ELOOP;
            return -1;
        }
        finally
        {
            if (added)
                _root.DangerousRelease();
        }
    }

    // A kernel before 5.6 has no openat2: each component is opened without following a symlink, so nothing leads out
    // (an in-module link the transfer asked to follow fails with ELOOP too: closed rather than open).
    private int OpenWithoutLinks(string relative, int flags, out int errno)
    {
        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int current = Interop.Dup(_root.Fd);
        errno = current < 0 ? Marshal.GetLastPInvokeError() : 0;
        for (int i = 0; i < parts.Length && current >= 0; i++)
        {
            bool last = i == parts.Length - 1;
            int next = Interop.OpenAt(current, parts[i],
                (last ? flags : Interop.O_RDONLY | Interop.O_DIRECTORY) | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
            errno = next < 0 ? Marshal.GetLastPInvokeError() : 0;
            _ = Interop.Close(current);
            current = next;
        }
        if (parts.Length == 0 && current >= 0)
        {
            // "." itself: reopened with the caller's flags.
            int fd = Interop.OpenAt(current, ".", flags | Interop.O_CLOEXEC, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            _ = Interop.Close(current);
            current = fd;
        }
        return current;
    }

    /// <summary>
    /// lstat(2) of <paramref name="relative"/> (stat(2) with <paramref name="follow"/>) done at its directory opened
    /// beneath the root, and a symlink's target read there (readlinkat): a parent raced into a link out of the module
    /// meanwhile gives ELOOP, never what lies outside (rsync sender.c/flist.c read a scanned entry at the directory fd
    /// it listed; upstream sender-readlink-atfd). Returns the errno, 0 on success.
    /// </summary>
    public int LinkStat(string relative, bool follow, out NativeStat.Info info, out byte[]? linkTarget)
    {
        info = default;
        linkTarget = null;
        if (follow)
        {
            int fd = Open(relative, Interop.O_PATH, out int errno);
            if (fd < 0)
                return errno;
            errno = NativeStat.TryStatAt(fd, "", Interop.AT_EMPTY_PATH, out info);
            _ = Interop.Close(fd);
            return errno;
        }
        string trimmed = relative.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string parent = slash < 0 ? "." : trimmed[..slash];
        string leaf = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (leaf is "" or "." or "..")
            return LinkStat(relative, follow: true, out info, out linkTarget);
        int dir = Open(parent, Interop.O_PATH | Interop.O_DIRECTORY, out int err);
        if (dir < 0)
            return err;
        try
        {
            err = NativeStat.TryStatAt(dir, leaf, Interop.AT_SYMLINK_NOFOLLOW, out info);
            if (err == 0 && (info.Mode & (int)Interop.S_IFMT) == (int)Interop.S_IFLNK)
                linkTarget = ReadLinkAt(dir, leaf);
            return err;
        }
        finally
        {
            _ = Interop.Close(dir);
        }
    }

    /// <summary>
    /// unlink(2) of <paramref name="relative"/> at its directory opened beneath the root (never through a parent that
    /// has become a link out of it: ELOOP). Returns the errno, 0 on success.
    /// </summary>
    public int Unlink(string relative)
    {
        string trimmed = relative.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string parent = slash < 0 ? "." : trimmed[..slash];
        string leaf = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (leaf is "" or "." or "..")
            return Interop.EISDIR;
        int dir = Open(parent, Interop.O_PATH | Interop.O_DIRECTORY, out int err);
        if (dir < 0)
            return err;
        err = Interop.UnlinkAt(dir, leaf, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        _ = Interop.Close(dir);
        return err;
    }

    /// <summary>
    /// mkdir(2) of <paramref name="relative"/> at its directory opened beneath the root (syscall.c: do_mkdir_at opens the
    /// parent with secure_relative_open and calls mkdirat): a missing parent is ENOENT, a file as the parent ENOTDIR
    /// (further up ELOOP), a parent that leads out of the root ELOOP; nothing is made outside. Returns the errno, 0 on
    /// success.
    /// </summary>
    public int MakeDirectory(string relative, uint mode)
    {
        string trimmed = relative.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string parent = slash < 0 ? "." : trimmed[..slash];
        string leaf = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (leaf is "" or "." or "..")
            return Interop.EEXIST;
        int dir = Open(parent, Interop.O_PATH | Interop.O_DIRECTORY, out int err);
        if (dir < 0)
        {
            // syscall.c: secure_relative_open — a non-directory before the walk's last component is ELOOP, only the
            // last one's is ENOTDIR (openat2 says ENOTDIR for both).
            int cut = parent.LastIndexOf('/');
            if (err == Interop.ENOTDIR && cut > 0)
            {
                int above = Open(parent[..cut], Interop.O_PATH | Interop.O_DIRECTORY, out int aboveErr);
                if (above >= 0)
                    _ = Interop.Close(above);
                else if (aboveErr is Interop.ENOTDIR or Interop.ELOOP)
                    err = Interop.ELOOP;
            }
            return err;
        }
        err = Interop.MkdirAt(dir, leaf, mode) == 0 ? 0 : Marshal.GetLastPInvokeError();
        _ = Interop.Close(dir);
        return err;
    }

    private static byte[]? ReadLinkAt(int dirFd, string name)
    {
        const int max = 4096;
        byte* buffer = stackalloc byte[max];
        nint n = Interop.ReadlinkAt(dirFd, name, buffer, max - 1);
        return n < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }

    /// <summary>
    /// <paramref name="relative"/> beneath <paramref name="rootPath"/> with every link on the way resolved (each one
    /// followed only while it stays beneath): the real directories of its longest existing part, then the rest as
    /// named. Null when a part leads out, is not a directory, or cannot be read. What is later done at the result
    /// follows no link (Destination/ConfinedDirectory), so a link changed meanwhile makes that fail, never lead out.
    /// </summary>
    public static string? ResolveLinks(string rootPath, string relative)
    {
        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        using BeneathRoot root = Open(rootPath, "");
        if (FdPath(root._root.Fd) is not { } rootReal)
            return null;
        int existing = parts.Length;
        string baseReal = rootReal;
        for (; existing > 0; existing--)
        {
            int fd = root.Open(string.Join('/', parts, 0, existing), Interop.O_PATH | Interop.O_DIRECTORY, out int err);
            if (fd >= 0)
            {
                string? real = FdPath(fd);
                _ = Interop.Close(fd);
                if (real is null)
                    return null;
                baseReal = real;
                break;
            }
            if (err != Interop.ENOENT)
                return null;
        }
        if (RelativeTo(rootReal, baseReal) is not { } under)
            return null;
        string rest = string.Join('/', parts, existing, parts.Length - existing);
        return under == "." ? (rest.Length == 0 ? "." : rest) : rest.Length == 0 ? under : under + "/" + rest;
    }

    // proc(5): /proc/self/fd/N names the path the descriptor was opened at, as the kernel resolved it.
    private static string? FdPath(int fd)
    {
        const int max = 4096;
        byte* buffer = stackalloc byte[max];
        nint n = Interop.ReadlinkAt(Interop.AT_FDCWD, $"/proc/self/fd/{fd}", buffer, max - 1);
        return n <= 0 ? null : FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)n));
    }

    public void Dispose() => _root.Dispose();
}
