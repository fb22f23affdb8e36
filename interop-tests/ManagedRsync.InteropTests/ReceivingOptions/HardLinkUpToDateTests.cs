using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -H with --info=name2 and no %i beside stock rsync 3.5.0 doing the same: a member of a hard-link group already linked
/// to its leader in the destination says "NAME is uptodate" (hlink.c: maybe_hard_link, maybe_ATTRS_REPORT), as an
/// up-to-date file does (rsync.c: set_file_attrs). The destination is a stock copy of the source, then one file is
/// added. The generator's lines and the echoed names meet as stock's pipes have them: each kind is compared in order.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class HardLinkUpToDateTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-hlname2-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-aH --info=name2", "-aHv --info=name2 --no-i-r", "-rtH --info=name2 --out-format=%n");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksLines(string options, InplaceAppendTests.Way way)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.Write(places.Source, "a", "one inode\n", OptionScenario.Old);
        OptionScenario.Write(places.Source, "solo", "alone\n", OptionScenario.Old);
        Directory.CreateDirectory(Path.Combine(places.Source, "x"));
        foreach (string twin in new[] { "b", "x/c" })
        {
            ProcessResult ln = await ToolProcess.RunAsync("ln", [Path.Combine(places.Source, "a"), Path.Combine(places.Source, twin)]);
            Assert.True(ln.ExitCode == 0, ln.Stderr);
        }
        Directory.SetLastWriteTimeUtc(Path.Combine(places.Source, "x"), OptionScenario.Old);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
        {
            Directory.CreateDirectory(root);
            ProcessResult copy = await ToolProcess.RunAsync("rsync", ["-aH", places.Source + "/", Path.Combine(root, "dest") + "/"]);
            Assert.True(copy.ExitCode == 0, copy.Stderr);
        }
        OptionScenario.Write(places.Source, "x/new", "new\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(places.Source, "x"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(places.Source, OptionScenario.Old);

        var (stock, ours) = await OptionScenario.RunBothAsync(daemon, places, options.Split(' '));
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(stock, ours));
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        string[] stockLines = OptionScenario.Output(stock, places.StockRoot).Split('\n');
        string[] ourLines = OptionScenario.Output(ours, places.OursRoot).Split('\n');
        if (way != InplaceAppendTests.Way.Push)
            Assert.Contains("x/c is uptodate", stockLines);
        foreach (Func<string, bool> kind in new Func<string, bool>[] { IsUpToDate, l => !IsUpToDate(l) })
            Assert.Equal(stockLines.Where(kind), ourLines.Where(kind));
        Assert.Equal(OptionScenario.Snapshot(places.StockRoot), OptionScenario.Snapshot(places.OursRoot));
    }

    private static bool IsUpToDate(string line) => line.EndsWith(" is uptodate", StringComparison.Ordinal);
}
