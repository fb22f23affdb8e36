using System.Runtime.InteropServices;

namespace ManagedRsync.Tests.Watch;

/// <summary>Creates files whose names are arbitrary bytes (the BCL can only name UTF-8 paths).</summary>
internal static unsafe partial class RawNames
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public static void CreateFile(string directory, ReadOnlySpan<byte> name)
    {
        byte[] path = [.. System.Text.Encoding.UTF8.GetBytes(directory), (byte)'/', .. name, 0];
        fixed (byte* p = path)
        {
            int fd = Open(p, 0x41 /* O_WRONLY | O_CREAT */, 0x1a4 /* 0644 */);
            Assert.True(fd >= 0, $"open failed: errno {Marshal.GetLastPInvokeError()}");
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true)]
    private static partial int Unlink(byte* path);

    public static void Delete(string directory, ReadOnlySpan<byte> name)
    {
        byte[] path = [.. System.Text.Encoding.UTF8.GetBytes(directory), (byte)'/', .. name, 0];
        fixed (byte* p = path)
            Assert.True(Unlink(p) == 0, $"unlink failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true)]
    private static partial int Link(byte* existing, byte* path);

    /// <summary>link(2): <paramref name="path"/> becomes another name of <paramref name="existing"/>.</summary>
    public static void HardLink(string existing, string path)
    {
        byte[] from = [.. System.Text.Encoding.UTF8.GetBytes(existing), 0];
        byte[] to = [.. System.Text.Encoding.UTF8.GetBytes(path), 0];
        fixed (byte* f = from)
        fixed (byte* t = to)
            Assert.True(Link(f, t) == 0, $"link failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
