using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

public sealed partial class ConfinedDirectory
{
    /// <summary>
    /// The names in a directory of the destination (without "." and ".."), read through a descriptor opened without
    /// following symlinks. Used by --delete to find what the sender no longer has.
    /// </summary>
    public IReadOnlyList<string> List(string relativeDirectory)
    {
        string path = relativeDirectory == "." ? "" : relativeDirectory;
        if (path.Length != 0 && !IsSafeRelativePath(path))
            throw RsyncException.Protocol($"refusing unsafe path \"{relativeDirectory}\" in the destination");
        using var lease = OpenDirectory(path) is { } l ? l : default;
        if (lease.Handle is null)
            return [];
        return ListDescriptor(lease.Fd, relativeDirectory);
    }

    private static List<string> ListDescriptor(int directoryFd, string forPath)
    {
        var names = new List<string>();
        int errno = RawDirectory.ListFromStart(directoryFd, (name, _) => names.Add(FileNameEncoding.Decode(name)));
        if (errno != 0)
            throw IoError("opendir", forPath, errno);
        return names;
    }

    /// <summary>
    /// Removes an entry; a directory is removed with everything in it, each level opened without following symlinks
    /// (rsync delete.c: delete_item/delete_dir_contents). A symlink is removed, never what it points to.
    /// </summary>
    public void Delete(string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        if (leaf == ".")
            throw new RsyncException(RsyncErrorKind.Usage, "refusing to delete the destination root");
        using var lease = OpenDirectory(parent) is { } l ? l : default;
        if (lease.Handle is null)
            return;
        ForgetCached(relativePath);
        DeleteAt(lease.Fd, leaf, relativePath);
    }

    private static void DeleteAt(int parentFd, string leaf, string forPath)
    {
        if (UnlinkAt(parentFd, leaf, 0) == 0)
            return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT)
            return;
        if (errno is not (EISDIR or EPERM))
            throw IoError("delete", forPath, errno);

        int fd = OpenAt(parentFd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
            throw IoError("delete", forPath, errno);
        using (var directory = new DescriptorHandle(fd))
        {
            foreach (string child in ListDescriptor(directory.Fd, forPath))
                DeleteAt(directory.Fd, child, forPath + "/" + child);
        }
        if (UnlinkAt(parentFd, leaf, AT_REMOVEDIR) != 0)
            throw IoError("rmdir", forPath, Marshal.GetLastPInvokeError());
    }
}
