using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Platform;

/// <summary>
/// pwrite(2) of a whole span. <see cref="RandomAccess.Write(SafeFileHandle, ReadOnlySpan{byte}, long)"/> on a handle
/// made from a raw descriptor (the receiver's temporary files, opened with openat) first asks lseek(2) whether the
/// descriptor can seek: one system call more for every file received. A temporary file is a regular file we created.
/// </summary>
internal static class PositionalWrite
{
    public static unsafe void WriteAt(SafeFileHandle file, ReadOnlySpan<byte> data, long offset)
    {
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            fixed (byte* start = data)
            {
                int done = 0;
                while (done < data.Length)
                {
                    nint n = Interop.PWrite(fd, start + done, (nuint)(data.Length - done), offset + done);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Interop.EINTR)
                            continue;
                        throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
                    }
                    done += (int)n;
                }
            }
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }
}
