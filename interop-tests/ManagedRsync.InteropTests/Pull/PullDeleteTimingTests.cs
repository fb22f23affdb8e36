using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;
using ManagedRsync.Client;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// When a pull deletes (rsync generator.c: generate_files): --delete-before ahead of every transfer,
/// --delete-during/--del per directory as the generator reaches it, --delete-delay and --delete-after once the
/// transfers are done. Told apart by the order of the -v lines (against stock rsync's) and by a run that fails
/// midway, which must not have deleted under -delay/-after.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullDeleteTimingTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "del-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    [Theory]
    [InlineData("--delete-before", 32)]
    [InlineData("--delete-during", 32)]
    [InlineData("--del", 31)]
    [InlineData("--delete-delay", 32)]
    [InlineData("--delete-after", 32)]
    [InlineData("--delete-after", 30)]
    [InlineData("--delete-delay", 29)]
    [InlineData("--delete", 29)]
    [InlineData("--delete", 27)]
    public async Task DeletionLinesComeWhereStocksDo(string when, int protocol)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string template = Path.Combine(_sandbox.Root, "template");
        PullTree.CreateStaleCopy(_source, template);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        StockOutput.CopyTree(template, ours);
        StockOutput.CopyTree(template, theirs);
        string[] args = ["-av", "--stats", when, $"--protocol={protocol}"];

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Contains("deleting extra.txt", stock.Stdout, StringComparison.Ordinal);
        Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
        PullTree.AssertSame(_source, ours);
    }

    // The run is cancelled when the first file starts to arrive (a big one, listed first): the generator has been
    // through "." by then, so before/during have deleted there, while delay/after, which wait for the transfers,
    // must have deleted nothing.
    [Theory]
    [InlineData(DeleteTiming.Before, true)]
    [InlineData(DeleteTiming.During, true)]
    [InlineData(DeleteTiming.Delay, false)]
    [InlineData(DeleteTiming.After, false)]
    public async Task ARunThatFailsMidwayHasDeletedOnlyIfItDeletesBeforeTransfers(DeleteTiming when, bool deleted)
    {
        Directory.CreateDirectory(_source);
        File.WriteAllBytes(Path.Combine(_source, "aaa-big.bin"), PullTree.RandomBytes(24 << 20, seed: 7));
        File.WriteAllText(Path.Combine(_source, "kept.txt"), "kept\n");
        string destination = _sandbox.Destination;
        string extra = Path.Combine(destination, "extra.txt");
        File.WriteAllText(extra, "not on the sender\n");
        Assert.True(DaemonAddress.TryParse(Url, out DaemonAddress? source));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new PullRequest
        {
            Source = source!,
            Destination = destination,
            Options = TransferOptions.Archive with { Delete = when, Progress = true },
        };
        var events = new RecordedEvents(progress: _ => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RsyncClient.PullAsync(request, events, cancel.Token));

        Assert.Equal(deleted, !File.Exists(extra));
        Assert.False(File.Exists(Path.Combine(destination, "kept.txt")), "the run was meant to stop before its last file");
    }
}
