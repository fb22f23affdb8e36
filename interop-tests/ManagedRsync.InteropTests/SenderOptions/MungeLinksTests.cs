using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.SenderOptions;

/// <summary>
/// --munge-links beside stock rsync 3.5.0 doing the same: never sent, each side munges for itself (options.c:
/// server_options; pipe.c: local_child clears it for a local copy's receiving half). On a push and in a local copy our
/// sender sends a target that starts with "/rsyncd-munged/" without that prefix (flist.c: readlink_stat); on a pull
/// our receiver stores every received target behind it (flist.c: recv_file_entry). The test module is not chrooted,
/// so the stock daemon munges what it receives and unmunges what it sends as well, for both clients alike. The source
/// holds a plain link, a munged one, one that is only the prefix, and one that leads out of the tree. Trees (link
/// targets included), itemized and -v output, first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class MungeLinksTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-munge-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -i", "-a -i --munge-links", "-a -v --munge-links", "-a -i --munge-links --no-munge-links", "-a -i --munge-links --safe-links",
        "-rlt --munge-links -i --delete");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.Write(places.Source, "file.txt", "a file\n", OptionScenario.Old);
        await OptionScenario.SymlinkAsync(places.Source, "plain", "file.txt");
        await OptionScenario.SymlinkAsync(places.Source, "munged", "/rsyncd-munged/file.txt");
        await OptionScenario.SymlinkAsync(places.Source, "prefix-only", "/rsyncd-munged/");
        await OptionScenario.SymlinkAsync(places.Source, "outside", "../../etc/hostname");
        Directory.SetLastWriteTimeUtc(places.Source, OptionScenario.Old);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
        {
            string dest = Path.Combine(root, "dest");
            Directory.CreateDirectory(dest);
            // An existing link the receiver keeps or replaces by what it would store.
            await OptionScenario.SymlinkAsync(dest, "plain", "/rsyncd-munged/file.txt");
            Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
        }

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);

        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
    }
}
