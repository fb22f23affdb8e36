using ManagedRsync.Platform;

namespace ManagedRsync.Destination;

// -X on the receiving side: an entry's xattrs are read and set through a descriptor of what was checked, never by a
// path (rsync.c: set_file_attrs holds the leaf O_NOFOLLOW and xattrs.c: set_xattr uses the f-calls on it).
public sealed partial class ConfinedDirectory
{
    /// <summary>
    /// Calls <paramref name="action"/> with a descriptor of the regular file or directory at
    /// <paramref name="relativePath"/>, opened without following a symlink (a FIFO put in its place does not block);
    /// false when there is none there, or something else (a symlink, a device, a special).
    /// </summary>
    internal bool WithHeld(string relativePath, Action<int> action)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = OpenDirectory(parent) is { } l ? l : default;
        if (lease.Handle is null)
            return false;
        string name = leaf == "." ? "" : leaf;
        if (StatAt(lease.Fd, name, relativePath) is not { } status || !(status.IsDirectory || status.IsRegularFile))
            return false;
        using DescriptorHandle held = Hold(lease.Fd, name, status, relativePath);
        action(held.Fd);
        return true;
    }
}
