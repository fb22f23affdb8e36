using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.Client;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// The library's local copy (RsyncClient.CopyAsync: a sender and a receiving server over an in-memory pipe) against
/// stock rsync's local copy of the same tree: the destinations are equal, and what -v prints matches.
/// </summary>
public sealed class LocalCopyEngineTests : IDisposable
{
    private readonly string _work = StockRsyncRunner.CreateTempDirectory("localcopy-engine");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Dir(string name) => Path.Combine(_work, name);

    [Fact]
    public async Task Archive_copy_equals_stock_rsync_a()
    {
        string src = SourceTree.Create(Dir("src"));
        var stock = await StockRsyncRunner.RunAsync(["-a", src + "/", Dir("stock") + "/"]);
        Assert.True(stock.ExitCode == 0, stock.ToString());

        var log = new RecordedEvents();
        TransferResult result = await RsyncClient.CopyAsync(
            new LocalCopyRequest { Sources = [src + "/"], Destination = Dir("ours") + "/", Options = TransferOptions.Archive with { HardLinks = true } },
            log).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Empty(log.Errors);
        TreeAssert.Equal(Dir("stock"), Dir("ours"), nanoseconds: true, hardLinks: false);
        TreeAssert.Equal(src, Dir("ours"), nanoseconds: true, hardLinks: false);
    }

    [Fact]
    public async Task Second_copy_transfers_nothing_and_delete_removes_what_the_source_lost()
    {
        string src = SourceTree.Create(Dir("src"), hardLinks: false);
        var options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Verbose = 1 };
        var request = new LocalCopyRequest { Sources = [src + "/"], Destination = Dir("ours"), Options = options };
        Assert.Equal(RsyncExitCode.Ok, (await RsyncClient.CopyAsync(request).WaitAsync(TimeSpan.FromSeconds(60))).ExitCode);

        File.Delete(Path.Combine(src, "zero"));
        Directory.Delete(Path.Combine(src, "sub", "deeper"), recursive: true);
        File.WriteAllText(Path.Combine(Dir("ours"), "extra"), "not in the source");
        File.WriteAllText(Path.Combine(src, "one block"), "changed");

        var stockDest = Dir("stock");
        Assert.Equal(0, (await StockRsyncRunner.RunAsync(["-a", src + "/", stockDest + "/"])).ExitCode);

