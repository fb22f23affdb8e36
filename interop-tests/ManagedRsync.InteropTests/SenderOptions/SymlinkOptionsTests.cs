using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.SenderOptions;

/// <summary>
/// -L/--copy-links, -k/--copy-dirlinks, --copy-unsafe-links and --safe-links beside stock rsync 3.5.0 doing the same: a
/// push to the stock daemon and a local copy (our sender follows the links while it lists), a pull from it (the client
/// tells the sending daemon 'L', 'k' or --copy-unsafe-links and our receiver never follows anything itself); with
/// --safe-links the receiver (the daemon on a push, our generator on a pull and in a local copy) makes no link that
/// leads out of the tree. The source holds
/// links to a file and a directory inside the tree, links that climb out of it (relative and absolute), a link that
/// stays inside from a subdirectory, and a dangling link ("symlink has no referent", exit 23 when followed); the
/// destination holds an old symlink where the followed file now lands. Trees, itemized and -v output, first stderr
/// line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class SymlinkOptionsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-copylinks-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-rlt -L -i", "-rt -L -i", "-a -L --delete -i", "-rlt -k -i", "-rlt -kL -i", "-rlt --copy-unsafe-links -i",
        "-rlt --copy-unsafe-links -v", "-a --copy-unsafe-links -k --delete -i", "-rlt -L -v",
        "-rlt --safe-links -i", "-rlt --safe-links -v", "-a --safe-links --copy-unsafe-links -i", "-rlt --safe-links -k -v");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        await WriteDestinationAsync(Path.Combine(places.StockRoot, "dest"));
        await WriteDestinationAsync(Path.Combine(places.OursRoot, "dest"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);

        // The dangling link is an error of the transfer wherever -L follows it; a daemon's sender also refuses to open
        // what leads out of its module (the absolute link), which a pull's exit code shows.
        bool followsAll = options.Contains("-L", StringComparison.Ordinal) || options.Contains("-kL", StringComparison.Ordinal);
        int expected = followsAll || way == InplaceAppendTests.Way.Pull && options.Contains("--copy-unsafe", StringComparison.Ordinal) ? 23 : 0;
        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot, exitCode: expected);
    }

    [Fact]
    public async Task A_pull_tells_the_daemon_which_links_to_follow()
    {
        // Stock's client puts 'L' and 'k' in the letters only for a sending server (options.c: server_options), and
        // --copy-unsafe-links for either direction: the daemon's list is the proof (a followed link arrives as a file).
        var places = OptionScenario.Places.For(daemon, _work, InplaceAppendTests.Way.Pull);
        await WriteSourceAsync(places.Source);
        Directory.CreateDirectory(places.OursRoot);
        ProcessResult ours = await daemon.RunMrsyncAsync(["-rlt", "-k", places.From(), places.To(stock: false)]);
        Assert.True(ours.ExitCode == 0, daemon.Explain(ours));
        string dest = Path.Combine(places.OursRoot, "dest");
        Assert.True(Directory.Exists(Path.Combine(dest, "link-dir")) && !new FileInfo(Path.Combine(dest, "link-dir")).Attributes.HasFlag(FileAttributes.ReparsePoint),
            "link-dir arrived as a directory");
        Assert.True(new FileInfo(Path.Combine(dest, "link-file")).LinkTarget == "file.txt", "a link to a file stays a link with -k");
    }

    private static async Task WriteSourceAsync(string root)
    {
        string outside = Path.GetDirectoryName(root)!;
        OptionScenario.Write(outside, "outside.txt", "outside the transferred tree\n", OptionScenario.Old);
        OptionScenario.Write(outside, "outsidedir/o.txt", "in a directory outside\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(outside, "outsidedir"), OptionScenario.Old);
        OptionScenario.Write(root, "file.txt", "a file\n", OptionScenario.Mid);
        OptionScenario.Write(root, "dir/inner.txt", "inside a directory\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/plain.txt", "plain\n", OptionScenario.Mid);
        await OptionScenario.SymlinkAsync(root, "link-file", "file.txt");
        await OptionScenario.SymlinkAsync(root, "link-dir", "dir");
        await OptionScenario.SymlinkAsync(root, "sub/up", "../file.txt");
        await OptionScenario.SymlinkAsync(root, "sub/up-dir", "../dir");
        await OptionScenario.SymlinkAsync(root, "unsafe", "../outside.txt");
        await OptionScenario.SymlinkAsync(root, "unsafe-dir", "../outsidedir");
        await OptionScenario.SymlinkAsync(root, "sneaky", "dir/../../outside.txt");
        await OptionScenario.SymlinkAsync(root, "absolute", Path.Combine(outside, "outside.txt"));
        await OptionScenario.SymlinkAsync(root, "dangling", "nowhere");
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "dir"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static async Task WriteDestinationAsync(string root)
    {
        OptionScenario.Write(root, "file.txt", "a file\n", OptionScenario.Mid);
        // A link from an earlier run where -L now brings the file.
        await OptionScenario.SymlinkAsync(root, "link-file", "file.txt");
        OptionScenario.Write(root, "stale.txt", "deleted with --delete\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
