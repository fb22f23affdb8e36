using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -d/--dirs (directories without recursion) beside stock rsync 3.5.0 doing the same: a push to the stock daemon (our
/// sender lists one level, subdirectories without their contents, and tells the server 'd'), a pull from it (stock's
/// sender lists, our generator makes the directories) and a local copy. "SRC/" sends SRC's entries, "SRC/sub" the
/// directory alone; with --delete only the content directory is cleaned. Trees, itemized output, first stderr line
/// and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class DirsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-dirs-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string, InplaceAppendTests.Way> Rows()
    {
        var rows = new TheoryData<string, string, InplaceAppendTests.Way>();
        foreach ((string options, string leaf) in new[]
                 {
                     ("-dt", "/"), ("-dlt", "/"), ("-dlpt --delete", "/"), ("-dt", "/sub"), ("-lt", "/"), ("-d --no-d -t", "/"),
                     ("-a --dirs", "/"), ("-dt --existing", "/"),
                 })
        {
            foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
                rows.Add(options, leaf, way);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, string leaf, InplaceAppendTests.Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        WriteDestination(Path.Combine(places.StockRoot, "dest"));
        WriteDestination(Path.Combine(places.OursRoot, "dest"));
        string from = places.From(leaf);
        string stockRoot = places.StockRoot, oursRoot = places.OursRoot;

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, places.To(stock: false)]);

        OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot, exitCode: stock.ExitCode);
    }

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "top.txt", "top level\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/inner.txt", "not sent without -r\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/deeper/deep.txt", "nor this\n", OptionScenario.Mid);
        OptionScenario.Write(root, "empty/.keep", "", OptionScenario.Mid);
        File.Delete(Path.Combine(root, "empty/.keep"));
        await OptionScenario.SymlinkAsync(root, "link", "top.txt");
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub/deeper"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "empty"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static void WriteDestination(string root)
    {
        OptionScenario.Write(root, "extra.txt", "only on the receiver\n", OptionScenario.Old);
        OptionScenario.Write(root, "sub/kept.txt", "inside a directory sent without contents\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
