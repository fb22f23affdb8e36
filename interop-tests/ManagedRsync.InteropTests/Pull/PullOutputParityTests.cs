using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// What a pull prints (--progress, -P, --stats, -h/-hh/--no-h, -q, -i/-ii, -v) next to what stock rsync 3.5.0 prints
/// for the same pull from the same daemon, into a fresh and into an existing destination; the numbers masked are
/// those <see cref="StockOutput"/> lists (time, and the byte counts incremental recursion changes).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullOutputParityTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "out-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a --progress", "-aP", "-av --progress", "-a --stats", "-ah --stats", "-ahh --stats", "-a --no-h --stats",
                     "-ah --progress", "-avq", "-aq --stats --progress", "-aii", "-avii", "-ai --stats --delete", "-av --stats --delete",
                     "-r --stats", "-a --stats --protocol=29", "-av --stats --protocol=30", "-ai --stats --protocol=27",
                 })
        {
            data.Add(options, false);
            data.Add(options, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PullPrintsWhatStockPrints(string options, bool existing)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        if (existing)
        {
            string template = Path.Combine(_sandbox.Root, "template");
            PullTree.CreateStaleCopy(_source, template);
            StockOutput.CopyTree(template, ours);
            StockOutput.CopyTree(template, theirs);
        }
        string[] args = options.Split(' ');

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
        Assert.Equal(stock.Stderr, mine.Stderr);
        if (options.StartsWith("-a", StringComparison.Ordinal) && (!existing || options.Contains("--delete", StringComparison.Ordinal)))
            PullTree.AssertSame(_source, ours);
    }

    // rsync generator.c: --delete-missing-args deletes the receiver's copy of a source the sender lacks; mrsync's
    // receiver cannot do that yet, so the option is refused by name before anything happens.
    [Fact]
    public async Task DeleteMissingArgsOnAPullIsRefusedByName()
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string ours = Path.Combine(_sandbox.Root, "ours");

        var mine = await daemon.RunMrsyncAsync(["-a", "--delete-missing-args", Url, ours + "/"]);

        Assert.Equal(4, mine.ExitCode);
        Assert.Contains("--delete-missing-args", mine.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(ours));
    }
}
