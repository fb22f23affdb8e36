using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.SenderOptions;

/// <summary>
/// -x/--one-file-system beside stock rsync 3.5.0 doing the same, with real mount points (a tmpfs mounted in the source
/// and in the destination: the test needs root, as CI is): a push to the stock daemon and a local copy (our sender sends
/// a mount point without its contents, with -xx not at all), a pull from it (the client sends 'x' and the daemon's
/// sender does it) and, on a pull and a local copy, our generator's --delete (it neither deletes nor enters a
/// directory on another filesystem: generator.c delete_in_dir, delete.c delete_dir_contents). Trees, itemized output,
/// first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class OneFileSystemTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-onefs-").FullName;
    private readonly List<string> _mounts = [];

    public void Dispose()
    {
        foreach (string mount in Enumerable.Reverse(_mounts))
            ToolProcess.RunAsync("umount", [mount]).GetAwaiter().GetResult();
        Directory.Delete(_work, recursive: true);
    }

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-a -x", "-a -xx", "-a -x --delete", "-a -xx --delete", "-a --one-file-system --delete-after", "-a -x --no-x");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        await WriteDestinationAsync(Path.Combine(places.StockRoot, "dest"));
        await WriteDestinationAsync(Path.Combine(places.OursRoot, "dest"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);
        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
        bool crossed = File.Exists(Path.Combine(places.OursRoot, "dest", "mnt", "inside.txt"));
        Assert.True(crossed == options.Contains("--no-x", StringComparison.Ordinal), "what -x keeps out stays out\n" + daemon.Explain(stock, ours));
    }

    private async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "file.txt", "on the source's filesystem\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/inner.txt", "also\n", OptionScenario.Mid);
        await MountAsync(Path.Combine(root, "mnt"));
        OptionScenario.Write(root, "mnt/inside.txt", "on another filesystem\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "mnt"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private async Task WriteDestinationAsync(string root)
    {
        OptionScenario.Write(root, "extra.txt", "deleted with --delete\n", OptionScenario.Old);
        // Sent without contents with -x: what the receiver has in it is not the sender's business.
        OptionScenario.Write(root, "mnt/stale.txt", "kept: its directory came without contents\n", OptionScenario.Old);
        // A mount point the sender does not have: -x on the receiver keeps it and what is on it.
        await MountAsync(Path.Combine(root, "media"));
        OptionScenario.Write(root, "media/kept.txt", "on the receiver's other filesystem\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "media"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "mnt"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private async Task MountAsync(string path)
    {
        Directory.CreateDirectory(path);
        ProcessResult mount = await ToolProcess.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0755", "mrsync-onefs", path]);
        Assert.True(mount.ExitCode == 0, $"-x needs a mount point: mounting a tmpfs needs root (as CI runs): {mount.Stderr}");
        _mounts.Add(path);
    }
}
