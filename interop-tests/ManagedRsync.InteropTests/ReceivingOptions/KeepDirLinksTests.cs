using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -K/--keep-dirlinks beside stock rsync 3.5.0 on a push (the stock daemon keeps the links), a pull and a local copy
/// (our generator): a symlink in the destination that leads to a directory inside it stands for the sender's
/// directory of that name (kept, its contents written through it); one that leads out of the destination, one to a
/// file and a dangling one are what stock makes of them. The receiving root (destination and the directory outside
/// it), the itemized output and the exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class KeepDirLinksTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-keepdirlinks-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-a -i -K", "-a -i -K --delete", "-a -i -K -n", "-a -i", "-rlt -i --keep-dirlinks");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        string src = places.Source;
        OptionScenario.Write(src, "sub/file.txt", "through the link\n", OptionScenario.Mid);
        OptionScenario.Write(src, "sub/deeper/x.txt", "deeper\n", OptionScenario.Mid);
        OptionScenario.Write(src, "tofile/y.txt", "a link to a file is in the way\n", OptionScenario.Mid);
        OptionScenario.Write(src, "dangling/z.txt", "a dangling link is in the way\n", OptionScenario.Mid);
        OptionScenario.Write(src, "plain.txt", "plain\n", OptionScenario.Mid);
        foreach (string dir in new[] { "sub/deeper", "sub", "tofile", "dangling", "." })
            Directory.SetLastWriteTimeUtc(Path.Combine(src, dir), OptionScenario.Old);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
        {
            string dest = Path.Combine(root, "dest");
            OptionScenario.Write(dest, "realsub/file.txt", "old\n", OptionScenario.Old);
            OptionScenario.Write(dest, "realsub/stale.txt", "only in the destination\n", OptionScenario.Old);
            OptionScenario.Write(dest, "target.txt", "a file\n", OptionScenario.Old);
            await OptionScenario.SymlinkAsync(dest, "sub", "realsub");
            await OptionScenario.SymlinkAsync(dest, "tofile", "target.txt");
            await OptionScenario.SymlinkAsync(dest, "dangling", "nowhere");
            foreach (string dir in new[] { "realsub", "." })
                Directory.SetLastWriteTimeUtc(Path.Combine(dest, dir), OptionScenario.Old);
        }

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, options.Split(' '));

        string snapshot = OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
        // The link was kept and written through, or (without -K, or with --delete) replaced by a directory.
        bool kept = options.Contains("-K", StringComparison.Ordinal) || options.Contains("--keep-dirlinks", StringComparison.Ordinal);
        kept &= !options.Contains("--delete", StringComparison.Ordinal);
        Assert.Equal(kept, snapshot.Contains("dest/sub link", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(InplaceAppendTests.Way.Pull)]
    [InlineData(InplaceAppendTests.Way.Local)]
    public async Task A_link_out_of_the_destination_is_what_stock_makes_of_it(InplaceAppendTests.Way way)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.Write(places.Source, "out/file.txt", "must land where stock puts it\n", OptionScenario.Mid);
        OptionScenario.Write(places.Source, "out/deep/g.txt", "deeper\n", OptionScenario.Mid);
        OptionScenario.Write(places.Source, "z.txt", "after the link\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(places.Source, "out/deep"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(places.Source, "out"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(places.Source, OptionScenario.Old);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
        {
            OptionScenario.Write(root, "outside/canary.txt", "outside the destination\n", OptionScenario.Old);
            Directory.CreateDirectory(Path.Combine(root, "dest"));
            await OptionScenario.SymlinkAsync(Path.Combine(root, "dest"), "out", "../outside");
            Directory.SetLastWriteTimeUtc(Path.Combine(root, "outside"), OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(Path.Combine(root, "dest"), OptionScenario.Old);
        }

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, ["-a", "-i", "-K"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(ErrorLines(stock, places.StockRoot), ErrorLines(ours, places.OursRoot));
        Assert.Equal(OptionScenario.Output(stock, places.StockRoot), OptionScenario.Output(ours, places.OursRoot));
        Assert.Equal(OptionScenario.Snapshot(places.StockRoot), OptionScenario.Snapshot(places.OursRoot));
        Assert.False(File.Exists(Path.Combine(places.OursRoot, "outside", "file.txt")));
    }

    // Every stderr line but the closing "rsync error:" one, with the root and the program's name taken off.
    private static string[] ErrorLines(ProcessResult r, string root) =>
        [.. r.Stderr.Replace(root, "ROOT", StringComparison.Ordinal).Split('\n')
            .Where(l => l.Length > 0 && !l.Contains(" error: ", StringComparison.Ordinal))
            .Select(l => l.StartsWith("mrsync: ", StringComparison.Ordinal) ? l[1..] : l)];
}
