namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// `mrsync ARGS SRC/ DST/` next to `rsync ARGS SRC/ DST/` (stock 3.5.0's local copy: its client sender and forked
/// server generator/receiver) on the same source: trees byte for byte (names that are not UTF-8, modes, mtimes,
/// owners, symlinks, hard-link groups, devices and fifos), stdout of -v and -i runs, exit codes.
/// </summary>
public sealed class LocalCopyParityTests : IDisposable
{
    private readonly SideBySide _pair = new();

    public void Dispose() => _pair.Dispose();

    public static TheoryData<string> FreshCopies() =>
    [
        "-a", "-av", "-ai", "-avi", "-aH", "-aHv", "-aHi", "-a --stats", "-av --stats", "-rv", "-rlv", "-rtv",
        "-rlptv", "-a --no-D -v", "-a --no-l -v", "-a --no-p -i", "-a --no-t -i", "-aq", "-a --itemize-changes -v",
        "-a --exclude=*.o", "-av --exclude=sub/ --exclude=/CVS", "-av --include=*/ --include=*.txt --exclude=*",
        "-ai --filter=-_*.tmp --filter=+_core --filter=-_c*", "-avC", "-av -f-/_.git",
    ];

    [Theory]
    [MemberData(nameof(FreshCopies))]
    public async Task FreshCopyIsStocks(string options)
    {
        CreateFullSource();
        var outcome = await _pair.RunAsync(Split(options));
        LocalCopyKnownDifferences.Check($"Fresh {options}", () => outcome.AssertExit(0).AssertSame(KeepsTimes(options)));
    }

    public static TheoryData<string, string> SecondRuns() => new()
    {
        { "-a", "-ai" }, { "-a", "-av" }, { "-a", "-avi" }, { "-aH", "-aHi" }, { "-a", "-ai --delete" }, { "-a", "-av --delete" },
        { "-a", "-ai --delete-before" }, { "-a", "-av --delete-after" }, { "-a", "-ai --delete-delay" }, { "-a", "-av --delete-during" },
        { "-a", "-ai --delete --exclude=*.o" }, { "-a", "-ai --delete-excluded --exclude=*.o --exclude=/CVS" },
        { "-a", "-av --delete --filter=P_*.o --exclude=*.o" }, { "-a", "-ai --delete -C" }, { "-a", "-ai --stats --delete" },
        { "-a", "-ai --checksum" }, { "-a", "-ai --ignore-times" }, { "-a", "-ai --size-only" }, { "-a", "-ai --no-W" },
    };

