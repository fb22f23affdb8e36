using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP end a transfer as stock's do (rsync main.c: sig_int -> exit_cleanup(RERR_SIGNAL)): at
/// once, exit 20, "received SIGINT, SIGTERM, or SIGHUP (code 20)", and the receiver's temporary file removed. Stock's
/// client and the mrsync executable (signals are the process's) each run the same command in push, pull and local-copy
/// position, with --bwlimit so that the one large file is still on its way when the signal comes: the signal is sent
/// once the receiver's temporary file exists.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class SignalTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-signal-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<InplaceAppendTests.Way, string> EverySignal()
    {
        var rows = new TheoryData<InplaceAppendTests.Way, string>();
        foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
        {
            foreach (string signal in (string[])["INT", "TERM", "HUP"])
                rows.Add(way, signal);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(EverySignal))]
    public async Task A_signalled_transfer_stops_at_once_as_stock_does(InplaceAppendTests.Way way, string signal)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        LongTransfer.WriteSource(places.Source);
        Directory.CreateDirectory(places.StockRoot);
        Directory.CreateDirectory(places.OursRoot);
        string[] args = ["-a", "--bwlimit=20", places.From()];

        SignalledRun stock = await LongTransfer.SignalAsync(daemon.RsyncPath, [.. args, places.To(stock: true)], Path.Combine(places.StockRoot, "dest"), signal);
        SignalledRun ours = await LongTransfer.SignalAsync(MrsyncDaemonFixture.Executable, [.. args, places.To(stock: false)], Path.Combine(places.OursRoot, "dest"), signal);

        string explain = $"stock: {stock}\nours: {ours}";
        Assert.True(stock.Code == 20, explain);
        Assert.True(ours.Code == stock.Code, explain);
        const string Line = "error: received SIGINT, SIGTERM, or SIGHUP (code 20)";
        Assert.Contains("rsync " + Line, stock.Stderr, StringComparison.Ordinal);
        // Stock's one line of its own (its remote or forked halves may add theirs); ours has nothing else to say.
        Assert.Equal("mrsync " + Line + "\n", ours.Stderr);
        // Nothing was left: no temporary file and no half file (the whole file takes over three minutes at the limit).
        Assert.Equal(stock.Left, ours.Left);
        Assert.Empty(ours.Left);
    }
}
