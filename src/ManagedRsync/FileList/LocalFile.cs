using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ManagedRsync.Platform;

namespace ManagedRsync.FileList;

/// <summary>
/// Reading the sender's files by their exact name bytes (see <see cref="FileNameEncoding"/>): .NET's own file APIs
/// take names as UTF-8 and would open another file, or none, for a name that is not.
/// </summary>
internal static class LocalFile
{
    /// <summary>Opens <paramref name="path"/> for reading, as <see cref="File.OpenHandle"/> does.</summary>
    public static SafeFileHandle OpenHandle(string path, FileMode mode, FileAccess access, FileShare share, FileOptions options)
    {
        if (!FileNameEncoding.HasEscapes(path))
            return File.OpenHandle(path, mode, access, share, options);
        if (mode != FileMode.Open || access != FileAccess.Read)
            throw new ArgumentException("only opening for reading is supported for a name that is not UTF-8");
        int fd = Interop.OpenAt(Interop.AT_FDCWD, path, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string shown = FileNameEncoding.Display(path);
            throw errno switch
            {
                Interop.ENOENT or Interop.ENOTDIR => new FileNotFoundException($"Could not find file '{shown}'", shown),
                Interop.EACCES => new UnauthorizedAccessException($"Access to the path '{shown}' is denied."),
                _ => new IOException($"open '{shown}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno),
            };
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens <paramref name="path"/> for reading with O_NOATIME (--open-noatime).</summary>
    /// <exception cref="IOException">The open failed (EPERM when not the owner and without CAP_FOWNER).</exception>
    public static SafeFileHandle OpenWithoutAtime(string path)
    {
        int fd = Interop.OpenAt(Interop.AT_FDCWD, path, Interop.O_RDONLY | Interop.O_CLOEXEC | Interop.O_NOATIME, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open '{FileNameEncoding.Display(path)}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens <paramref name="path"/> for reading, as <c>new FileStream(path, options)</c> does.</summary>
    public static FileStream OpenRead(string path, FileStreamOptions options) =>
        FileNameEncoding.HasEscapes(path)
            ? new FileStream(OpenHandle(path, FileMode.Open, FileAccess.Read, options.Share, options.Options), FileAccess.Read, options.BufferSize)
            : new FileStream(path, options);

    /// <summary>A symlink's target as the bytes readlink(2) gives, or null when it cannot be read.</summary>
    public static unsafe byte[]? ReadLink(string path)
    {
        // PATH_MAX: a longer target cannot be created on Linux.
        byte* buffer = stackalloc byte[4096];
        nint n = Interop.ReadlinkAt(Interop.AT_FDCWD, path, buffer, 4096);
        return n < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }
}
