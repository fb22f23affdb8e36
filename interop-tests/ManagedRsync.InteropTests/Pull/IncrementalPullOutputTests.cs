using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.DaemonServer;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// A receiving mrsync client takes incremental lists with per-entry output on (issue 16): -v, -i, --out-format and
/// --progress no longer make it decline, and what it prints must be what stock's client prints: the lines of every
/// list in stock's order (the generator walks the lists as they come and the sender echoes each index in that order,
/// receiver.c: recv_files, log.c: maybe_log_item), each directory's line where its own list starts (generator.c:
/// generate_files at ndx_start - 1), "receiving incremental file list", and --progress's "ir-chk"/"to-chk" places.
/// Three ways beside stock's client pulling from stock's daemon: mrsync pulling from stock's daemon, mrsync pulling
/// from `mrsync daemon`, and a local copy beside stock's local copy. Over the tree of IncrementalTree (47 directories,
/// about 3,000 entries: lists interleave with file data) made stale, with --delete, --delete-during, -H.
/// Compared as determined in stock itself: the client's generator prints "deleting" lines at once while the other
/// lines wait for the sender's echo, so where the deletions fall among them is timing (stock's own runs move them);
/// they are compared as a sequence of their own. A hard link's "=>" line comes when the generator reads that its
/// leader is in place (timing too): compared as a set. Everything else line for line.
/// </summary>
[Collection(DaemonParityCollection.Name)]
public sealed partial class IncrementalPullOutputTests(RsyncDaemonFixture stock, MrsyncDaemonFixture ours) : IDisposable
{
    private readonly TwoDaemonSources _sources = new(stock, ours, "ipout-");

    public void Dispose() => _sources.Dispose();

    // One tree in both daemons' modules (cp -a keeps the symlinks' times) and in the sandbox for a local copy.
    private string CreateSources(bool hardLinks, Action<string> create)
    {
        create(_sources.Source(stock));
        if (hardLinks)
            IncrementalTree.AddHardLinks(_sources.Source(stock));
        foreach (string copy in (string[])[_sources.Source(ours), _sources.Dest("src")])
            TwoDaemonSources.CopyTree(_sources.Source(stock), copy);
        return _sources.Source(stock);
    }

    // mrsync's run from the given side, and stock's client pulling from stock's daemon, into copies of one template.
    private async Task<(ProcessResult Mine, ProcessResult Theirs)> RunBoth(string from, string[] args, bool stale)
    {
        foreach (string side in (string[])["ours", "stock"])
            Directory.CreateDirectory(_sources.Dest(side));
        if (stale)
        {
            string template = _sources.Dest("template");
            IncrementalTree.CreateStaleCopy(_sources.Source(stock), template);
            StockOutput.CopyTree(template, _sources.Dest("ours"));
            StockOutput.CopyTree(template, _sources.Dest("stock"));
        }
        ProcessResult mine, theirs;
        if (from == "local")
        {
            mine = await stock.RunMrsyncAsync([.. args, _sources.Dest("src") + "/", _sources.Dest("ours") + "/"]);
            theirs = await stock.RunRsyncAsync([.. args, _sources.Dest("src") + "/", _sources.Dest("stock") + "/"]);
        }
        else
        {
            mine = await (from == "ours" ? ours : stock).RunMrsyncAsync([.. args, _sources.Url(from == "ours" ? ours : stock), _sources.Dest("ours") + "/"]);
            theirs = await stock.RunRsyncAsync([.. args, _sources.Url(stock), _sources.Dest("stock") + "/"]);
        }
        Assert.True(theirs.ExitCode == 0, stock.Explain(theirs));
        Assert.True(mine.ExitCode == 0, stock.Explain(mine, theirs));
        return (mine, theirs);
    }

