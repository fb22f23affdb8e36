using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Extended attributes (getxattr(2), setxattr(2), removexattr(2)): only the one a fake-super receiver keeps an entry's
/// ownership, full mode and device numbers in (rsync xattrs.c: XSTAT_ATTR "user.rsync.%stat"). Always on a
/// descriptor the caller opened without following a symlink, never by a path.
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
}
