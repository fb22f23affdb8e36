using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

public sealed partial class ConfinedDirectory
{
    private const int NameMax = 255;

    // Suffix of rsync's temporary names: ".XXXXXX" (receiver.c: TMPNAME_SUFFIX).
    private const int TempSuffixLength = 7;

    /// <summary>lstat of an entry; null when it (or a directory above it) does not exist.</summary>
    public EntryStatus? Stat(string relativePath)
    {
        // The walk's stat of every entry (generator.c: recv_generator's link_stat), as the general path below but
        // without the parent's and the leaf's strings: the parent is found in the cache by its characters and the leaf
        // encoded on the stack (a no-change re-pull stats each of its entries once).
        if (!FakeSuper && !ReadsAcls && relativePath != ".")
        {
            if (!IsSafeRelativePath(relativePath))
                throw RsyncException.Protocol($"refusing unsafe path \"{relativePath}\" in the destination");
            int slash = relativePath.LastIndexOf('/');
            using var parentLease = (slash < 0 ? ParentLease.Share(_root)
                : OpenCachedDirectory(relativePath.AsSpan(0, slash)) ?? OpenDirectory(relativePath[..slash])) is { } opened ? opened : default;
            if (parentLease.Handle is null)
                return null;
            return StatAt(parentLease.Fd, relativePath.AsSpan(slash + 1), relativePath);
        }
        var (parent, leaf) = Split(relativePath);
        using var lease = OpenDirectory(parent) is { } l ? l : default;
        if (lease.Handle is null)
            return null;
        string name = leaf == "." ? "" : leaf;
        EntryStatus? status = StatAt(lease.Fd, name, relativePath);
        // xattrs.c: x_lstat — a fake-super receiver sees what the xattr says.
        if (FakeSuper && status is { } real)
            status = Folded(lease.Fd, name, relativePath, real);
        return ReadsAcls && status is { IsSymlink: false } found ? found with { Acls = AclsAt(lease.Fd, name, found) } : status;
    }

