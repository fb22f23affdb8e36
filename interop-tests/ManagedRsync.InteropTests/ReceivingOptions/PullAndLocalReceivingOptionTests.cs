using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// Issue 11's receiving-side options where our own generator does them: a pull from the stock daemon and a local copy,
/// each beside stock rsync doing the same (same command line, identical starting trees); the trees after, the
/// itemized output, the first error line and the exit code must be equal (--max-delete's 25 included); backups
/// (-b, --suffix, --backup-dir with its directories) included.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullAndLocalReceivingOptionTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-recvopt-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a -u", "-a --existing", "-a --ignore-existing", "-a --max-size=100", "-a --min-size=10",
                     "-a --max-size=1k --min-size=4", "-a --modify-window=2", "-a -@-1", "-a -u --modify-window=5",
                     "-a --delete --existing", "-a --ignore-existing --delete", "-a --size-only --modify-window=3",
                     "-a --delete --max-delete=2", "-a --delete --max-delete=0", "-a --delete --max-delete=100",
                     "-a --delete-after --max-delete=1", "-a --delete-delay --max-delete=3", "-a --delete --ignore-errors",
                     // The seed both sides' block and file sums use (the server sends it: compat.c setup_protocol).
                     "-a -I --no-W --checksum-seed=5", "-a -I --no-W --checksum-seed=-300",
                 })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        foreach (string options in new[]
                 {
                     "-a -b", "-a --delete -b", "-a --delete -b --suffix=.old", "-a --delete-after -b --max-delete=2",
                     "-a --delete --delete-excluded --exclude=extra1.txt -b", "-a --delete --backup-dir=../bak",
                     "-a --delete --backup-dir=../bak --suffix=.bak", "-a --backup-dir=bak", "-a --delete-after --backup-dir=../bak/",
                     "-a -n --delete --backup-dir=../bak", "-rt --delete --backup-dir=../deep/er/bak",
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
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        OptionScenario.WriteReceiver(stockRoot);
        OptionScenario.WriteReceiver(oursRoot);

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, "dest") + "/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(stock.Stderr.Contains("--max-delete limit", StringComparison.Ordinal), ours.Stderr.Contains("--max-delete limit", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }
}
