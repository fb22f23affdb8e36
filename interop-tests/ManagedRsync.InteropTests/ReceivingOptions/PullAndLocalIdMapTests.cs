using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --chown, --usermap and --groupmap where our own receiving side maps the sender's ids (a pull from the stock daemon
/// and a local copy; uidlist.c), beside stock rsync doing the same as root: names, wildcards, id ranges, the empty
/// name, id 0, --numeric-ids, an unknown local name (an error line, the run goes on) and malformed maps (exit 1). The
/// trees after (owner and group of every entry), the -i output, the first error line and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullAndLocalIdMapTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-idmap-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a --chown=bin:daemon", "-a --chown=daemon", "-a --chown=:sys", "-rt --chown=2:3", "-a --usermap=*:bin,root:daemon",
                     "-a --usermap=bin:sys,4000-5000:7,root:9 --groupmap=:8", "-a --usermap=b*:12,[d]aemon:13 --groupmap=0:14,daemon:bin",
                     "-a --usermap=:5", "-a --numeric-ids --usermap=:5,0:3", "-a --numeric-ids --groupmap=*:5", "-a --numeric-ids",
                     "-rt --usermap=0-10:6", "-a --usermap=root:nosuch", "-a --chown=nosuch:bin", "-a --usermap=abc",
                     "-a --usermap=root:", "-a --usermap=abc,1x:bin", "-a --groupmap=1-2-3:bin", "-a",
                 })
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
        string[] args = [.. options.Split(' '), "-i"];
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        OptionScenario.WriteSource(source);
        // Owners with names on both sides, one without a name, and root's.
        await ChownAsync("bin:daemon", Path.Combine(source, "same.txt"));
        await ChownAsync("daemon:bin", Path.Combine(source, "sub/inner.txt"));
        await ChownAsync("4321:4321", Path.Combine(source, "changed.txt"));
        await ChownAsync("sys:4322", Path.Combine(source, "sub"));
        Directory.SetLastWriteTimeUtc(source, OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        // An existing copy whose owners differ from the mapped ones: the map decides what is itemized as changed.
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            OptionScenario.WriteSource(Path.Combine(root, "dest"));
            await ChownAsync("bin:bin", Path.Combine(root, "dest", "small.txt"));
        }

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, "dest") + "/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(options.Contains("abc", StringComparison.Ordinal) || options.EndsWith(':') || options.Contains("1-2-3", StringComparison.Ordinal) ? 1 : 0,
            ours.ExitCode);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }

    private static async Task ChownAsync(string owner, string path)
    {
        ProcessResult r = await ToolProcess.RunAsync("chown", ["-h", owner, path]);
        Assert.True(r.ExitCode == 0, r.Stderr);
    }
}