    // Deletions as a sequence of their own, "=>" lines as a set, every other line in stock's order.
    private static void AssertSameOutput(string expected, string actual)
    {
        static IEnumerable<string> Links(string text) => text.Split('\n').Where(IncrementalTree.IsHardLinkLine).Order(StringComparer.Ordinal);
        Assert.Equal(Links(expected), Links(actual));
        static string Rest(string text) => string.Join('\n', text.Split('\n').Where(l => !IncrementalTree.IsHardLinkLine(l)));
        static IEnumerable<string> Deletions(string text) => text.Split('\n').Where(IncrementalTree.IsDeletion);
        static IEnumerable<string> Others(string text) => text.Split('\n').Where(l => !IncrementalTree.IsDeletion(l));
        Assert.Equal(Deletions(Rest(expected)), Deletions(Rest(actual)));
        Assert.Equal(string.Join('\n', Others(Rest(expected))), string.Join('\n', Others(Rest(actual))));
    }

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (string from in (string[])["stock", "ours", "local"])
        {
            data.Add(from, "-av", false);
            data.Add(from, "-av --delete --stats", true);
            data.Add(from, "-ai --delete-during", true);
            data.Add(from, "-aii", true);
            data.Add(from, "-a --delete --out-format=%i|%n|%l|%b", true);
            data.Add(from, "-aviH --delete", true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryListsLinesComeAsStocksClientPrintsThem(string from, string options, bool stale)
    {
        bool hardLinks = options.Contains('H', StringComparison.Ordinal);
        CreateSources(hardLinks, IncrementalTree.Create);
        var (mine, theirs) = await RunBoth(from, options.Split(' '), stale);

        PullTree.AssertSame(_sources.Dest("stock"), _sources.Dest("ours"));
        if (options.Contains("--delete", StringComparison.Ordinal))
            ManagedRsync.InteropTests.Push.TreeAssert.Equal(_sources.Dest("src"), _sources.Dest("ours"), nanoseconds: true, hardLinks: hardLinks);
        string want = StockOutput.Normalize(theirs.Stdout, _sources.Dest("stock")), got = StockOutput.Normalize(mine.Stdout, _sources.Dest("ours"));
        if (options.Contains('v', StringComparison.Ordinal))
            Assert.Contains(from == "local" ? "sending incremental file list" : "receiving incremental file list", got.Split('\n'));
        AssertSameOutput(want, got);
        Assert.Equal(IncrementalTree.Counts(theirs.Stdout), IncrementalTree.Counts(mine.Stdout));
        Assert.Equal(theirs.Stderr, mine.Stderr);
    }

    // A tree of several small lists (fewer entries than MIN_FILECNT_LOOKAHEAD, rsync.h: the sender sends every list
    // before the first file's data, so every progress line's place and total is determined): nested directories, a
    // file, a symlink and an empty directory at each level.
    private static void CreateNested(string root)
    {
        var time = new DateTime(2022, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        foreach (string dir in (string[])["a", "a/b", "a/b/c", "a/d", "e", "e/f", "g"])
        {
            string path = Path.Combine(root, dir);
            Directory.CreateDirectory(path);
            for (int i = 0; i < 3; i++)
                File.WriteAllText(Path.Combine(path, $"f{i}"), $"{dir}/{i}\n");
            File.CreateSymbolicLink(Path.Combine(path, "link"), "f0");
            Directory.CreateDirectory(Path.Combine(path, "empty"));
        }
        File.WriteAllBytes(Path.Combine(root, "a", "b", "c", "big"), PullTree.RandomBytes(200_000, seed: 5));
        File.WriteAllText(Path.Combine(root, "top"), "top\n");
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                     .Where(p => new FileInfo(p).LinkTarget is null).OrderDescending(StringComparer.Ordinal).Append(root))
            File.SetLastWriteTimeUtc(path, time);
    }

    /// <summary>
    /// --progress over several lists: each file's name, then its line with "(xfr#N, to-chk=R/T)" where R counts the
    /// entries left by their place among all listed (progress.c: set_current_file_index, the index less its list's
    /// number), compared unmasked; only the rates and times are.
    /// </summary>
    [Theory]
    [InlineData("stock", "-a --progress")]
    [InlineData("stock", "-av --progress --delete")]
    [InlineData("ours", "-a --progress")]
    [InlineData("ours", "-aiP --delete")]
    [InlineData("local", "-av --progress --delete")]
    public async Task ProgressCountsEntriesAcrossTheListsAsStocksClient(string from, string options)
    {
        CreateSources(hardLinks: false, CreateNested);
        foreach (string side in (string[])["ours", "stock"])
        {
            Directory.CreateDirectory(Path.Combine(_sources.Dest(side), "a", "gone"));
            Directory.CreateDirectory(Path.Combine(_sources.Dest(side), "a", "b"));
            File.WriteAllText(Path.Combine(_sources.Dest(side), "a", "gone", "x"), "x\n");
            File.WriteAllText(Path.Combine(_sources.Dest(side), "a", "b", "old"), "old\n");
        }
        var (mine, theirs) = await RunBoth(from, options.Split(' '), stale: false);

        PullTree.AssertSame(_sources.Dest("stock"), _sources.Dest("ours"));
        string want = MaskRates(theirs.Stdout, _sources.Dest("stock")), got = MaskRates(mine.Stdout, _sources.Dest("ours"));
        Assert.Contains("to-chk=", got, StringComparison.Ordinal);
        AssertSameOutput(want, got);
        Assert.Equal(theirs.Stderr, mine.Stderr);
    }

    // StockOutput.Normalize without its to-chk mask: the places are compared here. A progress line's updates before its
    // last ('\r') come by timing; the last, with the totals, is compared. Stock's generator prints a "deleting" line
    // while its receiver's progress line may be open (two processes, one terminal): such a line is taken out whole
    // wherever it fell and put after the rest (AssertSameOutput compares the deletions as a sequence of their own).
    private static string MaskRates(string stdout, string destination)
    {
        string text = StockOutput.Normalize(stdout.Replace("to-chk=", "TO-CHK=", StringComparison.Ordinal), destination)
            .Replace("TO-CHK=", "to-chk=", StringComparison.Ordinal);
        List<string> deletions = [];
        text = DeletionLine().Replace(text, m =>
        {
            deletions.Add(m.Value.TrimEnd('\n'));
            return "";
        });
        // A progress update cut short by the newline mrsync owes a message printed meanwhile (protocol-notes §47) is
        // timing too (stock's two processes run the message into the line instead): only finished lines are kept.
        return string.Join('\n', text.Split('\n').Select(l => l[(l.LastIndexOf('\r') + 1)..])
            .Where(l => !UnfinishedProgress().IsMatch(l)).Concat(deletions));
    }

    [GeneratedRegex(@"^ +[0-9,]+ +[0-9]+%RATE TIME *$")]
    private static partial Regex UnfinishedProgress();

    [GeneratedRegex(@"\*?deleting +[^\n]*\n")]
    private static partial Regex DeletionLine();

    /// <summary>
    /// A file redone in phase 2 (--append-verify over a destination copy whose first half differs: the whole-file
    /// check fails, "failed verification -- update retained (will try again)", and the generator asks again): with
    /// incremental recursion stock's generator takes the redo between later lists, so the redone file's second line
    /// falls among them by timing and is compared as a set; every other line in stock's order.
    /// </summary>
    [Theory]
    [InlineData("stock")]
    [InlineData("ours")]
    public async Task ARedoneFileIsPrintedAsByStocksClient(string from)
    {
        CreateSources(hardLinks: false, IncrementalTree.Create);
        foreach (string side in (string[])["ours", "stock"])
        {
            string deep = Path.Combine(_sources.Dest(side), "d00", "a", "b", "c", "d", "e", "f");
            Directory.CreateDirectory(deep);
            File.WriteAllBytes(Path.Combine(deep, "deep.bin"), PullTree.RandomBytes(100_000, seed: 9));
        }
        var (mine, theirs) = await RunBoth(from, ["-ai", "--append-verify"], stale: false);

        PullTree.AssertSame(_sources.Dest("stock"), _sources.Dest("ours"));
        const string redone = "d00/a/b/c/d/e/f/deep.bin";
        static List<string> Lines(string s) => [.. s.Split('\n')];
        List<string> want = Lines(StockOutput.Normalize(theirs.Stdout, _sources.Dest("stock"))), got = Lines(StockOutput.Normalize(mine.Stdout, _sources.Dest("ours")));
        Assert.Equal(want.Where(l => l.EndsWith(redone, StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            got.Where(l => l.EndsWith(redone, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(want.Where(l => !l.EndsWith(redone, StringComparison.Ordinal)), got.Where(l => !l.EndsWith(redone, StringComparison.Ordinal)));
        Assert.Equal(theirs.Stderr, mine.Stderr);
    }
}
