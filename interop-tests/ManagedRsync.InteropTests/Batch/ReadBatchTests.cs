using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.Batch;

/// <summary>
/// --read-batch and --only-write-batch beside stock rsync 3.5.0 (rsync batch.c, main.c: read_batch, receiver.c:
/// gen_wants_ndx): a batch stock wrote (from a local copy, a pull, a push; with and without incremental recursion,
/// compressed, with deletions) replays through mrsync as through stock — the same lines, exit code and tree, and on a
/// second replay the same "(Skipping batched update ...)"; our own batch replays through us; --only-write-batch leaves
/// the destination alone on each direction and writes a batch stock replays as its own; what is not replayed yet is
/// refused by name.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ReadBatchTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-read-batch-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string> Writes => new()
    {
        { "local", "-av" },
        { "local", "-av --no-i-r --delete" },
        { "local", "-rtlvz --no-whole-file" },
        { "local", "-avc --inplace" },
        { "pull", "-av --delete" },
        { "push", "-av" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_stock_batch_replays_through_us_as_through_stock(string direction, string options)
    {
        string src = Source();
        string batch = Path.Combine(_work, "batch");
        string written = direction == "push" ? Path.Combine(daemon.ModulePath(DaemonModules.Open), "rb-push") : Path.Combine(_work, "written");
        OldDestination(written);
        string from = src + "/", to = written + "/";
        if (direction == "pull")
        {
            CopyTree(src, Path.Combine(daemon.ModulePath(DaemonModules.Open), "rb-src"));
            from = $"{daemon.Url}{DaemonModules.Open}/rb-src/";
        }
        if (direction == "push")
            to = $"{daemon.Url}{DaemonModules.Open}/rb-push/";
        ProcessResult write = await daemon.RunRsyncAsync([.. options.Split(' '), $"--write-batch={batch}", from, to]);
        Assert.True(write.ExitCode == 0, daemon.Explain(write));

        string[] replayOptions = options.Replace("--no-whole-file", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        (ProcessResult stock, ProcessResult mine) = await ReplayBothAsync(replayOptions, batch);
        TreeAssert.Equal(Path.Combine(_work, "replay-stock"), Path.Combine(_work, "replay-mine"), nanoseconds: false, hardLinks: false, directoryTimes: true);
        TreeAssert.Equal(written, Path.Combine(_work, "replay-mine"), nanoseconds: false, hardLinks: false, directoryTimes: false);

        // A second replay finds nothing to do: every batched update is skipped, as stock says.
        ProcessResult stockAgain = await daemon.RunRsyncAsync([.. replayOptions, $"--read-batch={batch}", Path.Combine(_work, "replay-stock") + "/"]);
        ProcessResult mineAgain = await daemon.RunMrsyncAsync([.. replayOptions, $"--read-batch={batch}", Path.Combine(_work, "replay-mine") + "/"]);
        // Compressed, a skipped file's matched blocks never reach the inflater (receiver.c: discard_receive_data has no
        // basis to see them), so the next compressed literal breaks the stream: stock ends with exit 12, and so do we.
        Assert.True(stockAgain.ExitCode == mineAgain.ExitCode && (mineAgain.ExitCode == 0 || options.Contains('z', StringComparison.Ordinal)),
            daemon.Explain(stockAgain, mineAgain));
        Assert.Equal(WithoutRate(stockAgain.Stdout), WithoutRate(mineAgain.Stdout));
        Assert.Contains("(Skipping batched update for \"a\")", mineAgain.Stdout, StringComparison.Ordinal);
        Assert.Equal(stock.ExitCode, mine.ExitCode);
    }

    [Fact]
    public async Task Our_batch_replays_through_us_and_its_script_runs_it()
    {
        string src = Source();
        string batch = Path.Combine(_work, "ours");
        string written = Path.Combine(_work, "written");
        OldDestination(written);
        ProcessResult write = await daemon.RunMrsyncAsync(["-av", "--exclude=*.o", $"--write-batch={batch}", src + "/", written + "/"]);
        Assert.True(write.ExitCode == 0, daemon.Explain(write));
        (ProcessResult stock, ProcessResult mine) = await ReplayBothAsync(["-av", "--exclude=*.o"], batch);
        Assert.True(stock.ExitCode == 0, daemon.Explain(stock, mine));
        TreeAssert.Equal(written, Path.Combine(_work, "replay-mine"), nanoseconds: false, hardLinks: false, directoryTimes: false);

        // FILE.sh replays it with the filter rules on stdin (--filter='._-'), onto the destination it names or its $1.
        string scripted = Path.Combine(_work, "scripted");
        OldDestination(scripted);
        // In-process the script names the test host: it is run with the built mrsync when MRSYNC_BIN names one, else
        // with stock (the upstream batch-mode test runs it with our binary).
        string script = File.ReadAllText(batch + ".sh");
        string program = Environment.GetEnvironmentVariable("MRSYNC_BIN") is { Length: > 0 } bin ? bin : ToolProcess.FindOnPath("rsync")!;
        File.WriteAllText(batch + ".sh", "'" + program + "'" + script[(script.IndexOf("' ", StringComparison.Ordinal) + 1)..]);
        Assert.Contains(" --filter='._-' '-av' --read-batch='" + batch + "' ${1:-'" + written + "/'} <<'#E#'\n- *.o\n#E#\n", script, StringComparison.Ordinal);
        ProcessResult sh = await ToolProcess.RunAsync("sh", [batch + ".sh", scripted + "/"]);
        Assert.True(sh.ExitCode == 0, daemon.Explain(sh));
        TreeAssert.Equal(written, scripted, nanoseconds: false, hardLinks: false, directoryTimes: false);
    }

    public static TheoryData<string> Directions => ["local", "pull", "push"];

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Only_write_batch_leaves_the_destination_and_writes_what_stock_replays(string direction)
    {
        string src = Source();
        var results = new List<ProcessResult>();
        foreach (string who in new[] { "stock", "mine" })
        {
            string batch = Path.Combine(_work, $"only-{who}");
            string dest = direction == "push" ? Path.Combine(daemon.ModulePath(DaemonModules.Open), $"only-{who}") : Path.Combine(_work, $"only-dest-{who}");
            OldDestination(dest);
            string from = src + "/", to = dest + "/";
            if (direction == "pull")
            {
                CopyTree(src, Path.Combine(daemon.ModulePath(DaemonModules.Open), "only-src"));
                from = $"{daemon.Url}{DaemonModules.Open}/only-src/";
            }
            if (direction == "push")
                to = $"{daemon.Url}{DaemonModules.Open}/only-{who}/";
            string[] args = ["-av", $"--only-write-batch={batch}", from, to];
            results.Add(who == "stock" ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args));
            Assert.True(results[^1].ExitCode == 0, daemon.Explain([.. results]));
            // The destination is as it was: only "a", old.
            Assert.Equal(["a"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
            Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(dest, "a")));
            // A missing destination is not made (main.c: the dry run's get_local_name).
            string missing = Path.Combine(_work, $"missing-{who}", "d");
            if (direction != "push")
            {
                ProcessResult none = who == "stock" ? await daemon.RunRsyncAsync(["-a", $"--only-write-batch={batch}-m", from, missing + "/"])
                    : await daemon.RunMrsyncAsync(["-a", $"--only-write-batch={batch}-m", from, missing + "/"]);
                Assert.True(none.ExitCode == 0, daemon.Explain(none));
                Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
            }
        }
        // The same lines but the byte counts (ours are our own connection's), and "(BATCH ONLY)".
        Assert.Equal(WithoutSummary(results[0].Stdout), WithoutSummary(results[1].Stdout));
        Assert.EndsWith("(BATCH ONLY)\n", results[1].Stdout, StringComparison.Ordinal);

        var trees = new List<string>();
        foreach (string who in new[] { "stock", "mine" })
        {
            string replay = Path.Combine(_work, $"only-replay-{who}");
            OldDestination(replay);
            ProcessResult read = await daemon.RunRsyncAsync(["-av", $"--read-batch={Path.Combine(_work, $"only-{who}")}", replay + "/"]);
            Assert.True(read.ExitCode == 0, daemon.Explain(read));
            trees.Add(replay);
        }
        TreeAssert.Equal(trees[0], trees[1], nanoseconds: false, hardLinks: false, directoryTimes: true);
    }

    [Fact]
    public async Task What_is_not_replayed_yet_is_refused_by_name_and_a_remote_destination_as_stock()
    {
        string src = Source();
        string batch = Path.Combine(_work, "h");
        ProcessResult write = await daemon.RunRsyncAsync(["-aH", $"--write-batch={batch}", src + "/", Path.Combine(_work, "hw") + "/"]);
        Assert.True(write.ExitCode == 0, daemon.Explain(write));
        ProcessResult hardLinks = await daemon.RunMrsyncAsync(["-a", $"--read-batch={batch}", Path.Combine(_work, "hr") + "/"]);
        Assert.Equal(4, hardLinks.ExitCode);
        Assert.Contains("--read-batch with --hard-links (-H) is not supported yet", hardLinks.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "hr")));

        ProcessResult dry = await daemon.RunMrsyncAsync(["-an", $"--read-batch={batch}", Path.Combine(_work, "hr") + "/"]);
        Assert.Equal(4, dry.ExitCode);
        Assert.Contains("--read-batch with --dry-run (-n) is not supported yet", dry.Stderr, StringComparison.Ordinal);

        foreach (bool stock in new[] { true, false })
        {
            string[] args = ["-a", $"--read-batch={batch}", $"{daemon.Url}{DaemonModules.Open}/x/"];
            ProcessResult remote = stock ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args);
            Assert.Equal(1, remote.ExitCode);
            Assert.Contains("remote destination is not allowed with --read-batch", remote.Stderr, StringComparison.Ordinal);
        }

        // A batch that is not a regular file (stock: "is not a regular file", RERR_FILEIO).
        ProcessResult directory = await daemon.RunMrsyncAsync(["-a", $"--read-batch={_work}", Path.Combine(_work, "hr") + "/"]);
        Assert.Equal(11, directory.ExitCode);
        Assert.Contains("is not a regular file", directory.Stderr, StringComparison.Ordinal);
    }

    // Both replay the batch onto a copy of the old destination.
    private async Task<(ProcessResult Stock, ProcessResult Mine)> ReplayBothAsync(string[] options, string batch)
    {
        string stockDest = Path.Combine(_work, "replay-stock"), mineDest = Path.Combine(_work, "replay-mine");
        OldDestination(stockDest);
        OldDestination(mineDest);
        ProcessResult stock = await daemon.RunRsyncAsync([.. options, $"--read-batch={batch}", stockDest + "/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync([.. options, $"--read-batch={batch}", mineDest + "/"]);
        Assert.True(stock.ExitCode == mine.ExitCode, daemon.Explain(stock, mine));
        Assert.Equal(WithoutRate(stock.Stdout), WithoutRate(mine.Stdout));
        return (stock, mine);
    }

    // The tree a batch is made from: a file that changed (delta), a new directory, a symlink, an excluded object file.
    private string Source()
    {
        string src = Path.Combine(_work, "src");
        if (Directory.Exists(src))
            return src;
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "a"), string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i}\n")));
        File.WriteAllText(Path.Combine(src, "d", "b"), "bee\n");
        File.WriteAllText(Path.Combine(src, "d", "c"), "sea\n");
        File.WriteAllText(Path.Combine(src, "skip.o"), "object\n");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "a");
        foreach (string f in new[] { "a", "d/b", "d/c", "skip.o" })
            File.SetLastWriteTimeUtc(Path.Combine(src, f), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "d"), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(src, new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return src;
    }

    // The destination before the run: an older, shorter "a" (so that a delta is sent), an extra file (for --delete).
    private static void OldDestination(string dest)
    {
        if (Directory.Exists(dest))
            Directory.Delete(dest, recursive: true);
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(dest, "a"), string.Concat(Enumerable.Range(0, 2500).Select(i => $"line {i}\n")));
        File.SetLastWriteTimeUtc(Path.Combine(dest, "a"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(dest, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    private static string WithoutRate(string stdout) =>
        System.Text.RegularExpressions.Regex.Replace(stdout, @"  [\d,.]+ bytes/sec", "  N bytes/sec");

    private static string WithoutSummary(string stdout) =>
        string.Join('\n', stdout.Split('\n').Where(l => !l.StartsWith("sent ", StringComparison.Ordinal) && !l.StartsWith("total size", StringComparison.Ordinal)));

    private static void CopyTree(string from, string to)
    {
        if (Directory.Exists(to))
            Directory.Delete(to, recursive: true);
        ProcessResult cp = ToolProcess.RunAsync("cp", ["-a", from + "/.", to + "/"]).GetAwaiter().GetResult();
        if (cp.ExitCode != 0)
        {
            Directory.CreateDirectory(to);
            cp = ToolProcess.RunAsync("cp", ["-a", from + "/.", to + "/"]).GetAwaiter().GetResult();
        }
        Assert.Equal(0, cp.ExitCode);
    }
}
