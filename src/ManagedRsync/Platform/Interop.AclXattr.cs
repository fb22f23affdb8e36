using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// The path forms of getxattr(2) / setxattr(2) / removexattr(2), used for ACLs only, and only on
/// "/proc/self/fd/N" of a descriptor the caller holds (<see cref="AclXattrIo"/>): a device, FIFO or socket can be held
/// only with O_PATH, and the f* calls refuse an O_PATH descriptor (EBADF). The magic link leads to the held inode, so
/// nothing at the entry's name is resolved again (rsync 3.5.0 lib/acl.c does the same for its dirfd+leaf fallback).
/// </summary>
internal static unsafe partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "removexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RemoveXattr(string path, string name);
}
