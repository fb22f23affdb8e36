using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Platform;

/// <summary>
/// pread(2) and pwrite(2) on a regular file's descriptor. <see cref="RandomAccess"/> on a handle made from a raw
/// descriptor (the receiver's temporary files, opened with openat; the sender's files, opened beneath a module with
/// openat2) first asks lseek(2) whether the descriptor can seek: one system call more for every file received or sent.
/// </summary>
internal static class PositionalIo
{
    /// <summary>
    /// Copies all of <paramref name="from"/> to the start of <paramref name="to"/> in 256 KiB pieces and returns the
    /// length copied (a local basis copied into a new file: --copy-dest, --inplace's copied match, a kept partial).
    /// </summary>
    public static long Copy(SafeFileHandle from, SafeFileHandle to)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(from, buffer, offset)) > 0)
            {
                RandomAccess.Write(to, buffer.AsSpan(0, n), offset);
                offset += n;
            }
            return offset;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>.</summary>
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
                    if (n >= 0)
                        done += (int)n;
                    else
                        ThrowUnlessInterrupted();
                }
            }
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }

    /// <summary>
    /// Reads at most <paramref name="buffer"/>'s length at <paramref name="offset"/>; 0 at the end of the file. A
    /// descriptor that cannot seek (a character device sent with --copy-devices) is read where it is, as
    /// <see cref="RandomAccess"/> reads it.
    /// </summary>
    public static unsafe int ReadAt(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint n = Interop.PRead(fd, start, (nuint)buffer.Length, offset);
                    if (n < 0 && Marshal.GetLastPInvokeError() == Interop.ESPIPE)
                        n = Interop.Read(fd, start, buffer.Length);
                    if (n >= 0)
                        return (int)n;
                    ThrowUnlessInterrupted();
                }
            }
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }

    // After a failed call: EINTR calls again, any other errno is an IOException with its words.
    private static void ThrowUnlessInterrupted()
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Interop.EINTR)
            throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
    }
}