    // StatAt for a leaf that is part of a longer name: encoded on the stack (a NAME_MAX leaf is at most 765 bytes).
    private static unsafe EntryStatus? StatAt(int dirFd, ReadOnlySpan<char> leaf, string forPath)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(leaf.Length) + 1;
        Span<byte> path = max <= 1024 ? stackalloc byte[max] : new byte[max];
        path[FileNameEncoding.GetBytes(leaf, path)] = 0;
        Statx buffer;
        int flags = AT_SYMLINK_NOFOLLOW | (leaf.Length == 0 ? AT_EMPTY_PATH : 0);
        int result;
        fixed (byte* p = path)
            result = StatxAt(dirFd, p, flags, STATX_BASIC_STATS, &buffer);
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
                return null;
            throw IoError("stat", forPath, errno);
        }
        return Status(in buffer);
    }

    private static EntryStatus Status(in Statx buffer) =>
        new EntryStatus(buffer.Mode, (long)buffer.Size, buffer.MtimeSeconds, buffer.MtimeNanoseconds,
            buffer.Uid, buffer.Gid, buffer.Ino, ((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Nlink,
            buffer.RdevMajor, buffer.RdevMinor) { AtimeSeconds = buffer.AtimeSeconds };

    /// <summary>The status of an open entry (fstat).</summary>
    internal static EntryStatus StatDescriptor(int fd, string forPath) =>
        StatAt(fd, "", forPath) ?? throw IoError("stat", forPath, ENOENT);

    private static unsafe EntryStatus? StatAt(int dirFd, string leaf, string forPath)
    {
        Statx buffer;
        int flags = AT_SYMLINK_NOFOLLOW | (leaf.Length == 0 ? AT_EMPTY_PATH : 0);
        if (StatxAt(dirFd, leaf, flags, STATX_BASIC_STATS, &buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
                return null;
            throw IoError("stat", forPath, errno);
        }
        return Status(in buffer);
    }

    /// <summary>
    /// Makes sure <paramref name="relativePath"/> is a directory, creating it owner-writable so that its contents can
    /// be written; the final permissions come after the contents (rsync generator.c: the directory's mode is fixed up
    /// in touch_up_dirs). A non-directory in the way is removed first (generator.c: delete_item before mkdir).
    /// Returns true when the directory was created.
    /// </summary>
    public bool CreateDirectory(string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        if (leaf == ".")
            return false;
        using var lease = RequireDirectory(parent, relativePath);
        if (MkdirAt(lease.Fd, leaf, 0x1C0 /* 0700 */) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != EEXIST)
            throw IoError("mkdir", relativePath, errno);
        var existing = StatAt(lease.Fd, leaf, relativePath);
        if (existing is { IsDirectory: true })
            return false;
        if (UnlinkAt(lease.Fd, leaf, 0) != 0)
            throw IoError("delete", relativePath, Marshal.GetLastPInvokeError());
        ForgetCached(relativePath);
        if (MkdirAt(lease.Fd, leaf, 0x1C0) != 0)
            throw IoError("mkdir", relativePath, Marshal.GetLastPInvokeError());
        return true;
    }

    /// <summary>
    /// Opens an existing regular file to read as the basis of a delta. Anything else (missing, a symlink, a directory,
    /// a device, a FIFO) is no basis: returns null. O_NOFOLLOW refuses a symlink, O_NONBLOCK keeps a FIFO from
    /// blocking the open, and the file type is checked on the descriptor itself.
    /// </summary>
    public SafeFileHandle? OpenBasis(string relativePath) => OpenBasis(relativePath, out _);

    /// <summary><see cref="OpenBasis(string)"/>, with the basis's length as its descriptor's stat found it.</summary>
    public SafeFileHandle? OpenBasis(string relativePath, out long length) => OpenBasis(relativePath, out length, out _);

    /// <summary>
    /// <see cref="OpenBasis(string, out long)"/>, with why it is no basis: the errno of the open that failed (a
    /// --copy-dest copy reports it: util1.c copy_file), or 0 when what is there is not a regular file.
    /// </summary>
    public SafeFileHandle? OpenBasis(string relativePath, out long length, out int errno)
    {
        length = 0;
        errno = 0;
        var (parent, leaf) = Split(relativePath);
        if (leaf == ".")
            return null;
        ParentLease lease;
        try
        {
            if (OpenDirectory(parent) is not { } found)
            {
                errno = ENOENT;
                return null;
            }
            lease = found;
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            errno = e.Errno ?? 0;
            return null;
        }
        using (lease)
        {
            int fd = OpenAt(lease.Fd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | _readFlags, 0);
            if (fd < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (StatAt(fd, "", relativePath) is not { IsRegularFile: true } status)
            {
                handle.Dispose();
                return null;
            }
            length = status.Size;
            return handle;
        }
    }

    /// <summary>
    /// Creates the temporary file that will become <paramref name="relativePath"/> (rsync receiver.c: get_tmpname,
    /// then mkstemp): ".NAME.XXXXXX" in the same directory, or "NAME.XXXXXX" at the root of
    /// <paramref name="tempDirectory"/> (--temp-dir), created exclusively and never through a symlink.
    /// </summary>
    public ConfinedTempFile CreateTempFile(string relativePath, ConfinedDirectory? tempDirectory = null)
    {
        var (parent, leaf) = Split(relativePath);
        using var final = RequireDirectory(parent, relativePath);
        using var temp = tempDirectory is null ? ParentLease.Share(final.Handle) : ParentLease.Share(tempDirectory._root);
        for (int attempt = 0; ; attempt++)
        {
            string tempName = tempDirectory is null ? TempName(leaf) : TempName(leaf)[1..];
            int fd = OpenAt(temp.Fd, tempName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0x180 /* 0600 */);
            if (fd >= 0)
                return new ConfinedTempFile(temp.Handle, final.Handle, relativePath, leaf, tempName, new SafeFileHandle(fd, true)) { FakeSuper = FakeSuper };
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EEXIST || attempt > 100)
            {
                throw IoError("mkstemp", relativePath, errno) switch
                {
                    var e when tempDirectory is null => new RsyncException(e.Kind, e.Message) { Errno = errno, CallPath = parent.Length == 0 || parent == "." ? tempName : parent + "/" + tempName },
                    var e => e,
                };
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="relativePath"/> to be rewritten where it is (--inplace; rsync receiver.c: recv_files opens
    /// it O_WRONLY|O_CREAT, mode 0600 when new), never through a symlink; anything but a regular file there is refused.
    /// </summary>
    public SafeFileHandle OpenInPlace(string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = RequireDirectory(parent, relativePath);
        int fd = OpenAt(lease.Fd, leaf, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0)
            throw IoError("open", relativePath, Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (StatAt(fd, "", relativePath) is not { IsRegularFile: true })
        {
            handle.Dispose();
            throw IoError("open", relativePath, EISDIR);
        }
        ForgetCached(relativePath);
        return handle;
    }

    /// <summary>Creates (or atomically replaces) a symlink; its target is stored, never resolved.</summary>
    public void CreateSymlink(string relativePath, string target)
    {
        if (target.Length == 0 || target.Contains('\0'))
            throw RsyncException.Protocol($"refusing symlink \"{relativePath}\" with an empty or NUL-bearing target");
        if (FakeSuper)
        {
            byte[] content = FileNameEncoding.Encode(target);
            CreateViaTempName(relativePath, "symlink", (dirFd, tempName) => CreatePlainFile(dirFd, tempName, content));
            return;
        }
        CreateViaTempName(relativePath, "symlink", (dirFd, tempName) => SymlinkAt(target, dirFd, tempName));
    }

    /// <summary>
    /// Creates <paramref name="relativePath"/> as a hard link to the existing entry <paramref name="existingPath"/> of
    /// this directory, or of <paramref name="from"/> (a --link-dest directory), reached the same confined way.
    /// </summary>
    public void CreateHardLink(string relativePath, string existingPath, ConfinedDirectory? from = null)
    {
        var (sourceParent, sourceLeaf) = Split(existingPath);
        using var source = (from ?? this).RequireDirectory(sourceParent, existingPath);
        int sourceFd = source.Fd;
        // linkat without AT_SYMLINK_FOLLOW links a symlink itself, never what it points to.
        CreateViaTempName(relativePath, "link", (dirFd, tempName) => LinkAt(sourceFd, sourceLeaf, dirFd, tempName, 0));
    }

    /// <summary>Creates a device or special file (FIFO, socket); <paramref name="mode"/> includes the S_IF* type.</summary>
    public void CreateDevice(string relativePath, uint mode, uint major, uint minor)
    {
        uint type = mode & S_IFMT;
        if (type is S_IFDIR or S_IFREG or S_IFLNK or 0)
            throw RsyncException.Protocol($"mode {Convert.ToString(mode, 8)} of \"{relativePath}\" is not a device or special file");
        if (FakeSuper)
        {
            CreateViaTempName(relativePath, "mknod", (dirFd, tempName) => CreatePlainFile(dirFd, tempName, []));
            return;
        }
        ulong dev = MakeDev(major, minor);
        CreateViaTempName(relativePath, "mknod", (dirFd, tempName) =>
        {
            if (MknodAt(dirFd, tempName, mode, dev) != 0)
                return -1;
            // mknod applies the umask; the name is ours alone until the rename below.
            return FChmodAt(dirFd, tempName, mode & 0xFFF, 0);
        });
    }

    private void CreateViaTempName(string relativePath, string operation, Func<int, string, int> create)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = RequireDirectory(parent, relativePath);
        string tempName;
        for (int attempt = 0; ; attempt++)
        {
            tempName = TempName(leaf);
            if (create(lease.Fd, tempName) == 0)
                break;
            int errno = Marshal.GetLastPInvokeError();
            UnlinkAt(lease.Fd, tempName, 0);
            if (errno != EEXIST || attempt > 100)
                throw IoError(operation, relativePath, errno);
        }
        if (RenameAt(lease.Fd, tempName, lease.Fd, leaf) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            UnlinkAt(lease.Fd, tempName, 0);
            throw IoError("rename", relativePath, errno);
        }
    }

    /// <summary>
    /// As <see cref="SetAttributes(string, EntryAttributes)"/>, for an entry the caller has just stat'ed (the
    /// generator's quick check): when <paramref name="current"/> already has the attributes nothing is done, not even a
    /// second stat (rsync generator.c: recv_generator hands its own stat to set_file_attrs).
    /// </summary>
    public void SetAttributes(string relativePath, EntryAttributes attributes, EntryStatus current)
    {
        if (!attributes.Except(current).IsEmpty)
            SetAttributes(relativePath, attributes);
    }

    /// <summary>
    /// Sets ownership, permissions and modification time without following a symlink: directories and regular files
    /// through a descriptor opened with O_NOFOLLOW, symlinks with the AT_SYMLINK_NOFOLLOW calls (Linux has no lchmod),
    /// devices and specials by name relative to their parent. New files get theirs from <see cref="ConfinedTempFile"/>.
    /// </summary>
    public unsafe void SetAttributes(string relativePath, EntryAttributes attributes)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = RequireDirectory(parent, relativePath);
        string name = leaf == "." ? "" : leaf;
        var status = StatAt(lease.Fd, name, relativePath)
            ?? throw IoError("stat", relativePath, ENOENT);
        if (FakeSuper)
        {
            if (status.IsDirectory || status.IsRegularFile)
            {
                using DescriptorHandle held = Hold(lease.Fd, name, status, relativePath);
                ApplyFake(held.Fd, status, attributes, relativePath);
                return;
            }
            // A real symlink, device or special in a fake-super tree (not one this side made): no user xattr can be
            // set on it (set_stat_xattr's EPERM), so only its time.
            attributes = new EntryAttributes(MtimeSeconds: attributes.MtimeSeconds, MtimeNanoseconds: attributes.MtimeNanoseconds)
            {
                AtimeSeconds = attributes.AtimeSeconds,
            };
        }
        attributes = attributes.Except(status);
        if (attributes.IsEmpty)
            return;
        if (status.IsDirectory || status.IsRegularFile)
        {
            using DescriptorHandle handle = Hold(lease.Fd, name, status, relativePath);
            ApplyToDescriptor(handle.Fd, attributes, relativePath);
            return;
        }
        ApplyAclsAt(lease.Fd, name, status, attributes, relativePath);

        if (attributes.Uid is not null || attributes.Gid is not null)
        {
            if (FChownAt(lease.Fd, name, attributes.Uid ?? uint.MaxValue, attributes.Gid ?? uint.MaxValue, AT_SYMLINK_NOFOLLOW) != 0)
                throw IoError("chown", relativePath, Marshal.GetLastPInvokeError());
        }
        if (attributes.Permissions is { } permissions && !status.IsSymlink)
        {
            if (FChmodAt(lease.Fd, name, permissions & 0xFFF, 0) != 0)
                throw IoError("chmod", relativePath, Marshal.GetLastPInvokeError());
        }
        if (attributes.MtimeSeconds is not null || attributes.AtimeSeconds is not null)
        {
            var times = stackalloc Timespec[2];
            SetTimes(times, attributes);
            if (UtimensAt(lease.Fd, name, times, AT_SYMLINK_NOFOLLOW) != 0)
                throw IoError("set times", relativePath, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>chown before chmod: chown clears set-id bits (rsync.c: set_file_attrs does the same order).</summary>
    internal static unsafe void ApplyToDescriptor(int fd, EntryAttributes attributes, string forPath, bool fakeSuper = false)
    {
        if (fakeSuper)
        {
            ApplyFake(fd, StatAt(fd, "", forPath) ?? throw IoError("stat", forPath, ENOENT), attributes, forPath);
            return;
        }
        if (attributes.Uid is not null || attributes.Gid is not null)
        {
            if (FChown(fd, attributes.Uid ?? uint.MaxValue, attributes.Gid ?? uint.MaxValue) != 0)
                throw IoError("chown", forPath, Marshal.GetLastPInvokeError());
        }
        // rsync.c: set_file_attrs — the ACLs after the owner and before the mode (writing the access ACL sets the
        // permission bits it carries, which are the wanted mode's).
        if (attributes.Acls is { } acls)
        {
            uint current = StatAt(fd, "", forPath)?.Mode ?? throw IoError("stat", forPath, ENOENT);
            uint mode = attributes.Permissions is { } wanted ? (current & 0xF000) | wanted : current;
            AclStore.Apply(fd, false, acls, (int)mode, false, forPath, (int)(attributes.AclPriorMode ?? current));
        }
        if (attributes.Permissions is { } permissions && FChmod(fd, permissions & 0xFFF) != 0)
            throw IoError("chmod", forPath, Marshal.GetLastPInvokeError());
        if (attributes.MtimeSeconds is not null || attributes.AtimeSeconds is not null)
        {
            var times = stackalloc Timespec[2];
            SetTimes(times, attributes);
            if (FUtimens(fd, times) != 0)
                throw IoError("set times", forPath, Marshal.GetLastPInvokeError());
        }
    }

    // utimensat's pair: the access time (-U, nanoseconds 0 as rsync.c set_file_attrs leaves them) and the modification
    // time; what is not set is UTIME_OMIT.
    private static unsafe void SetTimes(Timespec* times, EntryAttributes attributes)
    {
        times[0] = attributes.AtimeSeconds is { } atime
            ? new Timespec { Seconds = atime, Nanoseconds = 0 }
            : new Timespec { Seconds = 0, Nanoseconds = UTIME_OMIT };
        times[1] = attributes.MtimeSeconds is { } seconds
            ? new Timespec { Seconds = seconds, Nanoseconds = attributes.MtimeNanoseconds }
            : new Timespec { Seconds = 0, Nanoseconds = UTIME_OMIT };
    }

    /// <summary>Reads a symlink's target without following it; null when the entry is not a symlink.</summary>
    public unsafe string? ReadSymlink(string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = OpenDirectory(parent) is { } l ? l : default;
        if (lease.Handle is null)
            return null;
        if (FakeSuper)
            return ReadFakeSymlink(lease.Fd, leaf);
        var buffer = stackalloc byte[4096];
        nint length = ReadlinkAt(lease.Fd, leaf, buffer, 4096);
        return length < 0 ? null : FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)length));
    }

    /// <summary>".NAME.XXXXXX", with NAME shortened so the whole stays within NAME_MAX (rsync receiver.c: get_tmpname).</summary>
    internal static string TempName(string leaf)
    {
        string name = leaf.StartsWith('.') ? leaf[1..] : leaf;
        int maxBytes = NameMax - 1 - TempSuffixLength;
        while (FileNameEncoding.ByteCount(name) > maxBytes)
            name = name[..^1];
        Span<char> suffix = stackalloc char[6];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < suffix.Length; i++)
            suffix[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        return string.Concat(".", name, ".", suffix);
    }

    // A directory or regular file at NAME beneath DIRFD (the directory itself for ""), opened without following a
    // symlink and without blocking on a FIFO put in its place, so that its attributes are set on what was checked.
    private static DescriptorHandle Hold(int dirFd, string name, EntryStatus status, string relativePath)
    {
        int fd = name.Length == 0
            ? Dup(dirFd)
            : OpenAt(dirFd, name, O_RDONLY | (status.IsDirectory ? O_DIRECTORY : O_NONBLOCK | O_NOCTTY) | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
            throw IoError("open", relativePath, Marshal.GetLastPInvokeError());
        return new DescriptorHandle(fd);
    }
}
