using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// The one owner of a Linux file descriptor (a directory, an inotify or fanotify instance, an eventfd): closed
/// exactly once, however many users hold it. A regular file whose content is read or written is handed to the BCL's
/// SafeFileHandle instead, so that RandomAccess and FileStream work on it.
/// </summary>
internal sealed class DescriptorHandle : SafeHandle
{
    public DescriptorHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, valid while the caller holds a reference.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Interop.Close(Fd) == 0;
}
