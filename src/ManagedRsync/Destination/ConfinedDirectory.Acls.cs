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
