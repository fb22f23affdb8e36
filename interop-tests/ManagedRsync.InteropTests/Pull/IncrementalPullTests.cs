using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// Pulls from the stock daemon with incremental recursion (issue 16): mrsync offers it on a recursive pull
/// (ServerArgumentsTests.PullOffersIncrementalRecursion) and stock's daemon then sends the list directory by directory
/// (compat.c: setup_protocol, flist.c: send_extra_file_list), interleaved with file data once more than a thousand
/// entries are listed ahead (MIN_FILECNT_LOOKAHEAD). A tree of 40 directories and about 3,000 entries, against a stale
/// copy (changed, missing and extra files, a directory where a file was and the reverse), must come out as the source
/// and as stock's client makes it, with the same counts; --no-i-r takes the old path to the same result.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class IncrementalPullTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "inc-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    [Theory]
    [InlineData("-a --delete")]
    [InlineData("-a --delete-delay")]
    [InlineData("-rlt")]
    [InlineData("-a --delete --no-i-r")]
    public async Task ATreeOfManyDirectoriesArrivesAsStocksClientMakesIt(string options)
    {
        IncrementalTree.Create(_source);
        string template = Path.Combine(_sandbox.Root, "template");
        IncrementalTree.CreateStaleCopy(_source, template);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        StockOutput.CopyTree(template, ours);
        StockOutput.CopyTree(template, theirs);
        string[] args = [.. options.Split(' '), "--stats"];

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        PullTree.AssertSame(theirs, ours);
        if (options.Contains("--delete", StringComparison.Ordinal))
            PullTree.AssertSame(_source, ours);
        Assert.Equal(IncrementalTree.Counts(stock.Stdout), IncrementalTree.Counts(mine.Stdout));
    }

    /// <summary>
    /// -H with incremental recursion (mrsync offers 'i' with -H as stock's client does): a later list's member of a
    /// group names its first by a global index in an earlier list (flist.c: recv_file_entry, hlink.c: match_gnums).
    /// Groups spanning directories in different lists (IncrementalTree.AddHardLinks), fresh and over a stale copy
    /// whose members are separate files, are linked as stock's client links them.
    /// </summary>
    [Theory]
    [InlineData("-aH --delete", true)]
    [InlineData("-aH", false)]
    public async Task HardLinksAcrossListsAreLinkedAsByStocksClient(string options, bool stale)
    {
        IncrementalTree.Create(_source);
        IncrementalTree.AddHardLinks(_source);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        if (stale)
        {
            string template = Path.Combine(_sandbox.Root, "template");
            IncrementalTree.CreateStaleCopy(_source, template);
            StockOutput.CopyTree(template, ours);
            StockOutput.CopyTree(template, theirs);
        }
        string[] args = [.. options.Split(' '), "--stats"];

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
        ManagedRsync.InteropTests.Push.TreeAssert.Equal(theirs, ours, nanoseconds: true, hardLinks: true);
        ManagedRsync.InteropTests.Push.TreeAssert.Equal(_source, ours, nanoseconds: true, hardLinks: true);
        Assert.Equal(IncrementalTree.Counts(stock.Stdout), IncrementalTree.Counts(mine.Stdout));
    }
}
