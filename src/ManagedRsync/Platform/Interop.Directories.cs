using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Directory listing: getdents64(2), read by <see cref="RawDirectory"/> for the watcher, the file list and the
/// confined destination alike; names come back as bytes, never decoded.
/// </summary>
internal static unsafe partial class Interop
{
    // dirent.h d_type values.
    public const byte DT_UNKNOWN = 0;
    public const byte DT_DIR = 4;
    public const byte DT_REG = 8;
    public const byte DT_LNK = 10;

    /// <summary>linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name.</summary>
    public const int DirentRecLenOffset = 16;
    public const int DirentTypeOffset = 18;
    public const int DirentNameOffset = 19;

    /// <summary>getdents64(2): glibc exports it since 2.30. Records are linux_dirent64 (see <see cref="RawDirectory"/>).</summary>
    [LibraryImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, byte* dirp, nuint count);
}
