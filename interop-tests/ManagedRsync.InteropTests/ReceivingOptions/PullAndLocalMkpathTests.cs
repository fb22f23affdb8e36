using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --mkpath where our own receiving side makes the destination's missing parents (a pull from the stock daemon and a
/// local copy), beside stock rsync doing the same (main.c get_local_name, util1.c make_path): a whole tree, a lone
/// directory and a lone file into a destination whose parents are missing, partly there, or in the way; plain, with
/// a trailing '/', dry. The receiving tree after, the -i/-v output ("created N directories for ..."), the first error
/// line and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullAndLocalMkpathTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-mkpath-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string, string, bool> Rows()
    {
        var rows = new TheoryData<string, string, string, bool>();
        (string Options, string Leaf, string Dest)[] cases =
        [
            ("-a -i", "/", "new/a/b"), ("-a -i", "/", "new/a/b/"), ("-a -i", "/", "new"), ("-a -i", "/", "have/x"),
            ("-a -i", "/small.txt", "new/a/b"), ("-a -i", "/small.txt", "new/a/b/"), ("-a -i", "/small.txt", "new"),
            ("-a -i", "/sub", "new/a/b"), ("-a -v", "/", "new/a/b"), ("-a", "/", "new/a/b"), ("-a -i", "/", "have"),
            ("-a -i -n", "/", "new/a/b"), ("-a -i -n", "/small.txt", "new/a/b"), ("-a -i -n", "/", "new"),
            ("-a -i", "/small.txt", "blocker/x/y"), ("-a -i -n", "/small.txt", "blocker/x/y"), ("-a -i", "/", "blocker/x"),
        ];
        foreach ((string options, string leaf, string dest) in cases)
        {
            rows.Add(options, leaf, dest, true);
            rows.Add(options, leaf, dest, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, string leaf, string dest, bool pull)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id, "src") : Path.Combine(_work, "src");
        OptionScenario.WriteSource(source);
        string from = (pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/src" : source) + leaf;
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            // An existing directory to go on from, and a file where a parent would have to be.
            Directory.CreateDirectory(Path.Combine(root, "have"));
            OptionScenario.Write(root, "blocker", "a file, not a directory\n", OptionScenario.Old);
        }
        string[] args = [.. options.Split(' '), "--mkpath"];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, dest)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, dest)]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(dest.StartsWith("blocker", StringComparison.Ordinal) ? 11 : 0, ours.ExitCode);
        // Stock names the role that failed ("[Receiver] "); ours has one receiving side and names none.
        Assert.Equal(OptionScenario.FirstError(stock).Replace("[Receiver] ", "", StringComparison.Ordinal).Replace(stockRoot, "ROOT", StringComparison.Ordinal),
            OptionScenario.FirstError(ours).Replace(oursRoot, "ROOT", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }
}
