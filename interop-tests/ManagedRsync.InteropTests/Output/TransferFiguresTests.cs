using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// %b, %c and %C (log.c: log_formatted — the data bytes written and read for each transferred file since
/// remember_initial_stats, and its whole-file checksum as util2.c: sum_as_hex prints it) in --out-format and
/// --log-file-format, beside stock rsync 3.5.0: a local copy, a push to the stock daemon and a pull from it, a new file
/// and a delta against an old one, a dry run; the line comes after the file's data (log_before_transfer off); %C for
/// every checksum kind and with -c. What is not done yet is refused by name.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class TransferFiguresTests(RsyncDaemonFixture daemon) : IDisposable
{
    private const string Figures = "%o|%n|%b|%c|%C|%'b|%-12c|%40C|%i";

    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    [Theory]
    [InlineData("-a")]
    [InlineData("-a --no-W")]
    [InlineData("-ai")]
    [InlineData("-av")]
    [InlineData("-an")]
    public async Task LocalCopyShowsWhatStockShows(string flags)
    {
        WriteTree(_pair.Source);
        await _pair.RunAsync(["-a"]);
        EditTree(_pair.Source);
        var outcome = await _pair.RunAsync([.. flags.Split(' '), "--out-format=" + Figures]);
        outcome.AssertExit(0).AssertSame(times: !flags.Contains('n'), rootTimes: !flags.Contains('n'));
        Assert.Contains("|big|", outcome.Ours.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-a", false)]
    [InlineData("-a", true)]
    [InlineData("-ai", true)]
    [InlineData("-an", true)]
    public async Task PushToTheStockDaemonShowsWhatStockShows(string flags, bool update)
    {
        string src = Path.Combine(_sandbox.Root, "src");
        WriteTree(src);
        (string stockName, string oursName) = DaemonOutputRuns.PushDestinations(daemon, "tf", oldEntries: false);
        string Url(string name) => $"{daemon.Url}{DaemonModules.Open}/{name}/";
        if (update)
        {
            Assert.Equal(0, (await daemon.RunRsyncAsync(["-a", src + "/", Url(stockName)])).ExitCode);
            Assert.Equal(0, (await daemon.RunRsyncAsync(["-a", src + "/", Url(oursName)])).ExitCode);
            EditTree(src);
        }
        string[] args = [.. flags.Split(' '), "--out-format=" + Figures, src + "/"];
        var stock = await daemon.RunRsyncAsync([.. args, Url(stockName)]);
        var ours = await daemon.RunMrsyncAsync([.. args, Url(oursName)]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, stockName), StockOutput.Normalize(ours.Stdout, oursName));
        Assert.Contains("|big|", ours.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-a", false)]
    [InlineData("-a", true)]
    [InlineData("-av", true)]
    [InlineData("-an", true)]
    public Task PullFromTheStockDaemonShowsWhatStockShows(string flags, bool existing) =>
        DaemonOutputRuns.PullAsync(daemon, _sandbox.Root, existing, async (url, theirs, ours) =>
        {
            string[] args = [.. flags.Split(' '), "--no-i-r", "--out-format=" + Figures, url];
            var stock = await daemon.RunRsyncAsync([.. args, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. args, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
            Assert.Contains("recv|", mine.Stdout, StringComparison.Ordinal);
        });

    [Fact]
    public async Task ALogFileFormatShowsThemToo()
    {
        WriteTree(_pair.Source);
        await _pair.RunAsync(["-a"]);
        EditTree(_pair.Source);
        string stockLog = Path.Combine(_pair.Root, "stock.log"), oursLog = Path.Combine(_pair.Root, "ours.log");
        string[] args = ["-a", "--no-W", "--log-file-format=" + Figures, _pair.Source + "/"];
        var stock = await ToolProcess.RunAsync("rsync", [.. args, "--log-file=" + stockLog, _pair.Stock + "/"]);
        var ours = await MrsyncProcess.RunAsync([.. args, "--log-file=" + oursLog, _pair.Ours + "/"], new Dictionary<string, string?>());
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, $"{stock}\n{ours}");
        static string Entries(string path) => string.Join('\n', File.ReadAllLines(path).Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..])
            .Where(l => l.StartsWith("send|", StringComparison.Ordinal)));
        Assert.Contains("send|big|", Entries(oursLog), StringComparison.Ordinal);
        Assert.Equal(Entries(stockLog), Entries(oursLog));
    }

    // %C for each checksum kind, canonical or not (checksum.c: canonical_checksum, util2.c: sum_as_hex): md4 at
    // protocol 30+ and md5/sha1 in digest order, the xxhash kinds from their last byte, md4 below protocol 30 none (32
    // spaces); with -c the file list's sum (the second name of A,B), transferred or not; blank widths for symlinks,
    // directories, deletions and unchanged entries from the session's kind (csum_len_for_type).
    private const string Sums = "%i %n|%C|%40C|%-20C";

    public static TheoryData<string> ChecksumChoices() => new()
    {
        "", "--checksum-choice=md4", "--checksum-choice=md5", "--checksum-choice=xxh64", "--checksum-choice=xxh3",
        "--checksum-choice=xxh128", "--checksum-choice=sha1", "--checksum-choice=md5,xxh64", "--protocol=29",
        "--protocol=29 --checksum-choice=md4", "--protocol=29 --checksum-choice=xxh3",
    };

    [Theory]
    [MemberData(nameof(ChecksumChoices))]
    public async Task LocalCopyShowsEachChecksumAsStockDoes(string choice)
    {
        WriteTree(_pair.Source);
        await _pair.RunAsync(["-a"]);
        EditTree(_pair.Source);
        File.WriteAllText(Path.Combine(_pair.Stock, "gone"), "x");
        File.WriteAllText(Path.Combine(_pair.Ours, "gone"), "x");
        string[] chosen = choice.Length == 0 ? [] : choice.Split(' ');
        foreach (string[] flags in new[] { ["-a", "--delete", "-ii"], ["-a", "-c", "-ii"], ["-a", "-c", "-n", "--delete"], new[] { "-an" } })
        {
            var outcome = await _pair.RunAsync([.. flags, .. chosen, "--out-format=" + Sums]);
            outcome.AssertExit(0);
            outcome.AssertSameOutput();
        }
        Assert.Contains(" big|", (await _pair.RunAsync(["-a", "-c", "-ii", .. chosen, "--out-format=" + Sums])).Ours.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ChecksumChoices))]
    public async Task PushShowsEachChecksumAsStockDoes(string choice)
    {
        string src = Path.Combine(_sandbox.Root, "src");
        WriteTree(src);
        (string stockName, string oursName) = DaemonOutputRuns.PushDestinations(daemon, "tfc", oldEntries: true);
        string Url(string name) => $"{daemon.Url}{DaemonModules.Open}/{name}/";
        string[] chosen = choice.Length == 0 ? [] : choice.Split(' ');
        foreach (string[] flags in new[] { ["-a", "--delete"], ["-a", "-c", "-ii"], new[] { "-a", "-c", "--no-W", "-ii" } })
        {
            string[] args = [.. flags, .. chosen, "--out-format=" + Sums, src + "/"];
            var stock = await daemon.RunRsyncAsync([.. args, Url(stockName)]);
            var ours = await daemon.RunMrsyncAsync([.. args, Url(oursName)]);
            Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout, stockName), StockOutput.Normalize(ours.Stdout, oursName));
            Assert.Contains("big|", ours.Stdout, StringComparison.Ordinal);
            EditTree(src);
        }
    }

    [Theory]
    [MemberData(nameof(ChecksumChoices))]
    public Task PullShowsEachChecksumAsStockDoes(string choice) =>
        DaemonOutputRuns.PullAsync(daemon, _sandbox.Root, existing: true, async (url, theirs, ours) =>
        {
            string[] chosen = choice.Length == 0 ? [] : choice.Split(' ');
            foreach (string[] flags in new[] { ["-a", "--delete"], ["-a", "-c", "-ii"], new[] { "-an", "-c", "--delete" } })
            {
                string[] args = [.. flags, .. chosen, "--no-i-r", "--out-format=" + Sums, url];
                var stock = await daemon.RunRsyncAsync([.. args, theirs + "/"]);
                var mine = await daemon.RunMrsyncAsync([.. args, ours + "/"]);
                Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
                Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
            }
        });

    [Fact]
    public async Task ALogFileFormatShowsTheListChecksumWithC()
    {
        WriteTree(_pair.Source);
        await _pair.RunAsync(["-a"]);
        EditTree(_pair.Source);
        string stockLog = Path.Combine(_pair.Root, "stock.log"), oursLog = Path.Combine(_pair.Root, "ours.log");
        string[] args = ["-a", "-c", "--checksum-choice=xxh128,xxh64", "--log-file-format=%o %i %n|%C", _pair.Source + "/"];
        var stock = await ToolProcess.RunAsync("rsync", [.. args, "--log-file=" + stockLog, _pair.Stock + "/"]);
        var ours = await MrsyncProcess.RunAsync([.. args, "--log-file=" + oursLog, _pair.Ours + "/"], new Dictionary<string, string?>());
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, $"{stock}\n{ours}");
        static string Entries(string path) => string.Join('\n', File.ReadAllLines(path).Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..])
            .Where(l => l.StartsWith("send ", StringComparison.Ordinal)));
        Assert.Matches(@"send >f\S+ big\|[0-9a-f]{16}", Entries(oursLog));
        Assert.Equal(Entries(stockLog), Entries(oursLog));
    }

    [Theory]
    [InlineData("--out-format=%n %b", "--progress", "--out-format with %b, %c or %C and --progress")]
    public async Task WhatIsNotDoneIsRefusedByName(string format, string other, string refused)
    {
        WriteTree(_pair.Source);
        var ours = await MrsyncProcess.RunAsync(["-a", format, other, _pair.Source + "/", _pair.Ours + "/"], new Dictionary<string, string?>());
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains($"mrsync: {refused} is not supported yet", ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_pair.Ours));
    }

    // A file big enough for several literal chunks and a block-sum delta, a small one, an empty one, a directory and a
    // symlink (their %C is blank, their %b 0).
    private static void WriteTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "d"));
        File.WriteAllBytes(Path.Combine(root, "big"), PullTree.RandomBytes(300_000, 7));
        File.WriteAllText(Path.Combine(root, "d", "small"), "small\n");
        File.WriteAllBytes(Path.Combine(root, "empty"), []);
        File.CreateSymbolicLink(Path.Combine(root, "link"), "big");
        LocalSource.SetTimes(root);
    }

    // The big file changes in its middle (a delta with matched blocks), the small one is replaced.
    private static void EditTree(string root)
    {
        byte[] big = File.ReadAllBytes(Path.Combine(root, "big"));
        PullTree.RandomBytes(5_000, 9).CopyTo(big, 150_000);
        File.WriteAllBytes(Path.Combine(root, "big"), big);
        File.WriteAllText(Path.Combine(root, "d", "small"), "changed\n");
        File.SetLastWriteTimeUtc(Path.Combine(root, "big"), LocalSource.Past.AddHours(1));
        File.SetLastWriteTimeUtc(Path.Combine(root, "d", "small"), LocalSource.Past.AddHours(1));
    }
}
