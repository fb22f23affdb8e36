using System.Runtime.InteropServices;

namespace ManagedRsync.Watch;

/// <summary>Owns an inotify instance descriptor (or any plain descriptor, e.g. an eventfd); closes it once.</summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Interop.Close(Fd) == 0;
}
