using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --out-format (and its old name --log-format) next to stock rsync 3.5.0: every escape log.c log_formatted knows, with
/// widths, '-' and apostrophes, for a local copy (reported by the sender: %o "send", %f with the source directory), a
/// push to the stock daemon and a pull from it (%o "recv"), deletions (the format with %i or %o, else "deleting %n"),
/// and what -i and -v do beside a format. %t and %p (the clock and the process id) are compared by shape.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class OutFormatTests(RsyncDaemonFixture daemon) : IDisposable
{
    // Every escape but %t and %p, which differ between any two runs; %h %a %P %u are a daemon's own and stay as written
    // on a client, %m is empty there, %x is no escape.
    private const string AllEscapes =
        "[%o|%f|%n|%L|%l|%U|%G|%B|%M|%i|%%|%-8n|%10l|%'l|%''l|%'''l|%x|%5L|%-6o|%h|%a|%m|%4m|%P|%u|%-3i|%12f]";

    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    public static TheoryData<string> Formats() => new()
    {
        AllEscapes,
        "%n%L",
        "%i %n%L",
        "%o %n",
        "%n [%l]",
        "100%% %n",
        "%",
        "%-%n%",
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task LocalCopyPrintsWhatStockPrints(string format)
    {
        LocalSource.CreateSample(_pair.Source);
        LocalSource.AddHardLinks(_pair.Source);
        var outcome = await _pair.RunAsync(["-aH", "--out-format=" + format]);
        outcome.AssertExit(0).AssertSame();
        Assert.NotEqual("", outcome.Ours.Stdout);
    }

    [Theory]
    [InlineData("-a", "--log-format=%f|%n")]
    [InlineData("-ai", "--out-format=%n")]
    [InlineData("-av", "--out-format=%o:%n")]
    [InlineData("-avi", "--out-format=%i:%n")]
    [InlineData("-aii", "--out-format=%i:%n")]
    public async Task ItemizeAndVerboseBesideAFormat(string flags, string format)
    {
        LocalSource.CreateSample(_pair.Source);
        await _pair.RunAsync(["-a"]);
        LocalSource.Edit(_pair.Source);
        (await _pair.RunAsync([flags, format])).AssertExit(0).AssertSame();
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("", false)]
    [InlineData("/./", true)]
    [InlineData("//", true)]
    public async Task FullPathNamesTheSourceDirectory(string tail, bool contents)
    {
        LocalSource.CreateSample(_pair.Source);
        // "dir/./" and "dir//" come out cleaned (util1.c: clean_fname), without the leading '/'.
        string from = tail == "/./" ? _pair.Root + "/./src/" : _pair.Source + tail;
        var outcome = await _pair.RunAsync(["-a", "--out-format=%f|%n"], from: from);
        outcome.AssertExit(0).AssertSame(rootTimes: contents);
        Assert.Contains(_pair.Source.TrimStart('/') + (contents ? "/a.txt|a.txt\n" : "/a.txt|src/a.txt\n"), outcome.Ours.Stdout,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-a --delete --out-format=%i|%o|%f|%n|%B|%l|%M|%U|%G|%L.")]
    [InlineData("-a --delete --out-format=%n")]
    [InlineData("-ai --delete --out-format=%n")]
    [InlineData("-a --delete --out-format=%o:%n")]
    public async Task DeletionsUseTheFormatOnlyWithIOrO(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "gone.txt", "x");
            LocalSource.Write(dest, "gone-dir/inner", "y");
        }
        (await _pair.RunAsync(args.Split(' '))).AssertExit(0).AssertSame();
    }

    [Fact]
    public async Task TimeAndProcessIdHaveStocksShape()
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(["-a", "--out-format=%t|%p|%n"]);
        outcome.AssertExit(0);
        foreach (string stdout in new[] { outcome.Stock.Stdout, outcome.Ours.Stdout })
        {
            string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("created directory", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.Matches(TimePidName(), l));
            // One process prints every line: one pid.
            Assert.Single(lines.Select(l => l.Split('|')[1]).Distinct());
        }
    }

    [Theory]
    [InlineData(AllEscapes, false)]
    [InlineData(AllEscapes, true)]
    [InlineData("%i:%o:%n", true)]
    public async Task PushToTheStockDaemonPrintsWhatStockPrints(string format, bool delete)
    {
        string src = SourceTree.Create(Path.Combine(_sandbox.Root, "src"), hardLinks: true);
        (string stockName, string oursName) = DaemonOutputRuns.PushDestinations(daemon, "of", delete);
        string[] args = ["-aH", "--out-format=" + format, .. delete ? new[] { "--delete" } : [], src + "/"];
        var stock = await daemon.RunRsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        var ours = await daemon.RunMrsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/{oursName}/"]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
        Assert.Equal(Lines(stock.Stdout.Replace(stockName, "DEST", StringComparison.Ordinal)),
            Lines(ours.Stdout.Replace(oursName, "DEST", StringComparison.Ordinal)));
        Assert.Equal(stock.Stderr, ours.Stderr);
    }

    [Theory]
    [InlineData(AllEscapes, false)]
    [InlineData(AllEscapes, true)]
    [InlineData("%o %n", true)]
    public Task PullFromTheStockDaemonPrintsWhatStockPrints(string format, bool existing) =>
        DaemonOutputRuns.PullAsync(daemon, _sandbox.Root, existing, async (url, theirs, ours) =>
        {
            // Without incremental recursion on both clients: the format is what is compared here; the order of an
            // incremental pull's lines is PullOutputParityTests' business.
            string[] args = ["-a", "--no-i-r", "--delete", "--out-format=" + format, url];
            var stock = await daemon.RunRsyncAsync([.. args, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. args, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
            Assert.Equal(stock.Stderr, mine.Stderr);
        });

    // A push's lines come from the sender in list order for both clients; stock's -v header differs only with -v.
    private static string[] Lines(string stdout) => stdout.Split('\n');

    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\|\d+\|.+$")]
    private static partial Regex TimePidName();
}
