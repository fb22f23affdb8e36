using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// -8/--8-bit-output next to stock rsync 3.5.0 (log.c: rwrite, filtered_fwrite): a name's bytes that are not UTF-8
/// ("caf\351.txt") are printed as they are instead of as "\#351", for a local copy, a push to the stock daemon and a pull
/// from it; without -8 both escape them.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class EightBitOutputTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    [Theory]
    [InlineData("-av -8", true)]
    [InlineData("-av --8-bit-output --out-format=%n|%f", true)]
    [InlineData("-av -8 --no-8", false)]
    [InlineData("-ai --8-bit-output --no-8-bit-output -8", true)]
    public async Task LocalCopyPrintsWhatStockPrints(string args, bool raw)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(args.Split(' '));
        outcome.AssertExit(0).AssertSame();
        AssertRaw(outcome.Ours.Stdout, raw);
    }

    [Fact]
    public async Task PushToTheStockDaemonPrintsWhatStockPrints()
    {
        LocalSource.CreateSample(Path.Combine(_sandbox.Root, "src"));
        string id = Guid.NewGuid().ToString("N")[..12];
        string[] args = ["-av", "-8", "--no-i-r", Path.Combine(_sandbox.Root, "src") + "/"];
        // The shared daemon's module is searched by other tests (a watch test looks for names like these): the pushed
        // trees are taken away again.
        string[] pushed = [Path.Combine(daemon.ModulePath(DaemonModules.Open), $"eight-stock-{id}"), Path.Combine(daemon.ModulePath(DaemonModules.Open), $"eight-ours-{id}")];
        try
        {
            var stock = await daemon.RunRsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/eight-stock-{id}/"]);
            var ours = await daemon.RunMrsyncAsync([.. args, $"{daemon.Url}{DaemonModules.Open}/eight-ours-{id}/"]);
            Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(ours, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout.Replace("eight-stock-", "eight-", StringComparison.Ordinal), "DEST"),
                StockOutput.Normalize(ours.Stdout.Replace("eight-ours-", "eight-", StringComparison.Ordinal), "DEST"));
            Assert.Equal(stock.Stderr, ours.Stderr);
            AssertRaw(ours.Stdout, raw: true);
        }
        finally
        {
            // Names that are not UTF-8: rm takes them as bytes, Directory.Delete cannot.
            await ToolProcess.RunAsync("rm", ["-rf", .. pushed]);
        }
    }

    [Fact]
    public async Task PullFromTheStockDaemonPrintsWhatStockPrints()
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "eight-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            LocalSource.CreateSample(source);
            string ours = Path.Combine(_sandbox.Root, "ours"), theirs = Path.Combine(_sandbox.Root, "theirs");
            string[] args = ["-av", "-8", "--no-i-r", $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/"];
            var stock = await daemon.RunRsyncAsync([.. args, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. args, ours + "/"]);
            Assert.True(stock.ExitCode == mine.ExitCode, daemon.Explain(mine, stock));
            Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
            Assert.Equal(stock.Stderr.Replace(theirs, "DEST", StringComparison.Ordinal), mine.Stderr.Replace(ours, "DEST", StringComparison.Ordinal));
            AssertRaw(mine.Stdout, raw: true);
        }
        finally
        {
            LocalSource.Run("chmod", "-R", "u+rwx", source);
            LocalSource.Run("rm", "-rf", source);
        }
    }

    // The sample's Latin-1 name "caf\351.txt": raw, its byte is not UTF-8 and reads back as U+FFFD; escaped, "\#351".
    private static void AssertRaw(string stdout, bool raw)
    {
        Assert.Equal(raw, stdout.Contains("caf\uFFFD.txt", StringComparison.Ordinal));
        Assert.Equal(!raw, stdout.Contains("caf\\#351.txt", StringComparison.Ordinal));
    }
}
