using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

// A fake-super receiver (rsync am_root < 0: --fake-super, or a daemon module's "fake super"). It never chowns, chmods
// to what the sender says or makes a device: the owner, group, full mode and device numbers of an entry live in its
// user.rsync.%stat xattr (xattrs.c: set_stat_xattr), and lstat folds them back in (xattrs.c: x_lstat, get_stat_xattr).
// Linux has no user xattrs on symlinks (NO_SYMLINK_USER_XATTRS), so a symlink is a 0600 regular file holding its target
// (syscall.c: do_symlink_at, do_readlink), and a device, FIFO or socket an empty 0600 regular file (syscall.c:
// do_mknod). Each is made with O_NOFOLLOW|O_EXCL at a temporary name beside the final one, like every other entry
// here, so a planted symlink is never written through.
public sealed partial class ConfinedDirectory
{
    /// <summary>Entries' metadata lives in the user.rsync.%stat xattr (am_root &lt; 0).</summary>
    public bool FakeSuper { get; set; }

    // xattrs.c: get_stat_xattr — only a regular file or a directory can hold it (a device or special never has a fake
    // stat; a real symlink has no user xattrs).
    private EntryStatus Folded(int dirFd, string name, string forPath, EntryStatus real)
    {
        if (!real.IsRegularFile && !real.IsDirectory)
            return real;
        int fd = name.Length == 0
            ? Dup(dirFd)
            : OpenAt(dirFd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (real.IsDirectory ? O_DIRECTORY : 0), 0);
        if (fd < 0)
            return real;
        using var handle = new DescriptorHandle(fd);
        return ReadFake(handle.Fd, forPath) is { } fake ? Fold(real, fake) : real;
    }

    private static EntryStatus Fold(EntryStatus real, FakeStat fake) =>
        real with { Mode = fake.Mode, RdevMajor = fake.RdevMajor, RdevMinor = fake.RdevMinor, Uid = fake.Uid, Gid = fake.Gid };

    // xattrs.c: get_stat_xattr — no xattr (or none supported) is no fake stat; a value that does not parse ends the
    // run (RERR_FILEIO). Another failure stock reports and goes on without one.
    private static FakeStat? ReadFake(int fd, string forPath)
    {
        int errno = FakeStat.TryRead(fd, out FakeStat stat, out string? corrupt);
        if (corrupt is not null)
        {
            throw new RsyncException(RsyncErrorKind.FileIo,
                $"Corrupt {FakeStat.XattrName} xattr attached to \"{FileNameEncoding.Display(forPath)}\": \"{corrupt}\"");
        }
        return errno == 0 ? stat : null;
    }

    // syscall.c: do_symlink_at / do_mknod with am_root < 0 — a new 0600 regular file with the given content, never
    // through a symlink.
    private static unsafe int CreatePlainFile(int dirFd, string name, ReadOnlySpan<byte> content)
    {
        int fd = OpenAt(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0)
            return -1;
        using var handle = new DescriptorHandle(fd);
        fixed (byte* p = content)
        {
            int done = 0;
            while (done < content.Length)
            {
                nint n = Write(handle.Fd, p + done, content.Length - done);
                if (n <= 0)
                    return -1;
                done += (int)n;
            }
        }
        return 0;
    }

    // syscall.c: do_readlink with am_root < 0 — the target is the file's content; a real symlink there reads as an
    // empty target on the receiving side, so that it is replaced by a fake one.
    private unsafe string? ReadFakeSymlink(int dirFd, string leaf)
    {
        int fd = OpenAt(dirFd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
        if (fd < 0)
            return Marshal.GetLastPInvokeError() == ELOOP ? "" : null;
        using var handle = new DescriptorHandle(fd);
        // syscall.c: the buffer is MAXPATHLEN.
        var buffer = stackalloc byte[4096];
        nint length = Read(handle.Fd, buffer, 4096);
        return length < 0 ? null : FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)length));
    }

    /// <summary>
    /// rsync xattrs.c: set_stat_xattr on the open regular file or directory <paramref name="fd"/>, whose real status is
    /// <paramref name="real"/>: the real mode becomes its own type with the wanted permissions and full owner access
    /// (0600, a directory 0700), and the xattr says the wanted type, permissions, device numbers, owner and group, or
    /// is removed when the real file already says all of it. Then the time, as any receiver sets it.
    /// </summary>
    internal static unsafe void ApplyFake(int fd, EntryStatus real, EntryAttributes attributes, string forPath)
    {
        FakeStat? current = ReadFake(fd, forPath);
        EntryStatus fake = current is { } c ? Fold(real, c) : real;
        uint type = attributes.EntryMode != 0 ? attributes.EntryMode & S_IFMT : fake.Mode & S_IFMT;
        uint permissions;
        if (type == S_IFLNK && attributes.EntryMode != 0)
            permissions = attributes.EntryMode & 0xFFF; // rsync.c: set_file_attrs — new_mode is the link's own mode
        else if (attributes.Permissions is { } p)
            permissions = p & 0xFFF;
        else if (attributes.ModuleChmod is { } rules)
            permissions = (uint)rules.Apply((int)(type | fake.Permissions)) & 0xFFF;
        else
            permissions = fake.Permissions;
        uint wantedMode = type | permissions;
        bool device = type is 0x2000 or 0x6000; // S_IFCHR, S_IFBLK
        (uint major, uint minor) = !device ? (0u, 0u)
            : attributes.EntryMode != 0 ? (attributes.RdevMajor, attributes.RdevMinor) : (fake.RdevMajor, fake.RdevMinor);
        var wanted = new FakeStat(wantedMode, major, minor, attributes.Uid ?? fake.Uid, attributes.Gid ?? fake.Gid);
        // acls.c: set_rsync_acl with am_root < 0 — the ACLs go to user.rsync.%aacl / %dacl as received.
        if (attributes.Acls is { } acls && type != S_IFLNK)
            AclStore.Apply(fd, false, acls, (int)wantedMode, true, forPath, (int)wantedMode);

        // "Dump the special permissions and enable full owner access."
        uint realMode = (real.Mode & S_IFMT) | (wantedMode & 0x1FF) | (real.IsDirectory ? 0x1C0u : 0x180u);
        if ((real.Mode & 0xFFFF) != realMode)
            _ = FChmod(fd, realMode & 0xFFF);
        if (realMode == wantedMode && major == 0 && minor == 0 && real.Uid == wanted.Uid && real.Gid == wanted.Gid)
        {
            if (current is not null && FakeStat.Remove(fd) is int errno and not 0)
                throw IoError("delete of stat xattr for", forPath, errno);
        }
        else if (current != wanted && wanted.Write(fd) is int errno and not 0)
        {
            throw IoError($"write xattr {FakeStat.XattrName} for", forPath, errno);
        }

        bool mtime = attributes.MtimeSeconds is { } seconds
            && (seconds != real.MtimeSeconds || attributes.MtimeNanoseconds != real.MtimeNanoseconds);
        bool atime = attributes.AtimeSeconds is { } accessed && accessed != real.AtimeSeconds;
        if (mtime || atime)
        {
            var times = stackalloc Timespec[2];
            SetTimes(times, attributes with { MtimeSeconds = mtime ? attributes.MtimeSeconds : null, AtimeSeconds = atime ? attributes.AtimeSeconds : null });
            if (FUtimens(fd, times) != 0)
                throw IoError("set times", forPath, Marshal.GetLastPInvokeError());
        }
    }
}
