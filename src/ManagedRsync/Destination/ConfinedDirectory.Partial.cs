using System.Runtime.InteropServices;
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

    /// <summary>Renames an entry to another name of this directory (rename(2): what is at the new name is replaced).</summary>
    public void Rename(string fromPath, string toPath)
    {
        var (fromParent, fromLeaf) = Split(fromPath);
        var (toParent, toLeaf) = Split(toPath);
        using var from = RequireDirectory(fromParent, fromPath);
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
}
