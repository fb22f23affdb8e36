using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Extended attributes (getxattr(2), setxattr(2), removexattr(2), listxattr(2)): the one a fake-super receiver keeps an
/// entry's ownership, full mode and device numbers in (rsync xattrs.c: XSTAT_ATTR "user.rsync.%stat") and the ones -X
/// copies, and the POSIX ACLs (system.posix_acl_*). Set and removed only on a descriptor the caller opened without following
/// a symlink, never by an entry's name; the l-variants read a sending side's own symlinks (no descriptor without
/// O_PATH, which the f-calls refuse). <see cref="XattrIo"/> is the one wrapper of them.
/// </summary>
internal static unsafe partial class Interop
{
    /// <summary>ENODATA: the attribute is not there (glibc's ENOATTR).</summary>
    public const int ENODATA = 61;

    /// <summary>ERANGE: the value is longer than the buffer.</summary>
    public const int ERANGE = 34;

    [LibraryImport(Libc, EntryPoint = "fgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FGetXattr(int fd, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FSetXattr(int fd, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "fremovexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FRemoveXattr(int fd, string name);

    [LibraryImport(Libc, EntryPoint = "flistxattr", SetLastError = true)]
    public static partial nint FListXattr(int fd, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "fgetxattr", SetLastError = true)]
    public static partial nint FGetXattr(int fd, byte* name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, byte* name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "fsetxattr", SetLastError = true)]
    public static partial int FSetXattr(int fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "fremovexattr", SetLastError = true)]
    public static partial int FRemoveXattr(int fd, byte* name);

    // The following path forms, only ever on "/proc/self/fd/N" of an O_PATH descriptor the caller holds (XattrTarget):
    // the f* calls refuse such a descriptor (EBADF); the magic link leads to the held inode, so nothing at the entry's
    // name is resolved again.

    [LibraryImport(Libc, EntryPoint = "listxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ListXattr(string path, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetXattr(string path, byte* name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetXattr(string path, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "removexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RemoveXattr(string path, byte* name);
}
