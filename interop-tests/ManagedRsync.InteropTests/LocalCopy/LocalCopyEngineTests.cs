using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Transfer;

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

        var log = new PushInteropTests.Log();
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

        var log = new PushInteropTests.Log();
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

        var log = new PushInteropTests.Log();
        var request = new LocalCopyRequest
        {
            Sources = [src + "/"], Destination = Dir("ours") + "/", Options = TransferOptions.Archive with { Verbose = 1 },
        };
        await RsyncClient.CopyAsync(request, log).WaitAsync(TimeSpan.FromSeconds(60));

        // stock: "sending incremental file list", "created directory DEST", the names, then the summary; the header and
        // the summary are the CLI's, the rest comes from the engine.
        string[] stockLines = stock.Stdout.Split('\n');
        int first = Array.FindIndex(stockLines, l => l.StartsWith("created directory", StringComparison.Ordinal));
        int last = Array.FindIndex(stockLines, first, l => l.Length == 0);
        Assert.Equal(stockLines[first..last].Select(l => l.Replace(Dir("stock"), Dir("ours"))), log.Lines);
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
}
