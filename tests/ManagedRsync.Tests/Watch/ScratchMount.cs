using System.Diagnostics;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// A file system mounted for one test (tmpfs, ramfs, a loop-mounted ext4 image) on a fresh directory, unmounted and
/// removed afterwards. Mounting needs root, as CI runs the tests; when it fails the test fails and says why.
/// </summary>
internal sealed class ScratchMount : IDisposable
{
    private readonly bool _ownsDirectory;

    private ScratchMount(string point, bool ownsDirectory)
    {
        Point = point;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The mount point.</summary>
    public string Point { get; }

    public string this[string relative] => Path.Combine(Point, relative);

    /// <summary>mount -t <paramref name="type"/> (e.g. "tmpfs", "ramfs") on a new directory.</summary>
    public static ScratchMount Of(string type)
    {
        string point = Directory.CreateTempSubdirectory("mrsync-" + type + "-").FullName;
        Run("mount", "-t", type, type, point);
        return new ScratchMount(point, ownsDirectory: true);
    }

    /// <summary>mount -t <paramref name="type"/> over the existing directory <paramref name="point"/> (kept afterwards).</summary>
    public static ScratchMount Over(string type, string point)
    {
        Run("mount", "-t", type, type, point);
        return new ScratchMount(point, ownsDirectory: false);
    }

    private static void Run(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in argv.Skip(1))
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot run {argv[0]}");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{string.Join(' ', argv)} failed ({p.ExitCode}): {err.Trim()} -- these tests run as root (id -u: {Environment.UserName})");
    }

    public void Dispose()
    {
        Run("umount", "-l", Point);
        if (_ownsDirectory)
            Directory.Delete(Point);
    }
}
