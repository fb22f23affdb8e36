using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --ignore-missing-args and --delete-missing-args beside stock rsync 3.5.0 doing the same: a push to the stock daemon
/// (our sender leaves a missing argument out, or sends it as a "missing" entry the daemon's generator deletes), a pull
/// from it (the sending daemon does that; our generator deletes what a missing entry names) and a local copy. The
/// sources name a file that exists, one that never did, one the destination still has, and a directory the destination
/// still has with a file in it (deleted only with --delete, else "cannot delete non-empty directory"); with -R the
/// names keep their path ("/./" marks where it starts). Trees, itemized output, first stderr line and exit code must
/// be stock's (without either option a missing argument is an error: exit 23).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class MissingArgsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-missing-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -i", "-a -i --ignore-missing-args", "-a -i --delete-missing-args", "-a -v --delete-missing-args",
        "-a -i --delete-missing-args --delete", "-a -i --delete-missing-args --ignore-missing-args", "-a -i -n --delete-missing-args",
        "-a -i -R --delete-missing-args", "-a -i -R --ignore-missing-args", "-a -i -R", "-a -i --delete-missing-args --filter=P_gone.txt");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        bool relative = args.Contains("-R");
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.WriteSource(places.Source);
        Directory.CreateDirectory(Path.Combine(places.Source, "sub/deeper"));
        // The one file that is sent sorts after every deletion: a deletion's line is the generator's, printed at once,
        // a transfer's is printed when it is done, so stock's order of the two is only fixed that way round.
        OptionScenario.Write(places.Source, "zdir/last.txt", "sent last\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(places.Source, "zdir"), OptionScenario.Old);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            WriteDestination(Path.Combine(root, "dest"), relative);
        string slash = relative ? "/./" : "/";
        string[] sources = [.. new[] { "zdir/last.txt", "never.txt", "gone.txt", "gonedir", "sub/deeper/gone2.txt" }.Select(n => places.From(slash + n))];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, .. sources, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, .. sources, places.To(stock: false)]);

        bool handled = options.Contains("missing-args", StringComparison.Ordinal);
        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot, exitCode: handled ? 0 : 23,
            deletionsApart: true);
    }

    private static void WriteDestination(string dest, bool relative)
    {
        string sub = relative ? "sub/deeper/" : "";
        OptionScenario.Write(dest, "gone.txt", "still here\n", OptionScenario.Old);
        OptionScenario.Write(dest, "gonedir/inside.txt", "a file inside\n", OptionScenario.Old);
        OptionScenario.Write(dest, sub + "gone2.txt", "deeper\n", OptionScenario.Old);
        OptionScenario.Write(dest, "kept.txt", "not named\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(dest, "gonedir"), OptionScenario.Old);
        if (relative)
        {
            Directory.SetLastWriteTimeUtc(Path.Combine(dest, "sub/deeper"), OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(Path.Combine(dest, "sub"), OptionScenario.Old);
        }
        Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
    }
}
