using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Stock's client pulls from `mrsync daemon` with incremental recursion on, as it does from stock's daemon (issue 16):
/// it offers 'i' by default, mrsync's sending server sets CF_INC_RECURSE (compat.c: setup_protocol) and sends the
/// top level first and every directory's contents in a list of its own (flist.c: send_extra_file_list), interleaved
/// with file data and freeing each list on the client generator's NDX_DONE. The trees, the client's output line for
/// line and its --stats counts must be stock's; stock's own debug output (--debug=FLIST2: "receiving flist for dir N")
/// proves the lists came one directory at a time, as many as from stock's daemon.
/// </summary>
[Collection(DaemonParityCollection.Name)]
public sealed class IncrementalServerSenderTests(RsyncDaemonFixture stock, MrsyncDaemonFixture ours) : IDisposable
{
    private readonly TwoDaemonSources _sources = new(stock, ours, "isend-");

    public void Dispose() => _sources.Dispose();

    // One tree, copied with its symlinks' times (cp -a), so that both daemons serve the same entries.
    private void CreateSources()
    {
        IncrementalTree.Create(_sources.Source(ours));
        TwoDaemonSources.CopyTree(_sources.Source(ours), _sources.Source(stock));
    }

    [Theory]
    [InlineData("-av")]
    [InlineData("-avi --delete")]
    [InlineData("-a --delete --stats")]
    [InlineData("-rltv --no-i-r")]
    public async Task AStockClientPullsATreeAsFromStocksDaemon(string options)
    {
        CreateSources();
        string template = _sources.Dest("template");
        IncrementalTree.CreateStaleCopy(_sources.Source(ours), template);
        StockOutput.CopyTree(template, _sources.Dest("stock"));
        StockOutput.CopyTree(template, _sources.Dest("ours"));
        string[] args = options.Split(' ');

        ProcessResult fromStock = await stock.RunRsyncAsync([.. args, _sources.Url(stock), _sources.Dest("stock") + "/"]);
        ProcessResult fromOurs = await ours.RunRsyncAsync([.. args, _sources.Url(ours), _sources.Dest("ours") + "/"]);

        Assert.True(fromStock.ExitCode == 0, stock.Explain(fromStock));
        Assert.True(fromOurs.ExitCode == 0, ours.Explain(fromOurs, fromStock));
        PullTree.AssertSame(_sources.Dest("stock"), _sources.Dest("ours"));
        if (options.Contains("--delete", StringComparison.Ordinal))
            PullTree.AssertSame(_sources.Source(ours), _sources.Dest("ours"));
        // The client's generator's lines in its order, its deletions in theirs and its receiver's ("&gt;f" with -i) in
        // theirs; with -v alone they cannot be told apart, so the same lines (IncrementalTree.AssertSameSequences: the interleaving is timing).
        string expected = StockOutput.Normalize(fromStock.Stdout, _sources.Dest("stock")), actual = StockOutput.Normalize(fromOurs.Stdout, _sources.Dest("ours"));
        if (options.Split(' ')[0].Contains('i'))
            IncrementalTree.AssertSameSequences(expected, actual, l => l.StartsWith(">f", StringComparison.Ordinal), IncrementalTree.IsDeletion);
        else
            Assert.Equal(expected.Split('\n').Order(StringComparer.Ordinal), actual.Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal(IncrementalTree.Counts(fromStock.Stdout), IncrementalTree.Counts(fromOurs.Stdout));
    }

    [Theory]
    [InlineData("", 47)]
    [InlineData("--no-i-r", 0)]
    [InlineData("-H", 47)] // -H too (flist.c: send_file_entry names a group's first by a global index)
    public async Task TheListsComeOneDirectoryAtATime(string option, int stockLists)
    {
        CreateSources();
        string[] args = option.Length == 0 ? ["-a", "--debug=FLIST2"] : ["-a", "--debug=FLIST2", option];

        ProcessResult fromStock = await stock.RunRsyncAsync([.. args, _sources.Url(stock), _sources.Dest("stock") + "/"]);
        ProcessResult fromOurs = await ours.RunRsyncAsync([.. args, _sources.Url(ours), _sources.Dest("ours") + "/"]);

        Assert.True(fromStock.ExitCode == 0 && fromOurs.ExitCode == 0, ours.Explain(fromOurs, fromStock));
        PullTree.AssertSame(_sources.Source(ours), _sources.Dest("ours"));
        // flist.c / rsync.c: the client's receiver and its generator each log "receiving flist for dir N" per list.
        static int Lists(ProcessResult r) =>
            r.Stdout.Split('\n').Count(l => l.Contains("] receiving flist for dir ", StringComparison.Ordinal));
        Assert.Equal(stockLists, Lists(fromStock) / 2);
        Assert.Equal(stockLists, Lists(fromOurs) / 2);
    }
}
