using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// A tmpfs of a given size mounted over a directory for one test (a disk that fills up), which <see cref="GrowAsync"/>
/// enlarges in place (space freed, as an operator would); unmounted afterwards. Mounting needs root, as CI runs the
/// tests; when it fails the test fails and says why.
/// </summary>
internal sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string point) => Point = point;

    public string Point { get; }

    public static async Task<SmallTmpfs> MountAsync(string point, string size)
    {
        Directory.CreateDirectory(point);
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", point);
        return new SmallTmpfs(point);
    }

    public Task GrowAsync(string size) => RunAsync("mount", "-o", $"remount,size={size}", Point);

    /// <summary>Fills the file system with one file until the kernel says it is full (ENOSPC).</summary>
    public void Fill(string name = "filler")
    {
        using var f = new FileStream(Path.Combine(Point, name), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        byte[] block = new byte[4096];
        try
        {
            while (true)
                f.Write(block);
        }
        catch (IOException)
        {
            return; // full
        }
    }

    private static async Task RunAsync(params string[] argv)
    {
        ProcessResult r = await ToolProcess.RunAsync(argv[0], argv.Skip(1));
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', argv)} failed (these tests run as root): {r}");
    }

    public void Dispose() => RunAsync("umount", "-l", Point).GetAwaiter().GetResult();
}
