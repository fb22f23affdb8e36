using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --stderr=errors|all|client (and its prefixes, --msgs2stderr, --no-msgs2stderr) next to stock rsync 3.5.0's local
/// copy: with "all" every message (names, --stats, the summary) is on stderr and stdout is empty, as log.c rwrite
/// does with msgs2stderr == 1; otherwise stdout is stock's. What a push or a pull sends the daemon for each is held to
/// stock's vector by the options catalog (ServerArgumentParityTests).
/// </summary>
public sealed class StderrModeTests : IDisposable
{
    private readonly SideBySide _pair = new();

    public void Dispose() => _pair.Dispose();

    [Theory]
    [InlineData("--stderr=all")]
    [InlineData("--stderr=a")]
    [InlineData("--msgs2stderr")]
    [InlineData("--stderr=client --stderr=all")]
    public async Task AllPutsEveryMessageOnStderr(string mode)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync([.. mode.Split(' '), "-av", "--stats"]);
        Assert.True(outcome.Stock.ExitCode == 0 && outcome.Ours.ExitCode == 0, $"{outcome.Stock}\n{outcome.Ours}");
        Assert.Equal("", outcome.Stock.Stdout);
        Assert.Equal("", outcome.Ours.Stdout);
        string ours = StockOutput.Normalize(outcome.Ours.Stderr, _pair.Ours);
        string stock = StockOutput.Normalize(outcome.Stock.Stderr, _pair.Stock).DeclinedIncrementalHeader(ours);
        Assert.Equal(stock, ours);
        outcome.AssertSameTrees();
    }

    [Theory]
    [InlineData("--stderr=errors")]
    [InlineData("--stderr=e")]
    [InlineData("--stderr=client")]
    [InlineData("--stderr=c")]
    [InlineData("--no-msgs2stderr")]
    [InlineData("--stderr=all --stderr=errors")]
    public async Task ErrorsAndClientKeepMessagesOnStdout(string mode)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync([.. mode.Split(' '), "-av", "--stats"]);
        outcome.AssertExit(0).AssertSame();
    }

    [Theory]
    [InlineData("--stderr=client")]
    [InlineData("--stderr=errors")]
    [InlineData("--stderr=all")]
    public async Task QuietStaysQuiet(string mode)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync([mode, "-avq", "--stats"]);
        outcome.AssertExit(0).AssertSame();
        Assert.Equal("", outcome.Ours.Stdout + outcome.Ours.Stderr);
    }

    [Theory]
    [InlineData("--stderr=bogus")]
    [InlineData("--stderr=")]
    [InlineData("--stderr=errorsx")]
    [InlineData("--stderr=A")]
    public async Task AnUnknownModeIsStocksUsageError(string mode)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync([mode, "-a"]);
        Assert.Equal(1, outcome.Stock.ExitCode);
        Assert.Equal(1, outcome.Ours.ExitCode);
        string expected = outcome.Stock.Stderr.Split('\n')[0];
        Assert.StartsWith("rsync: --stderr mode \"", expected);
        Assert.Equal(expected, outcome.Ours.Stderr.Split('\n')[0]);
        Assert.False(Directory.Exists(_pair.Ours) && Directory.EnumerateFileSystemEntries(_pair.Ours).Any(), "nothing is copied");
    }
}
