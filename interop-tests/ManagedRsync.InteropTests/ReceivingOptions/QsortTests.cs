using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --qsort beside stock rsync 3.5.0 doing the same. What a user sees of it: no incremental recursion (compat.c:
/// set_allow_inc_recurse), so -v says "building file list ... done"; the list's order is the same (flist.c: fsort sorts
/// by the same comparison with qsort(3) instead of a merge sort); and to a daemon the option
/// goes as "--use-qsort", which no rsync knows, so a push ends with exit 4 and a pull with exit 10 as stock's do.
/// Trees, output, first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class QsortTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-qsort-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-rtv --qsort", "-a -i --qsort --delete", "-a -i --qsort --no-i-r", "-rtv --qsort --i-r");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        var (places, stock, ours) = await OptionScenario.RunSeededAsync(daemon, _work, way, options);
        int expected = way switch { InplaceAppendTests.Way.Push => 4, InplaceAppendTests.Way.Pull => 10, _ => 0 };
        if (way == InplaceAppendTests.Way.Local)
        {
            OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot, exitCode: expected);
        }
        else
        {
            // The daemon's refusal, relayed by either client, and nothing changed. On a pull both clients have printed
            // -v's "receiving file list ... " before the refusal arrives (flist.c: start_filelist_progress), and the
            // refusal starts on a new line of stderr (log.c: rwrite pays output_needs_newline). Not compared: the
            // connection-reset line after the refusal is worded by each client.
            Assert.True(stock.ExitCode == expected && ours.ExitCode == expected, daemon.Explain(stock, ours));
            string refusal = (way == InplaceAppendTests.Way.Pull && options.Contains('v', StringComparison.Ordinal) ? "\n" : "")
                + "rsync: on remote machine: --use-qsort: unknown option\n";
            Assert.StartsWith(refusal, stock.Stderr, StringComparison.Ordinal);
            Assert.StartsWith(refusal, ours.Stderr, StringComparison.Ordinal);
            Assert.Equal(stock.Stdout, ours.Stdout);
            Assert.Equal(OptionScenario.Snapshot(places.StockRoot), OptionScenario.Snapshot(places.OursRoot));
        }
        if (way == InplaceAppendTests.Way.Local && options.Contains("-rtv", StringComparison.Ordinal))
            Assert.StartsWith("building file list ... done", ours.Stdout, StringComparison.Ordinal);
    }
}
