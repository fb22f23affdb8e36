using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// fallocate(2): --preallocate reserves a received file's blocks before it is written, and -S with it gives the zero
/// runs back as holes (rsync syscall.c: do_fallocate, do_punch_hole).
/// </summary>
internal static partial class Interop
{
    /// <summary>linux/falloc.h: keep the file's size as it is.</summary>
    public const int FALLOC_FL_KEEP_SIZE = 0x01;

    /// <summary>linux/falloc.h: deallocate the range (with FALLOC_FL_KEEP_SIZE).</summary>
    public const int FALLOC_FL_PUNCH_HOLE = 0x02;

    [LibraryImport(Libc, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);
}