        var log = new RecordedEvents();
        TransferResult second = await RsyncClient.CopyAsync(request, log).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(RsyncExitCode.Ok, second.ExitCode);
        Assert.Equal(1, second.Stats.TransferredFiles);
        Assert.Contains("deleting extra", log.Lines);
        Assert.Contains("deleting sub/deeper/", log.Lines);
        Assert.Contains("deleting sub/deeper/file.txt", log.Lines);
        Assert.Contains("deleting zero", log.Lines);
        Assert.Contains("one block", log.Lines);
        Assert.Equal(4, second.Stats.DeletedFiles + second.Stats.DeletedDirs);
        TreeAssert.Equal(stockDest, Dir("ours"), nanoseconds: true, hardLinks: false);
    }

    [Fact]
    public async Task Verbose_output_matches_stock_local_copy()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["a", "b/", "b/c", "d/e/f"]);
        File.WriteAllText(Path.Combine(Dir("src"), "a"), "a");
        var stock = await StockRsyncRunner.RunAsync(["-av", src + "/", Dir("stock") + "/"]);
        Assert.Equal(0, stock.ExitCode);

        var log = new RecordedEvents();
        var request = new LocalCopyRequest
        {
            Sources = [src + "/"], Destination = Dir("ours") + "/", Options = TransferOptions.Archive with { Verbose = 1 },
        };
        await RsyncClient.CopyAsync(request, log).WaitAsync(TimeSpan.FromSeconds(60));

        // stock: "sending incremental file list", "created directory DEST", the names, then the summary; the summary is
        // the CLI's, the rest (the header too: the sender's) comes from the engine.
        string[] stockLines = stock.Stdout.Split('\n');
        int last = Array.FindIndex(stockLines, l => l.Length == 0);
        Assert.Equal(stockLines[..last].Select(l => l.Replace(Dir("stock"), Dir("ours"))), log.Lines);
    }

    [Fact]
    public async Task Excluded_names_are_not_copied_and_protected_from_delete()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["keep", "skip.tmp", "d/keep", "d/skip.tmp"]);
        string dest = Dir("ours");
        StockRsyncRunner.CreateTree(dest, ["old.tmp", "gone"]);
        FilterList filters = new FilterListBuilder().AddExclude("*.tmp").Build();
        var request = new LocalCopyRequest
        {
            Sources = [src + "/"], Destination = dest, Filters = filters,
            Options = TransferOptions.Archive with { Delete = DeleteTiming.Default },
        };
        TransferResult result = await RsyncClient.CopyAsync(request).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(dest, "keep")));
        Assert.True(File.Exists(Path.Combine(dest, "d", "keep")));
        Assert.False(File.Exists(Path.Combine(dest, "skip.tmp")));
        Assert.False(File.Exists(Path.Combine(dest, "gone")));
        Assert.True(File.Exists(Path.Combine(dest, "old.tmp")), "an excluded name is protected from --delete");
    }
    // Runs stock rsync and CopyAsync with the same arguments into two destinations; returns stock's lines before its
    // summary (the engine's part of the output, the sender's header included) and ours.
    private async Task<(string[] Stock, List<string> Ours, TransferResult Result, int StockExit)> SideBySide(
        string[] stockArgs, string source, string destName, TransferOptions options, FilterList? filters = null)
    {
        string stockDest = Dir("stock-" + destName);
        string ourDest = Dir("ours-" + destName);
        string suffix = destName.EndsWith('/') ? "/" : "";
        var stock = await StockRsyncRunner.RunAsync([.. stockArgs, source, stockDest.TrimEnd('/') + suffix]);
        var log = new RecordedEvents(itemized: options.ItemizeChanges > 0);
        TransferResult result = await RsyncClient.CopyAsync(
            new LocalCopyRequest { Sources = [source], Destination = ourDest.TrimEnd('/') + suffix, Options = options, Filters = filters },
            log).WaitAsync(TimeSpan.FromSeconds(60));
        string[] lines = stock.Stdout.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith("sent ", StringComparison.Ordinal)
                && !l.StartsWith("total size is", StringComparison.Ordinal))
            .Select(l => l.Replace(stockDest.TrimEnd('/'), ourDest.TrimEnd('/')))
            .ToArray();
        return (lines, log.Lines, result, stock.ExitCode);
    }

    [Fact]
    public async Task Itemized_lines_show_the_receivers_arrow_as_stock_local_copy_does()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["a.txt", "d/b.txt"]);
        var (stock, ours, result, _) = await SideBySide(["-ai"], src + "/", "dst/", TransferOptions.Archive with { ItemizeChanges = 1 });
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Contains(">f+++++++++ a.txt", ours);
        Assert.Equal(stock, ours);
    }

    [Fact]
    public async Task Lone_file_into_a_destination_with_a_slash_makes_the_directory()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["a.txt"]);
        var (stock, ours, result, _) = await SideBySide(["-av"], Path.Combine(src, "a.txt"), "dst/", TransferOptions.Archive with { Verbose = 1 });
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(stock, ours);
        Assert.True(File.Exists(Path.Combine(Dir("ours-dst"), "a.txt")));
    }

    [Fact]
    public async Task Empty_list_still_makes_the_destination_and_dry_run_only_says_so()
    {
        string src = Dir("src");
        Directory.CreateDirectory(src);
        var (stock, ours, result, _) = await SideBySide(["-av"], src + "/", "dst/", TransferOptions.Archive with { Verbose = 1 });
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(stock, ours);
        Assert.True(Directory.Exists(Dir("ours-dst")));

        StockRsyncRunner.CreateTree(src, ["a.txt"]);
        var (dryStock, dryOurs, _, _) = await SideBySide(["-ain"], src + "/", "dry/", TransferOptions.Archive with { ItemizeChanges = 1, DryRun = true });
        Assert.Equal(dryStock, dryOurs);
        Assert.Contains(dryOurs, l => l.StartsWith("created directory", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Dir("ours-dry")));
    }

    [Fact]
    public async Task Missing_parent_of_the_destination_is_a_file_io_error()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["a.txt"]);
        var stock = await StockRsyncRunner.RunAsync(["-a", src + "/", Dir("stock") + "/missing/child/"]);
        Assert.Equal(11, stock.ExitCode);
        var e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.CopyAsync(
            new LocalCopyRequest { Sources = [src + "/"], Destination = Dir("ours") + "/missing/child/" }).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RsyncExitCode.FileIo, e.ExitCode);
        Assert.Contains("mkdir", e.Message);
    }

    [Fact]
    public async Task Undeletable_directory_is_reported_before_its_parents_line()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["keep"]);
        foreach (string side in new[] { "stock-dst", "ours-dst" })
            StockRsyncRunner.CreateTree(Dir(side), ["keep", "old/x.o"]);
        FilterList filters = new FilterListBuilder().AddExclude("*.o").Build();
        var (stock, ours, result, _) = await SideBySide(["-ai", "--delete", "--exclude=*.o"], src + "/", "dst/",
            TransferOptions.Archive with { ItemizeChanges = 1, Delete = DeleteTiming.Default }, filters);
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(stock, ours);
    }
    [Fact]
    public async Task Missing_args_are_deleted_at_the_destination_as_stock_does()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["keep", "d/changed", "d/other"]);
        foreach (string side in new[] { "stock", "ours" })
            CreateAged(Dir(side), ["keep", "d/changed", "d/gone", "gone-dir/x", "untouched"]);
        File.WriteAllText(Path.Combine(src, "d", "changed"), "new content");
        string list = Path.Combine(_work, "list");
        File.WriteAllText(list, "d/changed\nd/gone\ngone-dir\n");
        var stock = await StockRsyncRunner.RunAsync(["-av", "--delete-missing-args", "--files-from=" + list, src + "/", Dir("stock") + "/"]);
        Assert.True(stock.ExitCode == 0, stock.ToString());

        var log = new RecordedEvents();
        var request = new LocalCopyRequest
        {
            SourceRoot = src, RelativePaths = ["d/changed", "d/gone", "gone-dir"], Destination = Dir("ours") + "/",
            Options = TransferOptions.Archive with { Recursive = false, Dirs = true, Relative = true, DeleteMissingArgs = true, Verbose = 1 },
        };
        TransferResult result = await RsyncClient.CopyAsync(request, log).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(Dir("ours"), "d", "gone")));
        Assert.True(File.Exists(Path.Combine(Dir("ours"), "gone-dir", "x")), "without --delete a non-empty directory stays");
        Assert.Equal("new content", File.ReadAllText(Path.Combine(Dir("ours"), "d", "changed")));
        Assert.True(File.Exists(Path.Combine(Dir("ours"), "untouched")));
        TreeAssert.Equal(Dir("stock"), Dir("ours"), nanoseconds: false, hardLinks: false);
        Assert.Contains("deleting d/gone", log.Lines);
        Assert.Contains("cannot delete non-empty directory: gone-dir", log.Lines);
    }

    // rsync flist.c: recv_file_entry — -R's implied parents and the directories a list names without -r arrive with
    // XMIT_NO_CONTENT_DIR, and delete_in_dir never sweeps them: --delete removes nothing in them (the watcher's batches
    // are such lists).
    [Fact]
    public async Task Directories_of_a_files_from_list_without_recursion_are_not_swept_by_delete()
    {
        string src = Dir("src");
        StockRsyncRunner.CreateTree(src, ["in/sub/g", "in/sub/after", "d/x"]);
        foreach (string side in new[] { "stock", "ours" })
            CreateAged(Dir(side), ["in/sub/g", "in/sub/extra", "d/x", "d/extra"]);
        string list = Path.Combine(_work, "list");
        File.WriteAllText(list, "in/sub/after\nd\n");
        var stock = await StockRsyncRunner.RunAsync(["-a", "--delete", "--delete-missing-args", "--files-from=" + list, src + "/", Dir("stock") + "/"]);
        Assert.True(stock.ExitCode == 0, stock.ToString());

        var request = new LocalCopyRequest
        {
            SourceRoot = src, RelativePaths = ["in/sub/after", "d"], Destination = Dir("ours") + "/",
            Options = TransferOptions.Archive with
            {
                Recursive = false, Dirs = true, Relative = true, DeleteMissingArgs = true, Delete = DeleteTiming.Default,
            },
        };
        TransferResult result = await RsyncClient.CopyAsync(request).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(Dir("ours"), "in", "sub", "after")));
        Assert.True(File.Exists(Path.Combine(Dir("ours"), "in", "sub", "extra")), "an implied directory is not swept");
        Assert.True(File.Exists(Path.Combine(Dir("ours"), "d", "extra")), "a directory listed without -r is not swept");
        TreeAssert.Equal(Dir("stock"), Dir("ours"), nanoseconds: false, hardLinks: false);
    }

    // rsync generator.c: atomic_create and recv_generator make way for a symlink or a file where the destination has a
    // directory (delete.c: delete_item with DEL_MAKE_ROOM): its contents go only with a delete option, each logged, the
    // directory itself unlogged; without one, "cannot delete non-empty directory" and exit 23, the directory kept.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_directory_in_the_way_of_a_symlink_or_a_file_goes_only_with_delete(bool delete)
    {
        string src = Dir("src");
        Directory.CreateDirectory(src);
        File.CreateSymbolicLink(Path.Combine(src, "d"), "elsewhere");
        File.WriteAllText(Path.Combine(src, "f"), "file");
        foreach (string side in new[] { "stock-dst", "ours-dst" })
            CreateAged(Dir(side), ["d/x", "d/sub/y", "f/z"]);
        string[] args = delete ? ["-ai", "--delete"] : ["-ai"];
        var (stock, ours, result, stockExit) = await SideBySide(args, src + "/", "dst/",
            TransferOptions.Archive with { ItemizeChanges = 1, Delete = delete ? DeleteTiming.Default : DeleteTiming.None });

        Assert.Equal(delete ? 0 : 23, stockExit);
        Assert.Equal((RsyncExitCode)stockExit, result.ExitCode);
        Assert.Equal(stock, ours);
        TreeAssert.Equal(Dir("stock-dst"), Dir("ours-dst"), nanoseconds: false, hardLinks: false);
        Assert.Equal(delete, new FileInfo(Path.Combine(Dir("ours-dst"), "d")).LinkTarget == "elsewhere");
    }

    // Two destinations made a moment apart must not differ by a second boundary (itemized times, what is left untouched).
    private static void CreateAged(string root, string[] names)
    {
        StockRsyncRunner.CreateTree(root, names);
        var aged = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, aged);
        foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            Directory.SetLastWriteTimeUtc(dir, aged);
    }
}
