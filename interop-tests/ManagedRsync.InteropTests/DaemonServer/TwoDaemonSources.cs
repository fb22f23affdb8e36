using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Two daemons, one named directory each: a directory of its own (PREFIX and a random part) in one module of stock's
/// daemon and of `mrsync daemon`, for a test that serves the same tree from both, and a scratch directory for the
/// clients' side (destinations, templates). Its path in either module, its address, the scratch directory's entries,
/// a copy of a tree with <c>cp -a</c> (symlinks keep their times), and all three directories removed on Dispose.
/// </summary>
internal sealed class TwoDaemonSources(RsyncDaemonFixture stock, MrsyncDaemonFixture ours, string prefix,
    string module = DaemonModules.ReadOnly) : IDisposable
{
    /// <summary>The directory's name in each module.</summary>
    public string Name { get; } = prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The scratch directory on the clients' side.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("mrsync-" + prefix).FullName;

    /// <summary>NAME in the scratch directory: a client's destination ("stock", "ours"), a template, a local source.</summary>
    public string Dest(string name) => Path.Combine(Root, name);

    /// <summary>The directory in <paramref name="daemon"/>'s module.</summary>
    public string Source(RsyncDaemonFixture daemon) => Path.Combine(daemon.ModulePath(module), Name);

    /// <summary><c>rsync://127.0.0.1:PORT/MODULE/NAME/</c> of <paramref name="daemon"/>.</summary>
    public string Url(RsyncDaemonFixture daemon) => $"{daemon.Url}{module}/{Name}/";

    /// <summary><c>cp -a FROM TO</c>: TO, which must not exist yet, becomes a copy of FROM.</summary>
    public static void CopyTree(string from, string to)
    {
        using var cp = System.Diagnostics.Process.Start("cp", ["-a", from, to])!;
        cp.WaitForExit();
        Assert.Equal(0, cp.ExitCode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may have left something odd; the temp directory is the OS's to clean then.
        }
        foreach (RsyncDaemonFixture daemon in (RsyncDaemonFixture[])[stock, ours])
        {
            string dir = Source(daemon);
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }
}
