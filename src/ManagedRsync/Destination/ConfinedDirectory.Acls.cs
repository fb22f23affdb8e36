using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

// -A on the receiving side (rsync acls.c: get_acl_fdat / set_acl_fdat through a held descriptor, rsync.c:
// set_file_attrs): an entry's ACLs are read and written through a descriptor opened at its name beneath its held
// parent, never by a path that could lead through a symlink.
public sealed partial class ConfinedDirectory
{
    /// <summary>-A: <see cref="Stat"/> reads each entry's ACLs with its status (the generator's get_acl beside its lstat).</summary>
    public bool ReadsAcls { get; set; }

    private EntryAcls? AclsAt(int dirFd, string name, EntryStatus status)
    {
        using DescriptorHandle? held = HoldForAcls(dirFd, name, status, out bool pathOnly);
        return held is null ? null : AclStore.Read(held.Fd, pathOnly, (int)status.Mode, FakeSuper, out _);
    }

    // The entry opened for reading where it is a directory or regular file (f*xattr), else with O_PATH (the
    // /proc/self/fd path calls: a device or special, or a file this side may not read).
    private static DescriptorHandle? HoldForAcls(int dirFd, string name, EntryStatus status, out bool pathOnly)
    {
        pathOnly = false;
        int fd = -1;
        if (name.Length == 0)
            fd = Dup(dirFd);
        else if (status.IsDirectory || status.IsRegularFile)
            fd = OpenAt(dirFd, name, O_RDONLY | (status.IsDirectory ? O_DIRECTORY : O_NONBLOCK | O_NOCTTY) | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0 && name.Length != 0)
        {
            pathOnly = true;
            fd = OpenAt(dirFd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        }
        return fd < 0 ? null : new DescriptorHandle(fd);
    }

    // A device or special (or an entry that cannot be opened for reading): its ACLs through an O_PATH descriptor.
    private void ApplyAclsAt(int dirFd, string name, EntryStatus status, EntryAttributes attributes, string relativePath)
    {
        if (attributes.Acls is not { } acls || status.IsSymlink)
            return;
        using DescriptorHandle held = HoldForAcls(dirFd, name, status, out bool pathOnly)
            ?? throw IoError("open", relativePath, Marshal.GetLastPInvokeError());
        uint mode = (status.Mode & 0xF000) | (attributes.Permissions ?? status.Permissions);
        AclStore.Apply(held.Fd, pathOnly, acls, (int)mode, FakeSuper, relativePath, (int)status.Mode);
    }
}

public sealed partial class ConfinedDirectory
{
    /// <summary>
    /// rsync acls.c: default_perms_for_dir (rsync.c: dest_mode's dflt_perms) — the permission bits a new entry in
    /// <paramref name="directoryPath"/> may keep without -p: where the directory has a default ACL, its user, mask (else
    /// group) and other entries; else <paramref name="umaskPermissions"/> (0777 less the umask). Stock reads this on
    /// every transfer without -p, -A or not. A directory that does not exist (yet: a dry run) has none.
    /// </summary>
    public uint DefaultPermissionsIn(string directoryPath, uint umaskPermissions)
    {
        ParentLease? opened;
        try
        {
            opened = OpenDirectory(directoryPath);
        }
        catch (RsyncException)
        {
            // A parent this walk will not enter (a symlink without -K): the entry's own creation reports it; the
            // permissions fall back on the umask's, as stock's do when the ACL cannot be read.
            return umaskPermissions;
        }
        if (opened is not { } directory)
            return umaskPermissions;
        try
        {
            // ENODATA (no default ACL), EOPNOTSUPP (none on this file system): the umask's, as stock.
            if (XattrIo.Get(XattrTarget.Descriptor(directory.Fd), PosixAclXattr.DefaultName, out byte[] value) != 0
                || PosixAclXattr.Parse(value) is not { } acl || acl.UserObj == RsyncAcl.NoEntry)
                return umaskPermissions;
            // acls.c: rsync_acl_get_perms (an absent entry's NO_ENTRY & 7 is 0).
            int group = acl.MaskObj != RsyncAcl.NoEntry ? acl.MaskObj : acl.GroupObj;
            return (uint)(((acl.UserObj & 7) << 6) | ((group & 7) << 3) | (acl.OtherObj & 7));
        }
        finally
        {
            directory.Dispose();
        }
    }
}
