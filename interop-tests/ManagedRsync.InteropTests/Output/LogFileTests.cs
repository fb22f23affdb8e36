using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --log-file and --log-file-format beside stock rsync 3.5.0's client (log.c: logfile_open, logit, log_item,
/// log_delete, log_exit): the same log lines for a local copy, a push to the stock daemon and a pull from it — the
/// "building file list" / "receiving file list" line, the MOTD, an entry per transfer and per significant change in
/// the log format (%i %n%L by default), deletions unless dry, the -v summary or "sent N bytes  received N bytes  total
/// size N", errors — and what stays the same on the terminal. Masked: each line's date and pid (checked for stock's
/// shape), byte counts and rates, the destination's name, and the source position stock puts in its "rsync error:"
/// line. The log is read as bytes (a name that is not UTF-8 is written as it is).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class LogFileTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    public static TheoryData<string> LocalArguments() => new()
    {
        "-a",
        "-aH",
        "-av",
        "-ai",
        "-aq",
        "-an",
        "-a --stats",
        "-aH --log-file-format=[%o|%f|%n|%L|%l|%U|%G|%B|%M|%i|%%|%-8n|%10l|%'l|%m|%h|%a|%x]",
        "-a --log-file-format=%n",
        "-av --log-file-format=%o:%n",
    };

    [Theory]
    [MemberData(nameof(LocalArguments))]
    public async Task LocalCopyLogsWhatStockLogs(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        LocalSource.AddHardLinks(_pair.Source);
        (string stockLog, string oursLog) = await RunLocalAsync(args);
        Assert.Contains("building file list\n", oursLog, StringComparison.Ordinal);
        Assert.Equal(stockLog, oursLog);
    }

    [Theory]
    [InlineData("-a --delete")]
    [InlineData("-av --delete")]
    [InlineData("-an --delete")]
    [InlineData("-a --delete --log-file-format=%i|%n")]
    [InlineData("-a --delete --log-file-format=%n")]
    public async Task AnUpdateLogsChangesAndDeletions(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        await _pair.RunAsync(["-a"]);
        LocalSource.Edit(_pair.Source);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "gone.txt", "x");
            LocalSource.Write(dest, "gone-dir/inner", "y");
        }
        (string stockLog, string oursLog) = await RunLocalAsync(args);
        AssertSameLog(stockLog, oursLog);
    }

    [Fact]
    public async Task AFormatWithoutALogFileWritesNothing()
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(["-a", "--log-file-format=%n"]);
        outcome.AssertExit(0).AssertSame();
        Assert.Equal(outcome.Stock.Stdout, outcome.Ours.Stdout);
    }

    [Theory]
    [InlineData("-a")]
    [InlineData("-aq")]
    public async Task ALogFileThatCannotBeOpenedIsReportedAndTheCopyGoesOn(string flags)
    {
        LocalSource.CreateSample(_pair.Source);
        string log = Path.Combine(_pair.Root, "missing-dir", "log");
        var outcome = await _pair.RunAsync([flags, "--log-file=" + log]);
        outcome.AssertExit(0).AssertSame();
        Assert.Equal(outcome.Stock.Stdout, outcome.Ours.Stdout);
        Assert.Equal(outcome.Stock.Stderr, outcome.Ours.Stderr);
        Assert.Contains($"rsync: [client] failed to open log-file {log}: No such file or directory (2)", outcome.Ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorGoesToTheLogWithTheSummaryLine()
    {
        LocalSource.CreateSample(_pair.Source);
        // A source that is not there: the sender's link_stat error, the rest copied, exit 23.
        (string stockLog, string oursLog) = await RunLocalAsync("-a", exitCode: 23, missingSource: Path.Combine(_pair.Root, "missing"));
        Assert.Contains("link_stat", oursLog, StringComparison.Ordinal);
        Assert.Contains("rsync error: some files/attrs were not transferred", oursLog, StringComparison.Ordinal);
        Assert.Equal(stockLog, oursLog);
    }

    [Theory]
    [InlineData("-a", false)]
    [InlineData("-av", true)]
    [InlineData("-a --log-file-format=%o|%f|%n|%l|%i", true)]
    public async Task PushToTheStockDaemonLogsWhatStockLogs(string args, bool delete)
    {
        string src = SourceTree.Create(Path.Combine(_sandbox.Root, "src"), hardLinks: true);
        (string stockName, string oursName) = DaemonOutputRuns.PushDestinations(daemon, "lf", delete);
        string stockLog = Path.Combine(_sandbox.Root, "stock.log"), oursLog = Path.Combine(_sandbox.Root, "ours.log");
        string[] argv = [.. args.Split(' '), .. delete ? new[] { "--delete" } : [], src + "/"];
        var stock = await daemon.RunRsyncAsync([.. argv, "--log-file=" + stockLog, $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        var ours = await daemon.RunMrsyncAsync([.. argv, "--log-file=" + oursLog, $"{daemon.Url}{DaemonModules.Open}/{oursName}/"]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, stockName), StockOutput.Normalize(ours.Stdout, oursName));
        Assert.Contains(RsyncDaemonFixture.Motd, ReadLog(oursLog), StringComparison.Ordinal);
        AssertSameLog(Normalize(ReadLog(stockLog), stockName), Normalize(ReadLog(oursLog), oursName));
    }

    [Theory]
    [InlineData("-a", false)]
    [InlineData("-ai --delete", true)]
    [InlineData("-av --delete --log-file-format=%o|%f|%n|%l|%i", true)]
    // generator.c: with -v and a format without %i the generator logs what it makes ("DIR/", "LINK -> TARGET"),
    // a dry run's too; %o marks the entries the receiver logs.
    [InlineData("-av --delete --log-file-format=%o:%n", true)]
    [InlineData("-av --log-file-format=%o:%n", false)]
    [InlineData("-avn --log-file-format=%o:%n", false)]
    [InlineData("-rlv --log-file-format=%o:%n", true)]
    public Task PullFromTheStockDaemonLogsWhatStockLogs(string args, bool existing) =>
        DaemonOutputRuns.PullAsync(daemon, _sandbox.Root, existing, async (url, theirs, ours) =>
        {
            string stockLog = Path.Combine(_sandbox.Root, "stock.log"), oursLog = Path.Combine(_sandbox.Root, "ours.log");
            // Without incremental recursion on both clients: the order of an incremental pull's lines is
            // PullOutputParityTests' business.
            string[] argv = [.. args.Split(' '), "--no-i-r", url];
            var stock = await daemon.RunRsyncAsync([.. argv, "--log-file=" + stockLog, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. argv, "--log-file=" + oursLog, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
            Assert.Contains("receiving file list\n", ReadLog(oursLog), StringComparison.Ordinal);
            string theirLines = Normalize(ReadLog(stockLog), theirs), ourLines = Normalize(ReadLog(oursLog), ours);
            if (args.Contains("%o:", StringComparison.Ordinal))
            {
                // The generator logs what it makes at once, the receiver's entries come as the sender's echoes do
                // (stock's receiver passes its lines to the generator, which logs them when it reads them): each
                // stream in order.
                static bool Received(string line) => line.Contains("] recv:", StringComparison.Ordinal) || line.StartsWith("recv:", StringComparison.Ordinal);
                Assert.Equal(theirLines.Split('\n').Where(Received), ourLines.Split('\n').Where(Received));
                Assert.Equal(theirLines.Split('\n').Where(l => !Received(l)), ourLines.Split('\n').Where(l => !Received(l)));
                if (args.Contains('v', StringComparison.Ordinal))
                    Assert.Contains(" -> ", ourLines, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(theirLines, ourLines);
            }
        });

    [Fact]
    public async Task APullWithVerboseAndALogFormatWithoutIBelowProtocol29IsRefusedByName()
    {
        string log = Path.Combine(_sandbox.Root, "ours.log");
        string dest = Path.Combine(_sandbox.Root, "ours");
        var ours = await daemon.RunMrsyncAsync(["-av", "--protocol=28", "--log-file=" + log, "--log-file-format=%n", $"{daemon.Url}{DaemonModules.ReadOnly}/", dest + "/"]);
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains("--log-file-format without %i with --verbose (-v) below --protocol=29 is not supported yet", ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dest));
    }

    // The same lines in the same order, except that the receiving side's deletions reach the sending client as messages
    // (MSG_DELETED) whose interleaving with the sender's own lines varies from run to run of stock itself: each stream
    // is compared in order (as SideBySide compares a local copy's output).
    private static void AssertSameLog(string stock, string ours)
    {
        if (stock == ours)
            return;
        static bool IsDeletion(string line) => line.StartsWith("*deleting", StringComparison.Ordinal) || line.StartsWith("deleting ", StringComparison.Ordinal);
        Assert.Equal(stock.Split('\n').Where(IsDeletion), ours.Split('\n').Where(IsDeletion));
        Assert.Equal(stock.Split('\n').Where(l => !IsDeletion(l)), ours.Split('\n').Where(l => !IsDeletion(l)));
    }

    // rsync ARGS --log-file=stock.log SRC/ stock/ beside mrsync's: same exit code, same stdout; the two logs normalized.
    private async Task<(string Stock, string Ours)> RunLocalAsync(string args, int exitCode = 0, string? missingSource = null)
    {
        string stockLog = Path.Combine(_pair.Root, "stock.log"), oursLog = Path.Combine(_pair.Root, "ours.log");
        File.Delete(stockLog);
        File.Delete(oursLog);
        string[] argv = [.. args.Split(' '), _pair.Source + "/", .. missingSource is null ? Array.Empty<string>() : [missingSource]];
        var stock = await ToolProcess.RunAsync("rsync", [.. argv, "--log-file=" + stockLog, _pair.Stock + "/"]);
        var ours = await MrsyncProcess.RunAsync([.. argv, "--log-file=" + oursLog, _pair.Ours + "/"], new Dictionary<string, string?>());
        Assert.True(stock.ExitCode == exitCode && ours.ExitCode == exitCode, $"{stock}\n{ours}");
        // The terminal's lines as the log's: with incremental recursion the generator's deletions (messages from the
        // server half) interleave with the sender's names as timing has it, in stock's local copy as in ours.
        string oursOut = StockOutput.Normalize(ours.Stdout, _pair.Ours);
        AssertSameLog(StockOutput.Normalize(stock.Stdout, _pair.Stock).DeclinedIncrementalHeader(oursOut), oursOut);
        // A dry run leaves the times the test's own writes gave each destination.
        bool times = !argv.Contains("-an");
        Assert.Equal(TreeSnapshot.Of(_pair.Stock, times, times), TreeSnapshot.Of(_pair.Ours, times, times));
        return (Normalize(ReadLog(stockLog), _pair.Stock), Normalize(ReadLog(oursLog), _pair.Ours));
    }

    // The log's bytes, one char each (a name that is not UTF-8 keeps its bytes).
    private static string ReadLog(string path) => File.Exists(path) ? Encoding.Latin1.GetString(File.ReadAllBytes(path)) : "(no log)";

    // Every line starts "YYYY/MM/DD HH:MM:SS [PID] " (log.c: logit); the rest is compared, with what differs between
    // any two runs masked.
    private static string Normalize(string log, string destination)
    {
        if (log == "(no log)")
            return log;
        Assert.EndsWith("\n", log, StringComparison.Ordinal);
        var lines = new StringBuilder();
        foreach (string line in log[..^1].Split('\n'))
        {
            Assert.Matches(Prefix(), line);
            lines.Append(Prefix().Replace(line, "")).Append('\n');
        }
        string text = StockOutput.Normalize(lines.ToString(), destination);
        text = ExitLine().Replace(text, "sent N bytes  received N bytes  total size $1");
        text = ErrorSource().Replace(text, "");
        return text;
    }

    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\d+\] ")]
    private static partial Regex Prefix();

    // log.c: log_exit — the byte counts of a local copy differ (ours sends other deltas and checksums over the pipe).
    [GeneratedRegex(@"sent \d+ bytes  received \d+ bytes  total size (\d+)")]
    private static partial Regex ExitLine();

    // Stock's "rsync error: ... (code 23) at main.c(1338) [sender=3.5.0]": mrsync names no source position.
    [GeneratedRegex(@" at [\w.]+\(\d+\) \[\w+=[\d.]+\]")]
    private static partial Regex ErrorSource();
}
