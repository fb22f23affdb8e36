using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// -R/--relative with incremental recursion, as stock 3.5.0 does it (issue 16, protocol-notes §57): stock turns i-r on
/// with -R (compat.c: set_allow_inc_recurse does not look at it), its sender puts only the first directory of each
/// relative name in the first list, flagged implied, and every further component in the list of the directory before
/// it (flist.c: send_implied_dirs, send1extra), and its receiver takes them so. Every side of mrsync now does the same:
/// a push and a pull beside stock's client against stock's daemon, a local copy beside stock's, and stock's client
/// pushing into and pulling from `mrsync daemon` beside stock's daemon. Several sources with "/./" anchors, deep
/// relative names, a shared implied parent, a file and a symlink named directly, over a stale copy with --delete
/// (whose implied parents must keep their extra entries): the exit codes, trees, -i lines and --stats counts must be
/// stock's. A wire check: stock's client logs "receiving flist for dir N" per list (--debug=FLIST2), and pulling from
/// `mrsync daemon` gives the same lists, each with the same names, as pulling from stock's.
/// </summary>
[Collection(DaemonParityCollection.Name)]
public sealed class RelativeIncrementalTests(RsyncDaemonFixture stock, MrsyncDaemonFixture ours) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _name = "rel-" + Guid.NewGuid().ToString("N")[..12];

    // Relative names below the anchor: a deep directory, a whole top directory, a file and a directory sharing the
    // implied parent d01 (one after the other: stock sends d01 once and lists both below it), a symlink named
    // directly, a directory two levels down.
    private static readonly string[] s_names = ["d00/a/b/c", "d03", "d01/s0/f001.txt", "d01/s1", "d09/s1/link", "d05/s2"];

    public void Dispose()
    {
        _sandbox.Dispose();
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            foreach (string module in (string[])[DaemonModules.Open, DaemonModules.ReadOnly])
            {
                string dir = Path.Combine(d.ModulePath(module), _name);
                if (Directory.Exists(dir))
                    Directory.Delete(dir, recursive: true);
            }
        }
    }

    private string Local(string side) => Path.Combine(_sandbox.Root, side);

    private string InModule(RsyncDaemonFixture d, string module) => Path.Combine(d.ModulePath(module), _name);

    private string Url(RsyncDaemonFixture d, string module) => $"{d.Url}{module}/{_name}";

    private static string[] Sources(string root) => [.. s_names.Select(n => root + "/./" + n)];

    // Both destinations start as one stale copy of the whole source (copied with its times: the entries outside the
    // named ones keep whatever time the stale changes gave them): changed, missing and extra entries under the named
    // directories and under their implied parents (d05/extra-dir, which --delete must leave: d05 is only implied).
    private static void Stale(string source, bool stale, params string[] dests)
    {
        foreach (string dest in dests)
            Directory.CreateDirectory(dest);
        if (!stale)
            return;
        string template = dests[0] + "-template";
        IncrementalTree.CreateStaleCopy(source, template);
        foreach (string dest in dests)
            StockOutput.CopyTree(template, dest);
        Directory.Delete(template, recursive: true);
    }

    // With --no-implied-dirs an implied parent keeps no time of the sender's: a file renamed into it (d01/s0's
    // f001.txt) leaves it with the second of that rename, on either side, so directory times are left out.
    private static void AssertSameTree(string expectedDest, string actualDest, string options)
    {
        if (options.Contains("--no-implied-dirs", StringComparison.Ordinal))
            ManagedRsync.InteropTests.Push.TreeAssert.Equal(expectedDest, actualDest, nanoseconds: true, hardLinks: false);
        else
            PullTree.AssertSame(expectedDest, actualDest);
    }

    private static void AssertSameRun(ProcessResult expected, string expectedDest, ProcessResult actual, string actualDest, string options, string explain)
    {
        Assert.True(expected.ExitCode == 0 && actual.ExitCode == 0, explain);
        AssertSameTree(expectedDest, actualDest, options);
        string want = StockOutput.Normalize(expected.Stdout, expectedDest), got = StockOutput.Normalize(actual.Stdout, actualDest);
        // The receiver's "&gt;f" lines and the deletions come in their own orders, interleaved by timing
        // (IncrementalTree.AssertSameSequences); every other line in stock's order.
        if (options.Split(' ')[0].Contains('i'))
            IncrementalTree.AssertSameSequences(want, got, l => l.StartsWith(">f", StringComparison.Ordinal), IncrementalTree.IsDeletion);
        Assert.Equal(IncrementalTree.Counts(expected.Stdout), IncrementalTree.Counts(actual.Stdout));
        Assert.Equal(expected.Stderr, actual.Stderr);
    }

    [Theory]
    [InlineData("push", "-aRi", false)]
    [InlineData("push", "-aRi --delete", true)]
    [InlineData("push", "-aR --no-implied-dirs --stats", true)]
    [InlineData("pull", "-aR --stats", false)]
    [InlineData("pull", "-aR --delete --stats", true)]
    [InlineData("pull", "-aR --delete-during --no-implied-dirs", true)]
    [InlineData("pull", "-aRi --delete", true)]
    [InlineData("local", "-aRi", false)]
    [InlineData("local", "-aRi --delete --stats", true)]
    [InlineData("local", "-aRi --no-implied-dirs", true)]
    public async Task MrsyncsClientCopiesRelativeNamesAsStocksClient(string side, string options, bool stale)
    {
        string[] args = [.. options.Split(' ')];
        ProcessResult mine, theirs;
        string mineDest, theirsDest;
        if (side == "pull")
        {
            string source = InModule(stock, DaemonModules.ReadOnly);
            IncrementalTree.Create(source);
            (mineDest, theirsDest) = (Local("ours"), Local("stock"));
            Stale(source, stale, mineDest, theirsDest);
            mine = await stock.RunMrsyncAsync([.. args, .. Sources(Url(stock, DaemonModules.ReadOnly)), mineDest + "/"]);
            theirs = await stock.RunRsyncAsync([.. args, .. Sources(Url(stock, DaemonModules.ReadOnly)), theirsDest + "/"]);
        }
        else
        {
            string source = Local("src");
            IncrementalTree.Create(source);
            bool push = side == "push";
            (mineDest, theirsDest) = push ? (InModule(stock, DaemonModules.Open) + "-ours", InModule(stock, DaemonModules.Open)) : (Local("ours"), Local("stock"));
            Stale(source, stale, mineDest, theirsDest);
            string Target(string dest) => push ? $"{stock.Url}{DaemonModules.Open}/{Path.GetFileName(dest)}/" : dest + "/";
            try
            {
                mine = await stock.RunMrsyncAsync([.. args, .. Sources(source), Target(mineDest)]);
                theirs = await stock.RunRsyncAsync([.. args, .. Sources(source), Target(theirsDest)]);
                AssertSameRun(theirs, theirsDest, mine, mineDest, options, stock.Explain(mine, theirs));
            }
            finally
            {
                if (push && Directory.Exists(mineDest))
                    Directory.Delete(mineDest, recursive: true);
            }
            return;
        }
        AssertSameRun(theirs, theirsDest, mine, mineDest, options, stock.Explain(mine, theirs));
    }

    [Theory]
    [InlineData("push", "-aRi", false)]
    [InlineData("push", "-aRi --delete --stats", true)]
    [InlineData("push", "-aRi --no-implied-dirs", true)]
    [InlineData("pull", "-aRi", false)]
    [InlineData("pull", "-aRi --delete --stats", true)]
    [InlineData("pull", "-aRi --delete-during --no-implied-dirs", true)]
    public async Task StocksClientCopiesRelativeNamesWithMrsyncsDaemonAsWithStocks(string direction, string options, bool stale)
    {
        string[] args = [.. options.Split(' ')];
        string source = Local("src");
        IncrementalTree.Create(source);
        if (direction == "push")
        {
            Stale(source, stale, InModule(stock, DaemonModules.Open), InModule(ours, DaemonModules.Open));
            ProcessResult toStock = await stock.RunRsyncAsync([.. args, .. Sources(source), Url(stock, DaemonModules.Open) + "/"]);
            ProcessResult toOurs = await ours.RunRsyncAsync([.. args, .. Sources(source), Url(ours, DaemonModules.Open) + "/"]);
            AssertSameRun(toStock, InModule(stock, DaemonModules.Open), toOurs, InModule(ours, DaemonModules.Open), options,
                ours.Explain(toOurs, toStock));
            return;
        }
        StockOutput.CopyTree(source, InModule(stock, DaemonModules.ReadOnly));
        StockOutput.CopyTree(source, InModule(ours, DaemonModules.ReadOnly));
        Stale(source, stale, Local("from-stock"), Local("from-ours"));
        ProcessResult fromStock = await stock.RunRsyncAsync([.. args, .. Sources(Url(stock, DaemonModules.ReadOnly)), Local("from-stock") + "/"]);
        ProcessResult fromOurs = await ours.RunRsyncAsync([.. args, .. Sources(Url(ours, DaemonModules.ReadOnly)), Local("from-ours") + "/"]);
        AssertSameRun(fromStock, Local("from-stock"), fromOurs, Local("from-ours"), options, ours.Explain(fromOurs, fromStock));
    }

    /// <summary>
    /// A relative name inside another one named before it (`-R d00 d00/a/b/c`): stock's sender lists d00, d00/a and
    /// d00/a/b twice and its receiver clears the copies (flist.c: flist_sort_and_clean), so the pull works. mrsync's
    /// client refused such a list ("duplicate file-list name", exit 12); it now clears them as stock does. Not
    /// compared: --stats' "Number of files" breakdown, where stock counts the cleared directories as directories and
    /// mrsync as regular files (protocol-notes §44).
    /// </summary>
    [Theory]
    [InlineData("-aRi")]
    [InlineData("-aRi --no-i-r")]
    [InlineData("-aRi --delete")]
    [InlineData("-aRv --stats")]
    [InlineData("-aR --stats --no-i-r")]
    public async Task APullOfNestedRelativeNamesClearsTheDuplicatesAsStocksClient(string options)
    {
        string source = InModule(stock, DaemonModules.ReadOnly);
        IncrementalTree.Create(source);
        string root = Url(stock, DaemonModules.ReadOnly);
        string[] args = [.. options.Split(' '), root + "/./d00", root + "/./d00/a/b/c", root + "/./d01/s1", root + "/./d01"];
        Stale(source, options.Contains("--delete", StringComparison.Ordinal), Local("ours"), Local("stock"));
        ProcessResult mine = await stock.RunMrsyncAsync([.. args, Local("ours") + "/"]);
        ProcessResult theirs = await stock.RunRsyncAsync([.. args, Local("stock") + "/"]);
        AssertSameRun(theirs, Local("stock"), mine, Local("ours"), options, stock.Explain(mine, theirs));
    }

    /// <summary>
    /// An absolute -R source without "/./" (a local copy: the one place mrsync takes one): stock's sender keeps the
    /// leading '/' in the names it lists (flist.c: send_file_list; its receiver strips it, flist_sort_and_clean), so
    /// its -i, -v and --progress lines show "/tmp/.../" where the destination gets "tmp/...". Ours must print the same.
    /// </summary>
    [Theory]
    [InlineData("-aRi")]
    [InlineData("-aRv")]
    [InlineData("-aRv --progress --no-i-r")]
    public async Task AnAbsoluteRelativeSourcesLinesKeepTheLeadingSlash(string options)
    {
        string source = Local("src");
        IncrementalTree.Create(source);
        string[] args = [.. options.Split(' '), source + "/d01/s1", source + "/d00/a"];
        Stale(source, false, Local("ours"), Local("stock"));
        ProcessResult mine = await stock.RunMrsyncAsync([.. args, Local("ours") + "/"]);
        ProcessResult theirs = await stock.RunRsyncAsync([.. args, Local("stock") + "/"]);
        Assert.True(theirs.ExitCode == 0 && mine.ExitCode == 0, stock.Explain(mine, theirs));
        // The copied part of the tree; its implied ancestors (/tmp and down) take the times they have when each run
        // reads them, and other processes change /tmp's.
        PullTree.AssertSame(Local("stock") + source, Local("ours") + source);
        // A progress line's updates before its last ('\r') come by timing; the last is compared.
        static string Finals(string text) => string.Join('\n', text.Split('\n').Select(l => l[(l.LastIndexOf('\r') + 1)..]));
        string want = Finals(StockOutput.Normalize(theirs.Stdout, Local("stock"))), got = Finals(StockOutput.Normalize(mine.Stdout, Local("ours")));
        Assert.Contains(source.TrimEnd('/') + "/d01/", got, StringComparison.Ordinal);
        Assert.Equal(want, got);
        Assert.Equal(theirs.Stderr, mine.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--no-implied-dirs")]
    public async Task TheListsOfRelativeNamesAreStocks(string option)
    {
        string source = Local("src");
        IncrementalTree.Create(source);
        StockOutput.CopyTree(source, InModule(stock, DaemonModules.ReadOnly));
        StockOutput.CopyTree(source, InModule(ours, DaemonModules.ReadOnly));
        string[] args = option.Length == 0 ? ["-aR", "--debug=FLIST2"] : ["-aR", "--debug=FLIST2", option];
        // Over one stale copy: --no-implied-dirs would make missing parents with the time of the second they are made.
        Stale(source, true, Local("from-stock"), Local("from-ours"));

        ProcessResult fromStock = await stock.RunRsyncAsync([.. args, .. Sources(Url(stock, DaemonModules.ReadOnly)), Local("from-stock") + "/"]);
        ProcessResult fromOurs = await ours.RunRsyncAsync([.. args, .. Sources(Url(ours, DaemonModules.ReadOnly)), Local("from-ours") + "/"]);

        Assert.True(fromStock.ExitCode == 0 && fromOurs.ExitCode == 0, ours.Explain(fromOurs, fromStock));
        AssertSameTree(Local("from-stock"), Local("from-ours"), option);
        List<string> want = Lists(fromStock.Stdout), got = Lists(fromOurs.Stdout);
        // One list per directory after the first two: more than a few prove incremental recursion on both sides.
        Assert.True(want.Count(l => l.StartsWith("[receiver]", StringComparison.Ordinal)) > 5, fromStock.Stdout);
        Assert.Equal(want, got);
    }

    // The lists as the client's receiver announces them, in its order ("[receiver] receiving flist for dir N": which
    // directories got a list, numbered by the directory table), then every name received, sorted (stock's sender
    // writes a list's entries in readdir order, mrsync's sorted; the generator, a process of its own, logs each list
    // again and its lines may fall between the receiver's).
    private static List<string> Lists(string stdout)
    {
        string[] lines = stdout.Split('\n');
        return [.. lines.Where(l => l.StartsWith("[receiver] receiving flist for dir ", StringComparison.Ordinal)),
            .. lines.Where(l => l.StartsWith("recv_file_name(", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }
}
