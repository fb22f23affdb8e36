using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --info=progress2 next to stock rsync 3.5.0 (progress.c: show_progress, end_progress, rprint_progress): the same
/// command line for a push to the stock daemon, a pull from it and a local copy gives the same whole-transfer lines
/// — bytes so far, percentage of everything listed, "xfr#N" and "to-chk=R/T" (with incremental recursion on a pull
/// too), one at each file's end and one at each end-of-list index — the same names around them, the same trees and
/// exit code. Rates and times, and the lines shown while a file goes (at most one a second), are timing: masked.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class WholeTransferProgressTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    // "-rl" (trees compared without times) keeps the symlinks in (their lengths count in stats.total_size).
    [Theory]
    [InlineData("-rl --info=progress2")]
    [InlineData("-rl --progress")]
    [InlineData("-rl --info=progress2 --no-i-r")]
    [InlineData("-rlv --info=progress2 --no-i-r")]
    [InlineData("-a --info=progress2,name0 --no-i-r --stats")]
    [InlineData("-a --progress --info=progress2 --no-i-r")]
    public async Task LocalCopyPrintsWhatStockPrints(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(args.Split(' '));
        outcome.AssertExit(0).AssertSameTrees(times: false, rootTimes: false);
        AssertSameShape(args, Shape(outcome.Stock.Stdout, _pair.Stock), Shape(outcome.Ours.Stdout, _pair.Ours));
        Assert.Equal(outcome.Stock.Stderr, outcome.Ours.Stderr);
    }

    [Theory]
    [InlineData("-rl --info=progress2")]
    [InlineData("-rl --info=progress2 --no-i-r")]
    [InlineData("-rlv --info=progress2 --no-i-r")]
    [InlineData("-a --progress --info=progress2 --protocol=29")]
    public async Task PullFromTheStockDaemonPrintsWhatStockPrints(string args)
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "progress2-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            PullTree.CreateSample(source);
            string ours = Path.Combine(_sandbox.Root, "ours"), theirs = Path.Combine(_sandbox.Root, "theirs");
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/";
            var stock = await daemon.RunRsyncAsync([.. args.Split(' '), url, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. args.Split(' '), url, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            AssertSameShape(args, Shape(stock.Stdout, theirs), Shape(mine.Stdout, ours));
            Assert.Equal(stock.Stderr, mine.Stderr);
            Assert.Equal(Tree(theirs), Tree(ours));
            // With incremental recursion the lines count entries across the lists as stock does (not file indexes).
            Assert.Contains("to-chk=0/", Shape(mine.Stdout, ours), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [Theory]
    [InlineData("-rl --info=progress2")]
    [InlineData("-rl --progress")]
    [InlineData("-rl --info=progress2 --no-i-r")]
    [InlineData("-rlv --info=progress2 --no-i-r")]
    [InlineData("-rl --info=progress2 --no-i-r --protocol=28")]
    public async Task PushToTheStockDaemonPrintsWhatStockPrints(string args)
    {
        string src = SourceTree.Create(Path.Combine(_sandbox.Root, "src"), hardLinks: false);
        string id = Guid.NewGuid().ToString("N")[..12];
        string stockName = "progress2-stock-" + id, oursName = "progress2-ours-" + id;
        var stock = await daemon.RunRsyncAsync([.. args.Split(' '), src + "/", $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        var ours = await daemon.RunMrsyncAsync([.. args.Split(' '), src + "/", $"{daemon.Url}{DaemonModules.Open}/{oursName}/"]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
        AssertSameShape(args, Shape(stock.Stdout.Replace(stockName, "DEST", StringComparison.Ordinal), "DEST"),
            Shape(ours.Stdout.Replace(oursName, "DEST", StringComparison.Ordinal), "DEST"));
        Assert.Equal(stock.Stderr, ours.Stderr);
        Assert.Equal(Tree(Path.Combine(daemon.ModulePath(DaemonModules.Open), stockName)),
            Tree(Path.Combine(daemon.ModulePath(DaemonModules.Open), oursName)));
    }

    // More than the 1,000 entries a sender lists ahead (flist.c: MIN_FILECNT_LOOKAHEAD): on a pull the lines say
    // "ir-chk" with the count of what is listed so far until the last list came, as stock's do, file by file. Where
    // an end-of-list index comes depends on when the generator finishes a list (timing, in stock's own runs too), so
    // those repeated lines are compared by number, and each file's own line in order.
    [Fact]
    public async Task PullOfManyListsCountsWhatIsListedSoFar()
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "progress2-many-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            for (int d = 0; d < 30; d++)
            {
                for (int f = 0; f < 40; f++)
                    SourceTree.Write(source, $"d{d:00}/f{f:00}", [(byte)d, (byte)f]);
            }
            string ours = Path.Combine(_sandbox.Root, "ours"), theirs = Path.Combine(_sandbox.Root, "theirs");
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/";
            var stock = await daemon.RunRsyncAsync(["-r", "--info=progress2", url, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync(["-r", "--info=progress2", url, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            Assert.Contains("ir-chk=", stock.Stdout, StringComparison.Ordinal);
            AssertSameShape("-r --info=progress2", Shape(stock.Stdout, theirs), Shape(mine.Stdout, ours));
            Assert.Equal("", mine.Stderr);
            Assert.Equal(Tree(theirs), Tree(ours));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    // Without incremental recursion the same output; with it (stock's end-of-list indexes come when its generator is
    // done with a list: timing), the same lines other than progress in order, each file's own progress line in order,
    // as many progress lines, and the same last one.
    private static void AssertSameShape(string args, string stock, string ours)
    {
        if (args.Contains("--no-i-r", StringComparison.Ordinal) || args.Contains("--protocol=2", StringComparison.Ordinal))
        {
            Assert.Equal(stock, ours);
            return;
        }
        string[] stockLines = stock.Split('\n'), ourLines = ours.Split('\n');
        Assert.Equal(stockLines.Where(l => !IsProgress(l)), ourLines.Where(l => !IsProgress(l)));
        Assert.Equal(FileEnds(stockLines), FileEnds(ourLines));
        Assert.Equal(stockLines.Count(IsProgress), ourLines.Count(IsProgress));
        Assert.Equal(stockLines.LastOrDefault(IsProgress), ourLines.LastOrDefault(IsProgress));
    }

    private static bool IsProgress(string line) => XferNumber().IsMatch(line);

    // The first line of each "xfr#N": the one at that file's end.
    private static List<string> FileEnds(string[] lines)
    {
        var seen = new HashSet<string>();
        return [.. lines.Where(l => XferNumber().Match(l) is { Success: true } m && seen.Add(m.Value))];
    }

    [GeneratedRegex(@"xfr#[0-9]+")]
    private static partial Regex XferNumber();

    // The output with every rate and time masked ("RATE TIME"; StockOutput's other masks, but not its to-chk one), the
    // lines shown while a file goes dropped, and the '\r' that starts a progress line shown as a line break of its own
    // (a line rewritten in place still counts).
    private static string Shape(string stdout, string destination)
    {
        string text = StockOutput.Normalize(stdout.Replace("-chk=", "-CHK=", StringComparison.Ordinal), destination);
        text = Going().Replace(text, "").Replace("-CHK=", "-chk=", StringComparison.Ordinal);
        return text.Replace("\r", "<CR>\n", StringComparison.Ordinal);
    }

    // A tree without times: -rl sets none, and a copy made in the same second as the other may show another.
    private static string Tree(string root) => Ticks().Replace(StockOutput.Snapshot(root), " T");

    [GeneratedRegex(@"\r +[0-9.,KMGTP]+ +[0-9]+%RATE TIME  (?=\r|\n|$)")]
    private static partial Regex Going();

    [GeneratedRegex(@" [0-9]{15,}")]
    private static partial Regex Ticks();
}
