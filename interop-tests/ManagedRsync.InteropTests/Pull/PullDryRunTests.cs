using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// -n on a pull, side by side with stock rsync 3.5.0 against the same daemon, tree and command line: the same lines
/// (-v, -i, "created directory", "deleting", "(DRY RUN)"), exit 0, and nothing changed locally, not even the
/// destination directory made (rsync main.c: get_local_name; generator.c/receiver.c/sender.c with do_xfers off).
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class PullDryRunTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "dry-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    public static TheoryData<int, string, bool, bool> Cases()
    {
        var data = new TheoryData<int, string, bool, bool>();
        foreach (int protocol in new[] { 32, 30, 29, 27 })
        {
            foreach (string flags in new[] { "-avn", "-ain", "-avin", "-rn" })
            {
                data.Add(protocol, flags, false, false);
                data.Add(protocol, flags, true, false);
                data.Add(protocol, flags, true, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DryRunPrintsWhatStockPrintsAndChangesNothing(int protocol, string flags, bool existing, bool delete)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string template = Path.Combine(_sandbox.Root, "template");
        if (existing)
            PullTree.CreateStaleCopy(_source, template);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        if (existing)
        {
            StockOutput.CopyTree(template, ours);
            StockOutput.CopyTree(template, theirs);
        }
        string before = StockOutput.Snapshot(ours);
        string[] options = [flags, $"--protocol={protocol}", .. delete ? new[] { "--delete" } : []];

        var mine = await daemon.RunMrsyncAsync([.. options, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. options, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
        Assert.Equal(stock.Stderr, mine.Stderr);
        Assert.Equal(before, StockOutput.Snapshot(ours));
        if (delete && flags != "-rn")
            Assert.Contains("deleting", mine.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunOfASingleFileIntoAMissingPathCreatesNothing()
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string target = Path.Combine(_sandbox.Root, "missing", "copy.txt");
        string parent = Path.Combine(_sandbox.Root, "newfile.txt");

        var mine = await daemon.RunMrsyncAsync(["-avn", Url + "hello.txt", parent]);
        var stock = await daemon.RunRsyncAsync(["-avn", Url + "hello.txt", parent]);

        Assert.True(mine.ExitCode == 0 && stock.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, parent), StockOutput.Normalize(mine.Stdout, parent));
        Assert.False(File.Exists(parent));
        Assert.False(Directory.Exists(Path.GetDirectoryName(target)));
    }
}
