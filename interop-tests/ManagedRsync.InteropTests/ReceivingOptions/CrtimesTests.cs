using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -N/--crtimes beside stock rsync 3.5.0, which on Linux is built without it ("no crtimes" in -V): the client stops at
/// the option with "This rsync does not support --crtimes (-N)" and exit 1 in every direction, before connecting; the
/// negations are accepted; and when the option reaches a stock daemon anyway (-M--crtimes) the daemon answers "The
/// server is configured to refuse --crtimes (-N)": exit 4 on a push, and on a pull the connection's end (exit 10).
/// Exit code, first stderr line and the daemon's line must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class CrtimesTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-crtimes-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -N", "-aN", "--crtimes -a", "-a -N --no-such-option", "-a --no-such-option -N", "-a -N --no-crtimes",
        "-a --munge-links -N", "-a -N --no-N -i", "-a --no-crtimes -i", "-a --no-N -i");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        (ProcessResult stock, ProcessResult ours, OptionScenario.Places places) = await RunBothAsync(options, way);

        // popt stops at the first option it refuses or does not know (options.c: parse_arguments), before connecting.
        int expected = options.Split(' ').Any(word => word is "-N" or "-aN" or "--crtimes") ? 1 : 0;
        Assert.True(stock.ExitCode == expected && ours.ExitCode == expected, daemon.Explain(stock, ours));
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(OptionScenario.Snapshot(places.StockRoot), OptionScenario.Snapshot(places.OursRoot));
        Assert.Equal(OptionScenario.Output(stock, places.StockRoot), OptionScenario.Output(ours, places.OursRoot));
        if (expected == 1 && !options.Contains("--no-such-option -N", StringComparison.Ordinal))
            Assert.Equal("This rsync does not support --crtimes (-N)", OptionScenario.FirstError(ours));
    }

    [Theory]
    [InlineData("-a -M--crtimes", InplaceAppendTests.Way.Push)]
    [InlineData("-a -M--crtimes", InplaceAppendTests.Way.Pull)]
    [InlineData("-a -M-N", InplaceAppendTests.Way.Push)]
    [InlineData("-a -M-N", InplaceAppendTests.Way.Pull)]
    public async Task A_stock_daemon_refuses_it_as_for_stock(string options, InplaceAppendTests.Way way)
    {
        (ProcessResult stock, ProcessResult ours, _) = await RunBothAsync(options, way);

        // clientserver.c: rsync_module parses the client's words with am_daemon set (options.c: create_refuse_error);
        // the receiving daemon's exit 4 reaches a pushing client, a pull sees the sending daemon hang up (exit 10).
        int expected = way == InplaceAppendTests.Way.Push ? 4 : 10;
        Assert.True(stock.ExitCode == expected && ours.ExitCode == expected, daemon.Explain(stock, ours));
        const string refusal = "rsync: The server is configured to refuse --crtimes (-N)";
        Assert.Contains(refusal, stock.Stderr, StringComparison.Ordinal);
        Assert.Contains(refusal, ours.Stderr, StringComparison.Ordinal);
    }

    private async Task<(ProcessResult Stock, ProcessResult Ours, OptionScenario.Places Places)> RunBothAsync(string options, InplaceAppendTests.Way way)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.WriteSource(places.Source);
        Directory.CreateDirectory(Path.Combine(places.StockRoot, "dest"));
        Directory.CreateDirectory(Path.Combine(places.OursRoot, "dest"));
        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, options.Split(' '));
        return (stock, ours, places);
    }
}
