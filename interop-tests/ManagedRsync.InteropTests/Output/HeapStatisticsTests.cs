using System.Globalization;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --info=stats3 next to stock rsync 3.5.0 (main.c: handle_stats calls show_malloc_stats in every process): one block
/// per role, "NAME[PID] (ROLE) heap statistics:" after a blank line, in stock's order where stock's is fixed, and exit 0.
/// Stock's figures are glibc's mallinfo() of each process; mrsync's roles share one managed process, so its figures
/// are its own (Roles/HeapStatistics.cs): checked for shape and plausibility, never against stock's numbers.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class HeapStatisticsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    [Theory]
    [InlineData("-r --info=stats3")]
    [InlineData("-a --stats -vv")]
    [InlineData("-a --info=all4 --info=copy0")]
    public async Task ALocalCopyPrintsABlockPerRoleInStocksOrder(string flags)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(flags.Split(' '));
        outcome.AssertExit(0);
        string[] stock = Roles(outcome.Stock.Stdout, "rsync");
        Assert.Equal(["sender", "server receiver", "server generator"], stock);
        Assert.Equal(stock, Roles(outcome.Ours.Stdout, "mrsync"));
        AssertPlausible(outcome.Ours.Stdout, singleProcess: true);
        outcome.AssertSameTrees(times: flags.StartsWith("-a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APushToTheStockDaemonPrintsTheSendersBlock()
    {
        string src = Path.Combine(_sandbox.Root, "src");
        LocalSource.CreateSample(src);
        (string stockName, string oursName) = DaemonOutputRuns.PushDestinations(daemon, "heap", oldEntries: false);
        string Url(string name) => $"{daemon.Url}{DaemonModules.Open}/{name}/";
        var stock = await daemon.RunRsyncAsync(["-r", "--info=stats3", src + "/", Url(stockName)]);
        var ours = await daemon.RunMrsyncAsync(["-r", "--info=stats3", src + "/", Url(oursName)]);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
        // A daemon's "max verbosity" (1 by default) caps what its side prints: stock's daemon sends no block.
        Assert.Equal(["sender"], Roles(stock.Stdout, "rsync"));
        Assert.Equal(["sender"], Roles(ours.Stdout, "mrsync"));
        AssertPlausible(ours.Stdout, singleProcess: true);
    }

    [Fact]
    public Task APullFromTheStockDaemonPrintsTheReceiversAndTheGeneratorsBlocks() =>
        DaemonOutputRuns.PullAsync(daemon, _sandbox.Root, existing: false, async (url, theirs, ours) =>
        {
            var stock = await daemon.RunRsyncAsync(["-r", "--info=stats3", url, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync(["-r", "--info=stats3", url, ours + "/"]);
            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
            Assert.Equal(["receiver", "generator"], Roles(stock.Stdout, "rsync"));
            Assert.Equal(["receiver", "generator"], Roles(mine.Stdout, "mrsync"));
            AssertPlausible(mine.Stdout, singleProcess: true);
        });

    // Over a remote shell the server's blocks arrive as MSG_INFO and the client prints them among its own. Stock's
    // client and server print the sender's, receiver's and generator's; where the server sender's block falls against
    // the client receiver's is timing in stock itself (with --no-i-r either comes first from run to run), so the blocks
    // are compared as a set, and the receiver's must precede the generator's, as stock's generator prints after
    // generate_files, which waits for the receiver.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OverARemoteShellTheServersBlocksArePrintedToo(bool pull)
    {
        LocalSource.CreateSample(_pair.Source);
        const string Shell = "sh -c 'shift; exec \"$@\"' x";
        string[] stockArgs = ["-r", "--no-i-r", "--info=stats3", "-e", Shell];
        var stock = await ToolProcess.RunAsync("rsync",
            [.. stockArgs, pull ? "h:" + _pair.Source + "/" : _pair.Source + "/", pull ? _pair.Stock + "/" : "h:" + _pair.Stock + "/"]);
        var ours = await MrsyncProcess.RunAsync(
            [.. stockArgs, pull ? "h:" + _pair.Source + "/" : _pair.Source + "/", pull ? _pair.Ours + "/" : "h:" + _pair.Ours + "/"],
            new Dictionary<string, string?>());
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, $"{stock}\n{ours}");
        string[] expected = pull ? ["server sender", "receiver", "generator"] : ["sender", "server receiver", "server generator"];
        string[] oursRoles = [.. Blocks(ours.Stdout).Select(b => b.Role)];
        Assert.Equal(expected.Order(), Blocks(stock.Stdout).Select(b => b.Role).Order());
        Assert.Equal(expected.Order(), oursRoles.Order());
        Assert.True(Array.IndexOf(oursRoles, pull ? "receiver" : "server receiver") < Array.IndexOf(oursRoles, pull ? "generator" : "server generator"),
            ours.Stdout);
        // The client's own blocks are mrsync's; the stock server's arrive as they are.
        Assert.All(Blocks(ours.Stdout), b => Assert.Equal(b.Role.StartsWith("server ", StringComparison.Ordinal) ? "rsync" : "mrsync", b.Program));
    }

    [Fact]
    public async Task TheStockClientPrintsTheBlocksOfMrsyncAsAServer()
    {
        LocalSource.CreateSample(_pair.Source);
        // The remote command is one word to the shell: a script that runs mrsync however this test run has it.
        string mrsync = Path.Combine(_pair.Root, "mrsync-server");
        File.WriteAllText(mrsync, "#!/bin/sh\nexec " + string.Join(' ', Watch.WatchProcess.MrsyncCommand().Select(w => $"'{w}'")) + " \"$@\"\n");
        File.SetUnixFileMode(mrsync, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stock = await ToolProcess.RunAsync("rsync", ["-r", "--info=stats3", "-e", "sh -c 'shift; exec \"$@\"' x",
            "--rsync-path=" + mrsync, _pair.Source + "/", "h:" + _pair.Ours + "/"]);
        Assert.True(stock.ExitCode == 0, stock.ToString());
        Assert.Equal(["sender", "server receiver", "server generator"], Blocks(stock.Stdout).Select(b => b.Role));
        Assert.Equal(["rsync", "mrsync", "mrsync"], Blocks(stock.Stdout).Select(b => b.Program));
    }

    private static string[] Roles(string stdout, string program)
    {
        var blocks = Blocks(stdout);
        Assert.All(blocks, b => Assert.Equal(program, b.Program));
        return [.. blocks.Select(b => b.Role)];
    }

    private static List<(string Program, int Pid, string Role, Dictionary<string, long> Figures)> Blocks(string stdout)
    {
        string[] lines = stdout.Split('\n');
        var blocks = new List<(string, int, string, Dictionary<string, long>)>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match m = Header().Match(lines[i]);
            if (!m.Success)
                continue;
            // main.c: show_malloc_stats — rprintf(FCLIENT, "\n") before the header.
            Assert.True(i > 0 && lines[i - 1].Length == 0, $"no blank line before \"{lines[i]}\"\n{stdout}");
            var figures = new Dictionary<string, long>();
            for (int j = i + 1; j < lines.Length && Figure().Match(lines[j]) is { Success: true } f; j++)
                figures[f.Groups[1].Value] = long.Parse(f.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.NotEmpty(figures);
            blocks.Add((m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[3].Value, figures));
        }
        return blocks;
    }

    // mrsync's figures are what they say: the process allocated something and holds some memory; a block's process
    // figures never shrink below what a later one in the same process counted as allocated before it; a generator's or
    // receiver's thread figure is at most what the process allocated; the sender (whose steps hop between pool
    // threads) has none.
    private static void AssertPlausible(string stdout, bool singleProcess)
    {
        var ours = Blocks(stdout).Where(b => b.Program == "mrsync").ToList();
        Assert.NotEmpty(ours);
        if (singleProcess)
            Assert.Single(ours.Select(b => b.Pid).Distinct());
        long previous = 0;
        foreach (var (_, _, role, figures) in ours)
        {
            Assert.Equal(["allocated", "inuse", "collected", "resident"], figures.Keys.Where(k => k != "thread"));
            Assert.True(figures["allocated"] > 0 && figures["resident"] > 0 && figures["inuse"] > 0, stdout);
            Assert.True(figures["allocated"] >= previous, stdout);
            previous = figures["allocated"];
            Assert.Equal(!role.EndsWith("sender", StringComparison.Ordinal), figures.ContainsKey("thread"));
            if (figures.TryGetValue("thread", out long thread))
                Assert.InRange(thread, 0, figures["allocated"]);
        }
    }

    [GeneratedRegex(@"^(m?rsync)\[(\d+)\] \((.+)\) heap statistics:$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^  (\w+): +(\d+)   \(.+\)$")]
    private static partial Regex Figure();
}
