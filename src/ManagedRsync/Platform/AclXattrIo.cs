using System.Buffers;
using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Reads, writes and removes one xattr of an entry through a descriptor the caller holds: fgetxattr/fsetxattr on a
/// descriptor opened for reading (a directory or regular file), the path calls on /proc/self/fd/N for an O_PATH one
/// (a device or special). Never through the entry's name.
/// </summary>
internal static unsafe class AclXattrIo
{
    /// <summary>The most bytes one ACL value is read into (the kernel's own xattr limit is 64 KiB).</summary>
    public const int MaxValue = 65536;

    /// <summary>The value, or null with the errno (ENODATA: none; EOPNOTSUPP: the file system keeps none).</summary>
    public static byte[]? Get(int fd, bool pathOnly, string name, out int errno)
    {
        // Rented: called per entry with -A and per parent directory without -p, and a value is tens of bytes.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxValue);
        try
        {
            nint n;
            fixed (byte* p = buffer)
                n = pathOnly ? Interop.GetXattr(ProcPath(fd), name, p, MaxValue) : Interop.FGetXattr(fd, name, p, MaxValue);
            if (n < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            errno = 0;
            return buffer.AsSpan(0, (int)n).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>0, or the errno.</summary>
    public static int Set(int fd, bool pathOnly, string name, ReadOnlySpan<byte> value)
    {
        int rc;
        fixed (byte* p = value)
            rc = pathOnly ? Interop.SetXattr(ProcPath(fd), name, p, (nuint)value.Length, 0) : Interop.FSetXattr(fd, name, p, (nuint)value.Length, 0);
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>0, or the errno (ENODATA when there was none).</summary>
    public static int Remove(int fd, bool pathOnly, string name)
    {
        int rc = pathOnly ? Interop.RemoveXattr(ProcPath(fd), name) : Interop.FRemoveXattr(fd, name);
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static string ProcPath(int fd) => $"/proc/self/fd/{fd}";
}
