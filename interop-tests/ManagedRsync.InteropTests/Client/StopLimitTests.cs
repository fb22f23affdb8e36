using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// --stop-after=MINS (--time-limit) and --stop-at=WHEN against stock rsync 3.5.0: the values each accepts and its words
/// for the ones it does not (options.c: OPT_STOP_AFTER, OPT_STOP_AT, parse_time), and what a run does when the moment
/// comes (io.c: perform_io, "stopping at requested limit"): exit code, message and what is left in the destination,
/// for a push, a pull and a local copy. What the client sends the server for them (nothing) is held by
/// ServerArgumentParityTests.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class StopLimitTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-stop-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("--stop-after=0")]
    [InlineData("--stop-after=-1")]
    [InlineData("--stop-after=abc")]
    [InlineData("--stop-after=")]
    [InlineData("--stop-after=99999999999999999999")]
    [InlineData("--stop-after=5abc")]
    [InlineData("--stop-after= 3")]
    [InlineData("--stop-after=1.5")]
    [InlineData("--stop-after=99999999999999999")]
    [InlineData("--time-limit=0")]
    [InlineData("--time-limit=10")]
    [InlineData("--stop-at=2099-01-01T00:00")]
    [InlineData("--stop-at=2099-1-1")]
    [InlineData("--stop-at=2099/12/31T23:59")]
    [InlineData("--stop-at=99-12-31")]
    [InlineData("--stop-at=2099-02-29")]
    [InlineData("--stop-at=12/31")]
    [InlineData("--stop-at=12-31T")]
    [InlineData("--stop-at=23:59")]
    [InlineData("--stop-at=T23:59")]
    [InlineData("--stop-at=t0:0")]
    [InlineData("--stop-at=:5")]
    [InlineData("--stop-at=31")]
    [InlineData("--stop-at=99999-01-01")]
    [InlineData("--stop-at=2020-01-01")]
    [InlineData("--stop-at=2026-02-30")]
    [InlineData("--stop-at=13:70")]
    [InlineData("--stop-at=24:00")]
    [InlineData("--stop-at=T5")]
    [InlineData("--stop-at=99")]
    [InlineData("--stop-at=2099-13-01")]
    [InlineData("--stop-at=2099-00-10")]
    [InlineData("--stop-at=1-2-3-4")]
    [InlineData("--stop-at=5:30:10")]
    [InlineData("--stop-at=2099-01-01 00:00")]
    [InlineData("--stop-at=junk")]
    [InlineData("--stop-at=")]
    [InlineData("--stop-at=:")]
    [InlineData("--stop-at=T")]
    public async Task A_value_is_taken_or_refused_as_stock_does(string option)
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.txt"), "a\n");
        // A dry run: a value taken changes nothing and ends at once, well before any limit.
        string[] args = ["-n", "-r", option, src + "/", Path.Combine(_work, "dest") + "/"];
        ProcessResult stock = await daemon.RunRsyncAsync(args);
        ProcessResult ours = await daemon.RunMrsyncAsync(args);
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, explain);
        Assert.True(FirstLine(stock.Stderr) == FirstLine(ours.Stderr), explain);
        Assert.False(Directory.Exists(Path.Combine(_work, "dest")));
    }

    // One run each of stock and mrsync per direction, all six at once: each lasts the one minute --stop-after allows.
    [Fact]
    public async Task At_the_limit_a_transfer_stops_as_stock_does()
    {
        var runs = new List<(InplaceAppendTests.Way Way, Task<SignalledRun> Stock, Task<SignalledRun> Ours)>();
        foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
        {
            // Each direction its own roots: a pull's and a local copy's would otherwise share _work/stock/dest, and the
            // two stock runs racing to make it failed one with "mkdir ... failed" (seen in CI).
            var places = OptionScenario.Places.For(daemon, Directory.CreateDirectory(Path.Combine(_work, way.ToString())).FullName, way);
            LongTransfer.WriteSource(places.Source);
            Directory.CreateDirectory(places.StockRoot);
            Directory.CreateDirectory(places.OursRoot);
            string[] args = ["-a", "--bwlimit=20", "--stop-after=1", places.From()];
            runs.Add((way,
                LongTransfer.RunAsync(daemon.RsyncPath, [.. args, places.To(stock: true)], Path.Combine(places.StockRoot, "dest")),
                LongTransfer.RunAsync(MrsyncDaemonFixture.Executable, [.. args, places.To(stock: false)], Path.Combine(places.OursRoot, "dest"))));
        }
        foreach (var (way, stockRun, oursRun) in runs)
        {
            SignalledRun stock = await stockRun, ours = await oursRun;
            string explain = $"{way}\nstock: {stock}\nours: {ours}";
            Assert.Contains("stopping at requested limit\n", stock.Stderr, StringComparison.Ordinal);
            Assert.Contains("rsync error: timeout in data send/receive (code 30)", stock.Stderr, StringComparison.Ordinal);
            if (way == InplaceAppendTests.Way.Pull)
            {
                // Stock's pull is two processes: the receiver, reading all the time, meets the limit (30) and the
                // generator, the client's exit code, then finds it gone (12). The generator sleeps in a 60-second select
                // (io.c: SELECT_TIMEOUT) that ends just after the limit, so on a loaded machine it can meet the limit
                // first (30). mrsync stops as the first, usual case.
                Assert.True(stock.Code is 12 or 30, explain);
                Assert.True(ours.Code == 12, explain);
                Assert.True(ours.Stderr == "stopping at requested limit\nmrsync error: timeout in data send/receive (code 30)\n"
                    + "mrsync: connection unexpectedly closed [generator]\nmrsync error: error in rsync protocol data stream (code 12)\n", explain);
            }
            else
            {
                Assert.True(stock.Code == 30, explain);
                Assert.True(ours.Code == 30, explain);
                Assert.True(ours.Stderr == "stopping at requested limit\nmrsync error: timeout in data send/receive (code 30)\n", explain);
            }
            // Not at the end of the file (4 MB take over three minutes at the limit).
            Assert.True(!stock.Left.Contains("big.bin") && !ours.Left.Contains("big.bin"), explain);
            // No temporary file left on a push (the daemon's receiver removes it) or in a local copy. On a pull stock's
            // receiver sometimes leaves it (its exit_cleanup, entered from perform_io, seen both ways) and so does ours.
            if (way != InplaceAppendTests.Way.Pull)
                Assert.True(stock.Left.Length == 0 && ours.Left.Length == 0, explain);
            // The limit is a minute from the start, counted in whole seconds (options.c: time(NULL) + 60).
            Assert.True(ours.Elapsed > TimeSpan.FromSeconds(58), explain);
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
