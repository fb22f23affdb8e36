using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Platform;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Stock's client pushes to `mrsync daemon` with incremental recursion on, as it does to stock's daemon (issue 16): it
/// offers 'i' by default and mrsync's receiving server sets CF_INC_RECURSE where a stock receiver would (compat.c:
/// set_allow_inc_recurse: not with --delete-before/--delete-after/--delay-updates/-m), so stock's sender lists the top
/// level first and every directory's contents in a list of its own while files move. Stock's client says which it did:
/// "sending incremental file list" only once the server's compat flags carry CF_INC_RECURSE (flist.c: send_file_list),
/// "building file list ... done" otherwise. Over a stale copy (changed, missing and extra files and directories, a
/// file where a directory is and the reverse), the trees, the client's lines and its --stats counts must be stock's.
/// </summary>
[Collection(DaemonParityCollection.Name)]
public sealed class IncrementalServerReceiverTests(RsyncDaemonFixture stock, MrsyncDaemonFixture ours) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _name = "irecv-" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        _sandbox.Dispose();
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            string dir = Dest(d);
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    private string Dest(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(DaemonModules.Open), _name);

    private string Url(RsyncDaemonFixture d) => $"{d.Url}{DaemonModules.Open}/{_name}/";

    [Theory]
    [InlineData("-av", true)]
    [InlineData("-avi --delete", true)]
    [InlineData("-av --delete-during --stats", true)]
    [InlineData("-rltv --no-i-r", false)]
    [InlineData("-av --delete-after", false)]
    [InlineData("-av --delay-updates", false)]
    [InlineData("-av --delete-before", false)]
    public async Task AStockClientPushesATreeAsToStocksDaemon(string options, bool incremental)
    {
        string source = IncrementalTree.CreateSource(_sandbox.Root, hardLinks: false, stale: true, Dest(stock), Dest(ours));
        string[] args = options.Split(' ');

        ProcessResult toStock = await stock.RunRsyncAsync([.. args, source + "/", Url(stock)]);
        ProcessResult toOurs = await ours.RunRsyncAsync([.. args, source + "/", Url(ours)]);

        Assert.True(toStock.ExitCode == 0, stock.Explain(toStock));
        Assert.True(toOurs.ExitCode == 0, ours.Explain(toOurs, toStock));
        string header = incremental ? "sending incremental file list" : "building file list ... done";
        Assert.Equal(header, ListHeader(toStock));
        Assert.Equal(header, ListHeader(toOurs));
        PullTree.AssertSame(Dest(stock), Dest(ours));
        if (options.Contains("--delete", StringComparison.Ordinal))
            PullTree.AssertSame(source, Dest(ours));
        // The sender's lines; the interleaving of deletions (the daemon's generator, sent as messages) with the names
        // is timing, so each kind is compared in its own order (as for the pull).
        string expected = StockOutput.Normalize(toStock.Stdout, Dest(stock)), actual = StockOutput.Normalize(toOurs.Stdout, Dest(ours));
        if (options.Split(' ')[0].Contains('i'))
            IncrementalTree.AssertSameSequences(expected, actual, l => l.StartsWith("<f", StringComparison.Ordinal), IncrementalTree.IsDeletion);
        else
            Assert.Equal(expected.Split('\n').Order(StringComparer.Ordinal), actual.Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal(IncrementalTree.Counts(toStock.Stdout), IncrementalTree.Counts(toOurs.Stdout));
    }

    // The client's first line after the daemon's motd (which ends with a blank line).
    private static string ListHeader(ProcessResult r) =>
        r.Stdout.Split('\n').SkipWhile(l => l.Length > 0).SkipWhile(l => l.Length == 0).FirstOrDefault() ?? "";

    // -H: both receiving daemons take the lists incrementally (hlink.c: match_gnums joins a later list's members to
    // their groups by the global index of the group's first); groups spanning directories in different lists
    // (IncrementalTree.AddHardLinks), fresh and over a stale copy whose members are separate files, end up linked as
    // stock's daemon links them, with the client's lines and counts.
    [Theory]
    [InlineData("-avH", false)]
    [InlineData("-aviH --delete --stats", true)]
    public async Task HardLinksAcrossListsAreLinkedAsByStocksDaemon(string options, bool stale)
    {
        string source = IncrementalTree.CreateSource(_sandbox.Root, hardLinks: true, stale, Dest(stock), Dest(ours));
        string[] args = options.Split(' ');
        ProcessResult toStock = await stock.RunRsyncAsync([.. args, source + "/", Url(stock)]);
        ProcessResult toOurs = await ours.RunRsyncAsync([.. args, source + "/", Url(ours)]);

        Assert.True(toStock.ExitCode == 0 && toOurs.ExitCode == 0, ours.Explain(toOurs, toStock));
        Assert.Equal("sending incremental file list", ListHeader(toStock));
        Assert.Equal("sending incremental file list", ListHeader(toOurs));
        TreeAssert.Equal(Dest(stock), Dest(ours), nanoseconds: true, hardLinks: true);
        Assert.Equal(0, NativeStat.TryLstat(Path.Combine(Dest(ours), "d09", "s2", "top-link2"), out NativeStat.Info top));
        Assert.Equal(3L, (long)top.Nlink);
        string expected = StockOutput.Normalize(toStock.Stdout, Dest(stock)), actual = StockOutput.Normalize(toOurs.Stdout, Dest(ours));
        IncrementalTree.AssertSameWithLinkLinesApart(expected, actual);
        Assert.Equal(IncrementalTree.Counts(toStock.Stdout), IncrementalTree.Counts(toOurs.Stdout));
    }
}
