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
}
