using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Push;

/// <summary>
/// Pushes to the stock daemon with incremental recursion (issue 16): mrsync offers 'i' as stock's client does
/// (ServerArgumentsTests.PushOffersIncrementalRecursion), the daemon turns it on (compat.c: setup_protocol), and mrsync
/// sends the top level first and every directory's contents in a list of its own, interleaved with the file data
/// (flist.c: send_extra_file_list), freeing each list when the daemon's generator is done with it. A tree of about
/// 3,000 entries in 47 directories (nested, symlinks, an empty directory) pushed over a stale copy must come out as the
/// source and as stock's client makes it, with stock's output line for line (-v, -i, deletions, which with
/// incremental recursion come per directory: the daemon deletes during the walk), and the same --stats counts.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class IncrementalPushTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        _sandbox.Dispose();
        foreach (string side in (string[])["ours", "theirs"])
        {
            string dir = Destination(side);
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    private string Destination(string side) => Path.Combine(daemon.ModulePath(DaemonModules.Open), $"ipush-{_id}-{side}");

    // Stock's output beside ours: what StockOutput masks, and the two destinations' names ("created directory").
    private string Normalize(string stdout, string source) =>
        StockOutput.Normalize(stdout, source).Replace(Path.GetFileName(Destination("theirs")), "DEST", StringComparison.Ordinal)
            .Replace(Path.GetFileName(Destination("ours")), "DEST", StringComparison.Ordinal);

    private string Url(string side) => $"{daemon.Url}{DaemonModules.Open}/{Path.GetFileName(Destination(side))}/";

    [Theory]
    [InlineData("-av")]
    [InlineData("-avi --delete")]
    [InlineData("-rlptv --delete-during")]
    [InlineData("-ai --delete --stats")]
    [InlineData("-avc")]
    [InlineData("-av --delete --no-i-r")]
    [InlineData("-avi --delete-after")]
    public async Task ATreeOfManyDirectoriesArrivesAsStocksClientPushesIt(string options)
    {
        string source = IncrementalTree.CreateSource(_sandbox.Root, hardLinks: false, stale: true, Destination("ours"), Destination("theirs"));
        string[] args = options.Split(' ');

        ProcessResult mine = await daemon.RunMrsyncAsync([.. args, source + "/", Url("ours")]);
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, source + "/", Url("theirs")]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        PullTree.AssertSame(Destination("theirs"), Destination("ours"));
        if (options.Contains("--delete", StringComparison.Ordinal))
            PullTree.AssertSame(source, Destination("ours"));
        // The names in the generator's order, the deletions in its order (IncrementalTree.Split: how the two
        // interleave depends on timing, in stock's own runs too).
        // The linked members' lines come when the daemon's generator learns its leader is in place (timing, in
        // stock's own runs too): as a set; the deletions in their order.
        IncrementalTree.AssertSameWithLinkLinesApart(Normalize(stock.Stdout, source), Normalize(mine.Stdout, source));
        Assert.Equal(IncrementalTree.Counts(stock.Stdout), IncrementalTree.Counts(mine.Stdout));
    }

    /// <summary>
    /// The proof that the lists went directory by directory: the header says the daemon agreed to incremental
    /// recursion ("sending incremental file list", printed once the compat flags carry CF_INC_RECURSE; "building file
    /// list ... done" when it did not: --no-i-r, or --delete-before, which a receiving daemon refuses it for, compat.c:
    /// set_allow_inc_recurse), and stock's receiver under incremental recursion refuses any entry of a list that does
    /// not lie directly in that list's directory ("ABORTING due to invalid path from sender", flist.c:
    /// recv_file_list), so a nested tree that arrives whole came as one list per directory.
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("--no-i-r", false)]
    [InlineData("--delete-before", false)]
    public async Task TheDaemonAgreesAndTheListsGoOneDirectoryAtATime(string option, bool incremental)
    {
        string source = Path.Combine(_sandbox.Root, "src");
        IncrementalTree.Create(source);
        string[] args = option.Length == 0 ? ["-av"] : ["-av", option];

        ProcessResult mine = await daemon.RunMrsyncAsync([.. args, source + "/", Url("ours")]);
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, source + "/", Url("theirs")]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
        foreach (ProcessResult r in (ProcessResult[])[stock, mine])
        {
            string header = incremental ? "sending incremental file list" : "building file list ... done";
            Assert.True(r.Stdout.Split('\n').SkipWhile(l => !l.Contains("file list", StringComparison.Ordinal)).FirstOrDefault() == header, r.Stdout);
            Assert.DoesNotContain("ABORTING", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(Normalize(stock.Stdout, source), Normalize(mine.Stdout, source));
        PullTree.AssertSame(source, Destination("ours"));
    }

    /// <summary>
    /// -H with incremental recursion, as stock's client pushes (flist.c: send_file_entry): a later list's member of a
    /// group names its first by a global index in an earlier list and is sent whole. Groups spanning directories in
    /// different lists (IncrementalTree.AddHardLinks), fresh and over a stale copy whose members are separate files:
    /// stock's daemon links them as for stock's client, with the same lines ("hf ... => LEADER") and counts.
    /// </summary>
    [Theory]
    [InlineData("-avH --delete", false)]
    [InlineData("-aiH --delete --stats", true)]
    [InlineData("-aviH", true)]
    public async Task HardLinksAcrossListsArriveLinkedAsStocksClientPushesThem(string options, bool stale)
    {
        string source = IncrementalTree.CreateSource(_sandbox.Root, hardLinks: true, stale, Destination("ours"), Destination("theirs"));
        string[] args = options.Split(' ');

        ProcessResult mine = await daemon.RunMrsyncAsync([.. args, source + "/", Url("ours")]);
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, source + "/", Url("theirs")]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(mine, stock));
        if (options.Contains('v', StringComparison.Ordinal))
        {
            foreach (ProcessResult r in (ProcessResult[])[stock, mine])
                Assert.Contains("sending incremental file list", r.Stdout, StringComparison.Ordinal);
        }
        TreeAssert.Equal(Destination("theirs"), Destination("ours"), nanoseconds: true, hardLinks: true);
        if (options.Contains("--delete", StringComparison.Ordinal))
            TreeAssert.Equal(source, Destination("ours"), nanoseconds: true, hardLinks: true);
        // The linked members' lines come when the daemon's generator learns its leader is in place (timing, in
        // stock's own runs too): as a set; the deletions in their order.
        IncrementalTree.AssertSameWithLinkLinesApart(Normalize(stock.Stdout, source), Normalize(mine.Stdout, source));
        Assert.Equal(IncrementalTree.Counts(stock.Stdout), IncrementalTree.Counts(mine.Stdout));
    }
}
