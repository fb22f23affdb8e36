using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// Issue 11's receiving-side options on a push: stock rsync and mrsync push the same source with the same command line
/// into two identical receiving trees on the stock daemon; the trees after (incl. backups, hard-link groups made by
/// --link-dest, modes and file mtimes), the itemized output, the first error line and the exit code must be equal.
/// On a push these options are the daemon's work: what mrsync must get right is what it sends (held byte for byte by
/// ServerArgumentParityTests), the filter rule it adds (-b with --delete) and what it makes of the daemon's answer
/// (--max-delete's exit 25).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PushReceivingOptionTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-recvopt-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Each row: the options (the destination is "dest/" under the receiving tree), and the exit code stock gives.</summary>
    public static TheoryData<string, int> Rows => new()
    {
        { "-a --delete -b", 0 },
        { "-a --delete -b --suffix=.old", 0 },
        { "-a --delete --backup-dir=../bak", 0 },
        { "-a --delete --backup-dir=../bak --suffix=.bak", 0 },
        { "-a --link-dest=../yesterday", 0 },
        { "-a --compare-dest=../yesterday", 0 },
        { "-a --copy-dest=../yesterday", 0 },
        { "-a --link-dest=../nonexistent --link-dest=../yesterday", 0 },
        // Stock's client exits 0 on a push that hits the limit: the daemon's receiver exits 25 on its side and says
        // "Deletions stopped due to --max-delete limit (N skipped)" over the wire (a pull or local copy exits 25).
        { "-a --delete --max-delete=2", 0 },
        { "-a --delete --max-delete=0", 0 },
        { "-a --delete --max-delete=100", 0 },
        { "-a -u", 0 },
        { "-a --existing", 0 },
        { "-a --ignore-existing", 0 },
        { "-a --max-size=100", 0 },
        { "-a --min-size=10", 0 },
        { "-a --partial-dir=.part", 0 },
        { "-a --delay-updates", 0 },
        { "-a --delete --ignore-errors --force", 0 },
        { "-a -S --preallocate --fsync", 0 },
        { "-a -y", 0 },
        { "-a --size-only --modify-window=2", 0 },
        { "-a -@-1", 0 },
        { "-a --checksum-seed=42 --no-W", 0 },
        // Only 0 (unlimited) is ours: a limit is refused by name (DaemonServer/MaxAllocTests).
        { "-a --max-alloc=0", 0 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task PushGivesStocksResult(string options, int exitCode)
    {
        string[] args = [.. options.Split(' '), "-i"];
        string source = Path.Combine(_work, "src");
        OptionScenario.WriteSource(source);
        string id = Guid.NewGuid().ToString("N");
        string module = daemon.ModulePath(DaemonModules.Open);
        string stockRoot = Path.Combine(module, id, "stock"), oursRoot = Path.Combine(module, id, "ours");
        OptionScenario.WriteReceiver(stockRoot);
        OptionScenario.WriteReceiver(oursRoot);

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, source + "/", $"{daemon.Url}{DaemonModules.Open}/{id}/stock/dest/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, source + "/", $"{daemon.Url}{DaemonModules.Open}/{id}/ours/dest/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == exitCode, $"stock rsync's exit code is not {exitCode}\n{explain}");
        Assert.True(ours.ExitCode == exitCode, $"mrsync's exit code is not {exitCode}\n{explain}");
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(stock.Stderr.Contains("--max-delete limit", StringComparison.Ordinal), ours.Stderr.Contains("--max-delete limit", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }

    [Fact]
    public async Task DailySnapshotWithLinkDestHasStocksLinkStructure()
    {
        // The backup script's pattern: today/ is pushed with --link-dest=../yesterday; unchanged files are hard links
        // into yesterday/, changed ones new files. The snapshot of the whole receiving tree names each link group.
        string source = Path.Combine(_work, "src");
        OptionScenario.WriteSource(source);
        string id = Guid.NewGuid().ToString("N");
        string module = daemon.ModulePath(DaemonModules.Open);
        foreach (string side in new[] { "stock", "ours" })
            OptionScenario.WriteVersionOne(Path.Combine(module, id, side, "yesterday"));

        string[] args = ["-a", "--delete", "--link-dest=../yesterday", source + "/"];
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/{id}/stock/today/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/{id}/ours/today/"]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(stock, ours));
        string snapshot = OptionScenario.Snapshot(Path.Combine(module, id, "ours"));
        Assert.Equal(OptionScenario.Snapshot(Path.Combine(module, id, "stock")), snapshot);
        Assert.Contains("today/same.txt file 644", snapshot);
        Assert.Contains("links=today/same.txt", snapshot);
    }
}
