using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

// --info=misc2 (io.c: read_a_msg, MSG_IO_TIMEOUT): a daemon with a module "timeout" tells a protocol-31 client its
// value (main.c: start_server); a client without a --timeout, or with a longer one, takes it and says "Setting
// --timeout=N to match server" at MISC2 (-vv sets it). Both daemons send it alike (stock's client beside each), and
// mrsync's client says what stock's does (beside stock's client, against the stock daemon).
public sealed partial class ModuleParameterTests
{
    public static TheoryData<string, bool> TimeoutRows() => new()
    {
        { "-rl --info=misc2", true },
        { "-rlv --info=misc2 --timeout=600", true },
        { "-rlv --info=misc2 --timeout=100", false },
        { "-rlv --info=misc2 --timeout=300", false },
        { "-rl --info=misc2 --protocol=30", false },
        { "-rlv --info=misc1", false },
    };

    private string TimedSource()
    {
        string src = Path.Combine(_work, "timed-src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "a.txt"), "a\n");
        File.WriteAllText(Path.Combine(src, "sub", "b.txt"), "b\n");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "a.txt");
        return src;
    }

    // -vv sets MISC2 (options.c: info_verbosity[2]); an explicit --info=misc2 would be sent to the server, whose
    // --info mrsync's daemon does not take yet.
    [Theory]
    [InlineData("-rlvv", true)]
    [InlineData("-rlvv --timeout=100", false)]
    [InlineData("-rlvv --protocol=30", false)]
    public async Task BothDaemonsTellAClientTheirTimeout(string args, bool said)
    {
        string src = TimedSource();
        var pushed = await BothAsync(d => [.. args.Split(' '), src + "/", d.Url + $"{ParameterModules.Timed}/{_id}/"]);
        var pulled = await BothAsync(d => [.. args.Split(' '), d.Url + $"{ParameterModules.Timed}/{_id}/", Local(d) + "/"]);
        // -vv's other lines tell each daemon's own story (ports, debug lines): the timeout's line is compared.
        foreach (var (theirs, mine) in new[] { pushed, pulled })
        {
            Assert.True(theirs.ExitCode == 0 && mine.ExitCode == 0, stock.Explain(mine, theirs));
            Assert.Equal(said ? ["Setting --timeout=300 to match server"] : [], TimeoutLines(theirs.Stdout));
            Assert.Equal(TimeoutLines(theirs.Stdout), TimeoutLines(mine.Stdout));
        }

        static string[] TimeoutLines(string stdout) => [.. stdout.Split('\n').Where(l => l.Contains("to match server", StringComparison.Ordinal))];
    }

    [Theory]
    [MemberData(nameof(TimeoutRows))]
    public async Task MrsyncTakesTheStockDaemonsTimeoutAsStocksClientDoes(string args, bool said)
    {
        string src = TimedSource();
        string url = stock.Url + $"{ParameterModules.Timed}/{_id}";
        string back = Path.Combine(_work, "back");
        var stockPush = await stock.RunRsyncAsync([.. args.Split(' '), src + "/", url + "-stock/"]);
        var ourPush = await stock.RunMrsyncAsync([.. args.Split(' '), src + "/", url + "-ours/"]);
        var stockPull = await stock.RunRsyncAsync([.. args.Split(' '), url + "-stock/", back + "-stock/"]);
        var ourPull = await stock.RunMrsyncAsync([.. args.Split(' '), url + "-ours/", back + "-ours/"]);
        foreach (var (theirs, mine) in new[] { (stockPush, ourPush), (stockPull, ourPull) })
        {
            Assert.True(theirs.ExitCode == 0 && mine.ExitCode == 0, stock.Explain(mine, theirs));
            Assert.Equal(Unnamed(theirs.Stdout), Unnamed(mine.Stdout));
            Assert.Equal(theirs.Stderr, mine.Stderr);
            Assert.Equal(said, mine.Stdout.Contains("Setting --timeout=300 to match server\n", StringComparison.Ordinal));
        }

        string Unnamed(string text) => Normalize(text.Replace("-stock", "-X", StringComparison.Ordinal).Replace("-ours", "-X", StringComparison.Ordinal));
    }
}