    [Theory]
    [MemberData(nameof(SecondRuns))]
    public async Task SecondRunAfterEditsIsStocks(string first, string second)
    {
        CreateFullSource();
        (await _pair.RunAsync(Split(first))).AssertExit(0).AssertSame();
        LocalSource.Edit(_pair.Source);
        // An extraneous file in both copies for --delete, and one the exclude rules protect from it.
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "only-in-dest.txt", "x");
            LocalSource.Write(dest, "old/x.o", "x");
            LocalSource.SetTimes(dest);
        }
        var outcome = await _pair.RunAsync(Split(second));
        LocalCopyKnownDifferences.Check($"SecondRun {first} | {second}", () => outcome.AssertExit(0).AssertSame(KeepsTimes(second)));
    }

    /// <summary>
    /// The deletion lines in stock's order, names and deletions of the top directory and below it compared line by
    /// line: with --no-i-r stock's server generator flushes after the top directory (generator.c: generate_files,
    /// io.c: maybe_flush_socket), so "./" comes between the top's deletions and those below. (With incremental
    /// recursion each part's deletions and names come in turn, interleaved as the two halves' timing has it, in stock's
    /// local copy as in mrsync's: those runs are compared stream by stream.)
    /// </summary>
    [Theory]
    [InlineData("-av --delete --no-i-r")]
    [InlineData("-ai --delete --no-i-r")]
    [InlineData("-av --delete-during --no-i-r")]
    public async Task DeletionLinesComeInStocksOrder(string options)
    {
        CreateFullSource();
        (await _pair.RunAsync(["-a"])).AssertExit(0).AssertSame();
        LocalSource.Edit(_pair.Source);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "only-in-dest.txt", "x");
            LocalSource.Write(dest, "gone-dir/x/y", "x");
            LocalSource.Write(dest, "sub/only-below.txt", "x");
            LocalSource.Write(dest, "sub/deeper/only-deeper.txt", "x");
            LocalSource.SetTimes(dest);
        }
        var outcome = await _pair.RunAsync(Split(options));
        outcome.AssertExit(0).AssertSame(KeepsTimes(options)).AssertSameOutputInOrder();
        Assert.Contains("sub/deeper/only-deeper.txt\n", outcome.Ours.Stdout);
    }

    [Theory]
    [InlineData("-avn")]
    [InlineData("-ain")]
    [InlineData("-ain --delete")]
    [InlineData("-an --stats")]
    public async Task DryRunChangesNothing(string options)
    {
        CreateFullSource();
        (await _pair.RunAsync(["-a"])).AssertExit(0).AssertSame();
        LocalSource.Edit(_pair.Source);
        string before = TreeSnapshot.Of(_pair.Ours);

        (await _pair.RunAsync(Split(options))).AssertExit(0).AssertSame();

        Assert.Equal(before, TreeSnapshot.Of(_pair.Ours));
    }

    /// <summary>
    /// -H as stock's generator does it (hlink.c): a fresh copy transfers the last name of each group and links the
    /// others to it ("NAME => LEADER"); a dry run prints those lines right after the leader's; a second run that finds
    /// some members gone links them to the first member done, and a member already linked shows as "hf" with -ii.
    /// </summary>
    [Theory]
    [InlineData("-aHin")]
    [InlineData("-aHvn")]
    [InlineData("-aHii")]
    [InlineData("-aHv")]
    public async Task HardLinkGroupsAreLinkedAndNamedAsStock(string options)
    {
        CreateFullSource();
        (await _pair.RunAsync(["-aH"])).AssertExit(0).AssertSame();
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            File.Delete(Path.Combine(dest, "hl/one"));
            File.Delete(Path.Combine(dest, "hl2/three-b"));
            // The deletions set the two directories' mtimes to "now", which differs between the two copies when a
            // clock tick falls between them; a dry run leaves them so: give both copies the same times.
            using var touch = System.Diagnostics.Process.Start("touch", ["-m", "-d", "@1700000000", Path.Combine(dest, "hl"), Path.Combine(dest, "hl2")])!;
            touch.WaitForExit();
            Assert.Equal(0, touch.ExitCode);
        }
        (await _pair.RunAsync(Split(options))).AssertExit(0).AssertSame();
        (await _pair.RunAsync(Split(options), under: "fresh")).AssertExit(0).AssertSameOutput();
    }

    /// <summary>
    /// -H with incremental recursion in a local copy (both halves use it, as stock's): groups spanning directories
    /// that travel in different lists (IncrementalTree.AddHardLinks; hlink.c: match_gnums), fresh and again after
    /// members were removed from the copies, with stock's lines.
    /// </summary>
    [Theory]
    [InlineData("-aiH")]
    [InlineData("-avH")]
    public async Task HardLinkGroupsAcrossListsAreLinkedAsStock(string options)
    {
        Fixtures.IncrementalTree.Create(_pair.Source);
        Fixtures.IncrementalTree.AddHardLinks(_pair.Source);
        // Without times: the tree's symlinks keep the moment they were made, and in one CI run stock's copy of one of
        // them carried another time than ours (stock's local copy does not always set a symlink's time, cf.
        // protocol-notes §45); contents, modes, types and hard-link groups are compared.
        (await _pair.RunAsync(Split(options))).AssertExit(0).AssertSameOutputWithLinkLinesApart().AssertSameTrees(times: false);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            File.Delete(Path.Combine(dest, "top.txt"));
            File.Delete(Path.Combine(dest, "d08", "g001-link"));
            foreach (string dir in new[] { dest, Path.Combine(dest, "d08") })
                Directory.SetLastWriteTimeUtc(dir, new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        }
        (await _pair.RunAsync(Split(options))).AssertExit(0).AssertSameOutputWithLinkLinesApart().AssertSameTrees(times: false);
    }

    [Theory]
    [InlineData("-avn")]
    [InlineData("-ain")]
    public async Task DryRunIntoAMissingDestinationCreatesNothing(string options)
    {
        CreateFullSource();
        (await _pair.RunAsync(Split(options))).AssertExit(0).AssertSame();
        Assert.False(Directory.Exists(_pair.Ours));
    }

    [Theory]
    [InlineData("-a")]
    [InlineData("-av")]
    public async Task MissingSourceIsExit23(string options)
    {
        CreateFullSource();
        var outcome = await _pair.RunAsync(Split(options), from: Path.Combine(_pair.Root, "no-such-dir") + "/");
        LocalCopyKnownDifferences.Check($"MissingSource {options}", () => outcome.AssertExit(23).AssertSameOutput());
        Assert.Contains("no-such-dir", outcome.Ours.Stderr, StringComparison.Ordinal);
        Assert.NotEqual("", outcome.Stock.Stderr);
    }

    [Theory]
    [InlineData("-av")]
    [InlineData("-ai")]
    public async Task OneMissingSourceAmongOthersIsExit23AndTheRestIsCopied(string options)
    {
        CreateFullSource();
        var stock = await Fixtures.ToolProcess.RunAsync("rsync",
            [.. Split(options), _pair.Source + "/a.txt", _pair.Source + "/nope", _pair.Source + "/sub", _pair.Stock + "/"]);
        var ours = await Fixtures.MrsyncProcess.RunAsync(
            [.. Split(options), _pair.Source + "/a.txt", _pair.Source + "/nope", _pair.Source + "/sub", _pair.Ours + "/"],
            new Dictionary<string, string?>());
        var outcome = new SideBySide.Outcome(stock, ours, _pair);
        outcome.AssertExit(23).AssertSameOutput();
        outcome.AssertSameTrees(rootTimes: false);
    }

    [Theory]
    [InlineData("-a", "one")]
    [InlineData("-av", "one")]
    [InlineData("-av", "missing-parent/child")]
    public async Task DestinationIsCreatedAsStockCreatesIt(string options, string under)
    {
        CreateFullSource();
        Directory.CreateDirectory(_pair.Stock);
        Directory.CreateDirectory(_pair.Ours);
        var outcome = await _pair.RunAsync(Split(options), under: under);
        LocalCopyKnownDifferences.Check($"DestinationCreated {options} {under}", () => outcome.AssertSame(rootTimes: false));
    }

    [Theory]
    [InlineData("-av", "")]
    [InlineData("-av", "/a.txt")]
    [InlineData("-ai", "/sub")]
    public async Task SourceWithoutTrailingSlashOrAFileIsStocks(string options, string path)
    {
        CreateFullSource();
        var outcome = await _pair.RunAsync(Split(options), from: _pair.Source + path);
        LocalCopyKnownDifferences.Check($"SourceForm {options} {path}", () => outcome.AssertExit(0).AssertSame(rootTimes: false));
    }

    /// <summary>
    /// Two "dir/" sources holding the same names (flist.c: flist_sort_and_clean): of two files the first source's is
    /// kept, a directory wins over a file whichever comes first, and two directories' contents are merged, also when
    /// incremental recursion lists them later (send_extra_file_list with FLAG_DUPLICATE). With -v the summary's
    /// "total size" differs: stock counts every entry its sender listed, duplicates too (LocalCopyKnownDifferences).
    /// </summary>
    [Theory]
    [InlineData("-ai")]
    [InlineData("-ai --no-i-r")]
    [InlineData("-a -i --delete")]
    [InlineData("-av")]
    public async Task TwoSourcesWithTheSameNames(string options)
    {
        string first = Path.Combine(_pair.Root, "first");
        string second = _pair.Source;
        LocalSource.Write(first, "f", "first's f");
        LocalSource.Write(second, "f", "second's longer f");
        LocalSource.Write(first, "d/in-first", "1");
        LocalSource.Write(second, "d/in-second", "2");
        LocalSource.Write(first, "d/both", "first");
        LocalSource.Write(second, "d/both", "second");
        Directory.CreateDirectory(Path.Combine(first, "dir-then-file"));
        LocalSource.Write(second, "dir-then-file", "a file");
        LocalSource.Write(first, "file-then-dir", "a file");
        LocalSource.Write(second, "file-then-dir/inside", "x");
        LocalSource.SetTimes(first);
        LocalSource.SetTimes(second);
        File.SetLastWriteTimeUtc(Path.Combine(second, "d"), LocalSource.Past);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "only-in-dest", "x");
            LocalSource.SetTimes(dest); // written apart: the trees compare its time
        }

        var outcome = await _pair.RunAsync([.. Split(options), first + "/"], from: second + "/");
        LocalCopyKnownDifferences.Check($"TwoSources {options}", () => outcome.AssertExit(0).AssertSame());
        Assert.Equal("first's f", File.ReadAllText(Path.Combine(_pair.Ours, "f")));
    }

    /// <summary>
    /// A destination that is not there (main.c: get_local_name): stock's receiving half makes it and, with -v, -i or
    /// --info=name1, says "created directory DEST" (a dry run says it and makes nothing; with --mkpath, "created N
    /// directories for PATH"); the line reaches the client as MSG_INFO before any entry's. mrsync's
    /// output line for line beside stock's, the trees.
    /// </summary>
    [Theory]
    [InlineData("-a --info=name1", "")]
    [InlineData("-a --out-format=%n", "")]
    [InlineData("-a --out-format=%i_%n", "")]
    [InlineData("-av --no-i-r", "")]
    [InlineData("-avn", "")]
    [InlineData("-ai --mkpath", "deeper/more")]
    [InlineData("-av --mkpath", "deeper")]
    public async Task AMissingDestinationIsMadeAndNamedAsStock(string options, string under)
    {
        CreateFullSource();
        var outcome = (await _pair.RunAsync(Split(options), under: under.Length == 0 ? null : under)).AssertExit(0).AssertSameOutputInOrder();
        if (options.Split(' ')[0].Contains('n'))
            Assert.False(Directory.Exists(_pair.Stock) || Directory.Exists(_pair.Ours), outcome.Stock + "\n" + outcome.Ours);
        else
            Assert.Equal(TreeSnapshot.Of(_pair.Stock, rootTimes: under.Length == 0, directoryTimes: under.Length == 0),
                TreeSnapshot.Of(_pair.Ours, rootTimes: under.Length == 0, directoryTimes: under.Length == 0));
        bool says = !options.Contains("%n", StringComparison.Ordinal) || options.Contains("%i", StringComparison.Ordinal);
        // With --mkpath and a trailing '/' make_path makes the destination itself too ("created N directories for
        // DEST/..."), and get_local_name then finds it there.
        Assert.Equal(says, outcome.Ours.Stdout.Contains(under.Length == 0 ? "created directory " : " directories for ", StringComparison.Ordinal));
    }

    private void CreateFullSource()
    {
        LocalSource.CreateSample(_pair.Source);
        LocalSource.AddHardLinks(_pair.Source);
        LocalSource.AddSpecials(_pair.Source);
    }

    // rsync -t, -a and their --no-t: whether the copies' mtimes are the source's (else the time of copying).
    private static bool KeepsTimes(string options)
    {
        bool times = false;
        foreach (string arg in Split(options))
        {
            if (arg is "--no-t" or "--no-times")
                times = false;
            else if (arg == "--times")
                times = true;
            else if (arg.StartsWith('-') && !arg.StartsWith("--", StringComparison.Ordinal))
                times |= arg[1..].TakeWhile(c => c != 'f').Any(c => c is 'a' or 't');
        }
        return times;
    }

    // "_" in an option stands for a space inside one argument (--filter=-_*.tmp is "--filter=- *.tmp").
    private static string[] Split(string options) =>
        options.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Replace('_', ' ')).ToArray();
}
