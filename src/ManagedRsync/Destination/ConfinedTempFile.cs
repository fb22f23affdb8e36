using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ManagedRsync.Platform;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Destination;

/// <summary>
/// A new file being written beside its final name. <see cref="Commit"/> renames it into place; disposing it without
/// committing removes it, so a failed or interrupted transfer leaves the existing file untouched and no temporary file
/// behind (rsync cleanup.c: the temp file is unlinked on exit unless --partial keeps it).
/// </summary>
public sealed class ConfinedTempFile : IDisposable
{
    private readonly DescriptorHandle _tempParent;
    private readonly DescriptorHandle _finalParent;
    private readonly string _leaf;
    private bool _renamed;
    private bool _disposed;
    private EntryAttributes? _attributes;

    internal ConfinedTempFile(DescriptorHandle tempParent, DescriptorHandle finalParent, string relativePath, string leaf,
        string tempName, SafeFileHandle handle)
    {
        bool added = false;
        tempParent.DangerousAddRef(ref added);
        added = false;
        finalParent.DangerousAddRef(ref added);
        _tempParent = tempParent;
        _finalParent = finalParent;
        _leaf = leaf;
        RelativePath = relativePath;
        TempName = tempName;
        Handle = handle;
    }

    /// <summary>The final name, relative to the destination root.</summary>
    public string RelativePath { get; }

    /// <summary>The temporary name, in the same directory (or in the --temp-dir directory).</summary>
    public string TempName { get; }

    /// <summary>Its attributes go into the user.rsync.%stat xattr (a fake-super destination's).</summary>
    internal bool FakeSuper { get; init; }

    /// <summary>The open file, read-write.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Sets ownership, permissions and mtime on the open file, before it gets its final name.</summary>
    public void SetAttributes(EntryAttributes attributes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int fd = (int)Handle.DangerousGetHandle();
        ConfinedDirectory.ApplyToDescriptor(fd, FakeSuper ? attributes : WithoutOwnerItHas(fd, attributes), RelativePath, FakeSuper);
        _attributes = attributes;
    }

    // rsync.c: set_file_attrs stats the new file and changes its owner and group only where they differ (the file
    // just made usually has them: a daemon writing as the files' owner). One stat instead of a chown per file; and a
    // chown to the same owner is not a no-op: it clears set-id bits and a security.capability xattr just set.
    private EntryAttributes WithoutOwnerItHas(int fd, EntryAttributes attributes)
    {
        if (attributes.Uid is null && attributes.Gid is null)
            return attributes;
        EntryStatus current = ConfinedDirectory.StatDescriptor(fd, RelativePath);
        return attributes with
        {
            Uid = attributes.Uid == current.Uid ? null : attributes.Uid,
            Gid = attributes.Gid == current.Gid ? null : attributes.Gid,
        };
    }

    /// <summary>
    /// Renames the file over its final name (atomically replacing a file or symlink there). A --temp-dir on another
    /// file system cannot be renamed across (EXDEV): then the content is copied (see <see cref="CommitByCopy"/>).
    /// </summary>
    public void Commit()
    {
        if (!TryCommit(out int errno))
            throw ConfinedDirectory.IoError($"rename \"{TempName}\" ->", RelativePath, errno);
    }

    /// <summary>
    /// <see cref="Commit"/>, but a failed rename is returned (false, with its errno) rather than thrown; the file is
    /// still there until disposed. A copy across file systems that fails still throws.
    /// </summary>
    public bool TryCommit(out int errno)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        errno = 0;
        if (_renamed)
            return true;
        if (RenameAt(_tempParent.Fd, TempName, _finalParent.Fd, _leaf) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            if (errno != EXDEV)
                return false;
            errno = 0;
            CommitByCopy(_finalParent, _leaf);
            UnlinkAt(_tempParent.Fd, TempName, 0);
        }
        _renamed = true;
        return true;
    }

    /// <summary>
    /// Renames the file to <paramref name="leaf"/> in <paramref name="parent"/> instead of its final name (--partial-dir;
    /// an absolute one may be on another file system: rsync.c finish_transfer's robust_rename copies then).
    /// </summary>
    internal void CommitTo(DescriptorHandle parent, string leaf)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (RenameAt(_tempParent.Fd, TempName, parent.Fd, leaf) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EXDEV)
                throw ConfinedDirectory.IoError($"rename \"{TempName}\" ->", leaf, errno);
            CommitByCopy(parent, leaf);
            UnlinkAt(_tempParent.Fd, TempName, 0);
        }
        _renamed = true;
    }

    /// <summary>
    /// rsync util1.c: robust_rename falls back to copy_file on EXDEV, which writes straight onto the final name. We copy
    /// into a second temporary file beside the final name instead, give it the attributes, and rename that into place,
    /// so an interruption still leaves the old file whole.
    /// </summary>
    private void CommitByCopy(DescriptorHandle finalParent, string finalLeaf)
    {
        string copyName;
        int fd;
        for (int attempt = 0; ; attempt++)
        {
            copyName = ConfinedDirectory.TempName(finalLeaf);
            fd = OpenAt(finalParent.Fd, copyName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0x180 /* 0600 */);
            if (fd >= 0)
                break;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EEXIST || attempt > 100)
                throw ConfinedDirectory.IoError("mkstemp", RelativePath, errno);
        }
        bool done = false;
        try
        {
            using (var copy = new SafeFileHandle(fd, ownsHandle: true))
            {
                CopyContent(Handle, copy);
                if (_attributes is { } attributes)
                    ConfinedDirectory.ApplyToDescriptor(fd, attributes, RelativePath, FakeSuper);
            }
            if (RenameAt(finalParent.Fd, copyName, finalParent.Fd, finalLeaf) != 0)
                throw ConfinedDirectory.IoError($"rename \"{copyName}\" ->", RelativePath, Marshal.GetLastPInvokeError());
            done = true;
        }
        finally
        {
            if (!done)
                UnlinkAt(finalParent.Fd, copyName, 0);
        }
    }

    /// <summary>Writes the whole content of <paramref name="source"/> into the file (--copy-dest's local copy).</summary>
    public void CopyFrom(SafeFileHandle source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CopyContent(source, Handle);
    }

    private void CopyContent(SafeFileHandle from, SafeFileHandle to)
    {
        try
        {
            PositionalIo.Copy(from, to);
        }
        catch (IOException e)
        {
            throw new RsyncException(RsyncErrorKind.EntryFailed,
                $"copy \"{TempName}\" -> \"{RelativePath}\" failed: {SystemError.Describe(e)}", e);
        }
    }

    /// <summary>Closes the file and removes it unless it was committed.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Handle.Dispose();
        if (!_renamed)
            UnlinkAt(_tempParent.Fd, TempName, 0);
        _tempParent.DangerousRelease();
        _finalParent.DangerousRelease();
    }
}
