using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static ManagedRsync.Destination.DestinationNative;

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

    /// <summary>The open file, read-write.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Sets ownership, permissions and mtime on the open file, before it gets its final name.</summary>
    public void SetAttributes(EntryAttributes attributes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ConfinedDirectory.ApplyToDescriptor((int)Handle.DangerousGetHandle(), attributes, RelativePath);
    }

    /// <summary>Renames the file over its final name (atomically replacing a file or symlink there).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_renamed)
            return;
        // With --temp-dir the two directories must share a file system (EXDEV otherwise).
        if (RenameAt(_tempParent.Fd, TempName, _finalParent.Fd, _leaf) != 0)
            throw ConfinedDirectory.IoError($"rename \"{TempName}\" ->", RelativePath, Marshal.GetLastPInvokeError());
        _renamed = true;
    }

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
