using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// The places a push to the stock daemon and a pull from it write for the output comparisons (stock's client beside
/// ours): a destination per client in the open module, and a source in the read-only one.
/// </summary>
internal static class DaemonOutputRuns
{
    /// <summary>
    /// Two fresh destination names in the open module, "PREFIX-stock-ID" and "PREFIX-ours-ID"; with
    /// <paramref name="oldEntries"/> each already holds a directory and a file that a --delete removes.
    /// </summary>
    public static (string Stock, string Ours) PushDestinations(RsyncDaemonFixture daemon, string prefix, bool oldEntries)
    {
        string id = Guid.NewGuid().ToString("N")[..12];
        (string Stock, string Ours) names = ($"{prefix}-stock-{id}", $"{prefix}-ours-{id}");
        if (!oldEntries)
            return names;
        foreach (string name in new[] { names.Stock, names.Ours })
        {
            string dir = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
            Directory.CreateDirectory(Path.Combine(dir, "old-dir"));
            File.WriteAllText(Path.Combine(dir, "old-dir", "f"), "f");
            File.WriteAllText(Path.Combine(dir, "old-file"), "g");
        }
        return names;
    }

    /// <summary>
    /// Runs <paramref name="pull"/> with the URL of a sample tree in the read-only module and two local destinations,
    /// stock's and ours (with <paramref name="existing"/> both start as the same stale copy); the tree goes afterwards.
    /// </summary>
    public static async Task PullAsync(RsyncDaemonFixture daemon, string root, bool existing, Func<string, string, string, Task> pull)
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "of-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            PullTree.CreateSample(source);
            string ours = Path.Combine(root, "ours"), theirs = Path.Combine(root, "theirs");
            if (existing)
            {
                string template = Path.Combine(root, "template");
                PullTree.CreateStaleCopy(source, template);
                StockOutput.CopyTree(template, ours);
                StockOutput.CopyTree(template, theirs);
            }
            await pull($"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/", theirs, ours);
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }
}
