using System.Text;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>Runs the stock rsync client locally for the filter tests; fails the test with the reason when rsync is missing.</summary>
internal static class StockRsyncRunner
{
    /// <summary>Runs stock rsync to completion (paths in <paramref name="args"/> must be absolute).</summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Assert.True(ToolProcess.FindOnPath("rsync") is not null,
            "stock rsync is not on PATH: the filter interop tests need it (apt-get install -y rsync)");
        return await ToolProcess.RunAsync("rsync", args, environment);
    }

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string CreateTempDirectory(string tag)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mrsync-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Creates the files (and their directories) named relative to <paramref name="root"/>; names ending in '/' are directories.</summary>
    public static void CreateTree(string root, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            string full = Path.Combine(root, name);
            if (name.EndsWith('/'))
            {
                Directory.CreateDirectory(full);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, name, Encoding.UTF8);
        }
    }

    /// <summary>The names rsync's --out-format=%n printed, without the root "./" and without directories' trailing '/'.</summary>
    public static SortedSet<string> ListedNames(string stdout) =>
        new(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l != "./")
            .Select(l => l.EndsWith('/') ? l[..^1] : l), StringComparer.Ordinal);
}
