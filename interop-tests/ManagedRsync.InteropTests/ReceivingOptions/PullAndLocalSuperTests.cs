using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --fake-super, --super and --no-super where our own receiving side acts on them (a pull from the stock daemon and a
/// local copy; options.c: am_root -1, 2, 0, the last one given), beside stock rsync doing the same: with --fake-super
/// owner, group, full mode and device numbers go into the user.rsync.%stat xattr and symlinks and devices become
/// regular files (xattrs.c: set_stat_xattr); --no-super as root sets no owner and makes no device. The trees (without
/// times: stock's fake-super receiver does not always set a fake symlink's or device's time), their xattrs, the -i
/// output and the exit code must be equal. A push with --fake-super sends what the source's xattrs say (the client's
/// sender: xattrs.c, x_lstat), and --super on a push is sent to the server (server_options: am_root > 1).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullAndLocalSuperTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-super-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[] { "--fake-super", "--no-super", "--super", "--fake-super --no-super", "--no-super --fake-super", "--super --fake-super" })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, bool pull)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = FakeSuperTrees.Write(pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src"));
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockDest = Path.Combine(_work, "stock"), oursDest = Path.Combine(_work, "ours");
        string[] args = ["-aHi", .. options.Split(' '), from];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, stockDest + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, oursDest + "/"]);
        AssertSame(stock, ours, stockDest, oursDest);
        Assert.Equal(0, ours.ExitCode);
        if (options.EndsWith("--fake-super", StringComparison.Ordinal))
            Assert.Contains("rel-link \"120777 0,0 ", FakeSuperTrees.StatXattrs(oursDest));

        // Again: nothing changed is itemized but what stock itemizes (the fake stat compares equal to the list).
        stock = await daemon.RunRsyncAsync([.. args, stockDest + "/"]);
        ours = await daemon.RunMrsyncAsync([.. args, oursDest + "/"]);
        AssertSame(stock, ours, stockDest, oursDest);
    }

    [Fact]
    public async Task A_push_with_fake_super_sends_what_the_xattrs_say()
    {
        // A fake-super copy made by stock, pushed with --fake-super by each client to a real module: the module gets
        // the original owners, modes, links and devices back.
        string original = FakeSuperTrees.Write(Path.Combine(_work, "original"));
        string fake = Path.Combine(_work, "fake");
        ProcessResult made = await daemon.RunRsyncAsync(["-aH", "--fake-super", original + "/", fake + "/"]);
        Assert.True(made.ExitCode == 0, made.ToString());
        string id = Guid.NewGuid().ToString("N");
        string stockDest = Path.Combine(daemon.ModulePath(DaemonModules.Open), id, "stock");
        string oursDest = Path.Combine(daemon.ModulePath(DaemonModules.Open), id, "ours");
        Directory.CreateDirectory(Path.GetDirectoryName(stockDest)!);
        ProcessResult stock = await daemon.RunRsyncAsync(["-aHi", "--fake-super", fake + "/", $"{daemon.Url}{DaemonModules.Open}/{id}/stock/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync(["-aHi", "--fake-super", fake + "/", $"{daemon.Url}{DaemonModules.Open}/{id}/ours/"]);
        AssertSame(stock, ours, stockDest, oursDest, id + "/stock", id + "/ours");
        Assert.Equal(0, ours.ExitCode);
        if (FakeSuperTrees.IsRoot)
            Assert.Equal(TreeSnapshot.Of(original, times: false), TreeSnapshot.Of(oursDest, times: false));
    }

    private void AssertSame(ProcessResult stock, ProcessResult ours, string stockDest, string oursDest,
        string stockShown = "", string oursShown = "")
    {
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        (string stockLines, string stockSkips) = SkipsApart(Shown(OptionScenario.Output(stock, stockDest), stockShown));
        (string oursLines, string oursSkips) = SkipsApart(Shown(OptionScenario.Output(ours, oursDest), oursShown));
        Assert.Equal(stockLines, oursLines);
        Assert.Equal(stockSkips, oursSkips);
        Assert.Equal(TreeSnapshot.Of(stockDest, times: false), TreeSnapshot.Of(oursDest, times: false));
        Assert.Equal(FakeSuperTrees.StatXattrs(stockDest), FakeSuperTrees.StatXattrs(oursDest));
    }

    // A receiver without super-user rights says "skipping non-regular file" for each device (generator.c:
    // recv_generator, INFO NONREG); where those lines fall among the itemized ones differs from one stock run to the
    // next (its generator's lines and its receiver's share the output as the two processes go), so they are compared
    // apart, sorted.
    private static (string Lines, string Skips) SkipsApart(string output)
    {
        string[] lines = output.Split('\n');
        bool IsSkip(string l) => l.StartsWith("skipping non-regular file ", StringComparison.Ordinal);
        return (string.Join('\n', lines.Where(l => !IsSkip(l))), string.Join('\n', lines.Where(IsSkip).Order(StringComparer.Ordinal)));
    }

    // A push's "created directory" names the module path the client gave.
    private static string Shown(string output, string shown) =>
        shown.Length == 0 ? output : output.Replace(shown, "DEST", StringComparison.Ordinal);
}
