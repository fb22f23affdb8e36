using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

// What --partial-dir and --delay-updates do to the destination (rsync receiver.c: finish_transfer into the partial
// name, handle_delayed_updates; util1.c: handle_partial_dir), confined like everything else.
public sealed partial class ConfinedDirectory
{
    /// <summary>Gives a temporary file <paramref name="relativePath"/> instead of the name it was made for.</summary>
    public void CommitTempAs(ConfinedTempFile temp, string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = RequireDirectory(parent, relativePath);
        temp.CommitTo(lease.Handle, leaf);
    }

    /// <summary>
    /// Renames an entry to another name of this directory, or one of <paramref name="fromDirectory"/> to a name of this
    /// one (an absolute --partial-dir's file into place: receiver.c handle_delayed_updates, do_rename_at, no copy
    /// across file systems). rename(2): what is at the new name is replaced.
    /// </summary>
    public void Rename(string fromPath, string toPath, ConfinedDirectory? fromDirectory = null)
    {
        var (fromParent, fromLeaf) = Split(fromPath);
        var (toParent, toLeaf) = Split(toPath);
        using var from = (fromDirectory ?? this).RequireDirectory(fromParent, fromPath);
        using var to = RequireDirectory(toParent, toPath);
        if (RenameAt(from.Fd, fromLeaf, to.Fd, toLeaf) != 0)
            throw IoError($"rename \"{fromPath}\" ->", toPath, Marshal.GetLastPInvokeError());
        ForgetCached(toPath);
    }

    /// <summary>rmdir of a directory that may not be empty (util1.c: handle_partial_dir PDIR_DELETE): a failure is no error.</summary>
    public void RemoveIfEmpty(string relativePath)
    {
        var (parent, leaf) = Split(relativePath);
        using var lease = OpenDirectory(parent) is { } l ? l : default;
        if (lease.Handle is null)
            return;
        ForgetCached(relativePath);
        UnlinkAt(lease.Fd, leaf, AT_REMOVEDIR);
    }

    /// <summary>
    /// An absolute --partial-dir on a receiving client (util1.c: handle_partial_dir with operator_path_resolve): the
    /// path is the user's, walked as stock walks an operator path (syscall.c: a symlink owned by root or us is
    /// followed, any other refused with ELOOP, <see cref="OwnerCheckedOpen"/>). Without <paramref name="create"/> an
    /// existing directory is opened (null when there is none: no partial copy to use); with it (PDIR_CREATE) a
    /// non-directory at the last component is unlinked and the directory made, mode 0700, and opened without
    /// following a link. Names inside are then reached as in the destination, never through a symlink.
    /// </summary>
    public static ConfinedDirectory? OpenOperatorDirectory(string path, bool create, bool noAtime)
    {
        int readFlags = noAtime ? O_NOATIME : 0;
        if (!create)
        {
            OwnerCheckedOpen.Result existing = OwnerCheckedOpen.Open(path, O_RDONLY | O_DIRECTORY | readFlags, 0);
            return existing.Handle is { } found ? FromHandle(found, path, readFlags) : null;
        }
        string trimmed = path.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string parentPath = slash <= 0 ? "/" : trimmed[..slash], leaf = trimmed[(slash + 1)..];
        if (leaf.Length == 0 || leaf is "." or "..")
            throw IoError("mkdir", path, EINVAL);
        OwnerCheckedOpen.Result parent = OwnerCheckedOpen.Open(parentPath, O_RDONLY | O_DIRECTORY, 0);
        if (parent.Handle is not { } parentHandle)
            throw IoError("mkdir", path, parent.Errno);
        using (parentHandle)
        {
            int parentFd = (int)parentHandle.DangerousGetHandle();
            EntryStatus? st = StatAt(parentFd, leaf, path);
            if (st is { IsDirectory: false })
            {
                if (UnlinkAt(parentFd, leaf, 0) != 0)
                    throw IoError("unlink", path, Marshal.GetLastPInvokeError());
                st = null;
            }
            if (st is null && MkdirAt(parentFd, leaf, 0x1C0 /* 0700 */) != 0 && Marshal.GetLastPInvokeError() != EEXIST)
                throw IoError("mkdir", path, Marshal.GetLastPInvokeError());
            int fd = OpenAt(parentFd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | readFlags, 0);
            if (fd < 0)
                throw IoError("open", path, Marshal.GetLastPInvokeError());
            return new ConfinedDirectory(new DescriptorHandle(fd), path, st is null, readFlags);
        }
    }

    private static ConfinedDirectory FromHandle(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, int readFlags)
    {
        // The walk's descriptor becomes the directory's own: one owner closes it.
        int fd = (int)handle.DangerousGetHandle();
        handle.SetHandleAsInvalid();
        return new ConfinedDirectory(new DescriptorHandle(fd), path, false, readFlags);
    }
}
