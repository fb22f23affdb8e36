using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// --max-alloc (protocol-notes 83). Stock 3.5.0 checks every allocation of num*size against the limit in each of its
/// roles, its client's own included (util2.c: my_alloc), and ends with "[ROLE] exceeded --max-alloc=N setting (file=F,
/// line=L)", exit 22. Our roles keep other structures and apply no limit, so only 0 (unlimited, as ours) is taken: by
/// our client in every direction and by `mrsync daemon`, each beside stock. Any other limit is refused by name (exit 4)
/// where stock would fail partway or succeed: the rows below show both from the same command lines.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class MaxAllocTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-maxalloc-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            if (Directory.Exists(Mine(d)))
                Directory.Delete(Mine(d), recursive: true);
        }
    }

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d, string path) => $"{d.Url}{OptionModules.Writable}/{_id}/{path}";

    private static void Write(string root, string name, string text)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, Old);
    }

    private string Source()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "a", "first\n");
        Write(src, "dir/b", "second\n");
        Write(src, "z", "last\n");
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "dir"), Old);
        return src;
    }

    // One directory of `count` empty names: flist.c flist_expand grows a list's pointer array 32, 128, 512, 2048 and
    // then doubling; 100,000 names need 131,072 slots of 8 bytes, which is 1 MiB: at --max-alloc=1M my_alloc refuses it
    // (num >= max_alloc / size).
    private string Many(string name, int count = 100_000)
    {
        string dir = Path.Combine(_work, name);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
            File.Create(Path.Combine(dir, "f" + i)).Dispose();
        return dir;
    }

    // The two runs' destinations have their own names ("created directory NAME").
    private static void AssertSameOutput(ProcessResult stockRun, ProcessResult ourRun, string stockName, string ourName)
    {
        string ourOut = ourName.Length == 0 ? ourRun.Stdout : ourRun.Stdout.Replace(ourName, stockName, StringComparison.Ordinal);
        Assert.True(stockRun.Stdout == ourOut, $"outputs differ\n{stockRun}\n{ourRun}");
    }

    private static string Tree(string root) => Directory.Exists(root) ? TreeSnapshot.Of(root, rootTimes: false, directoryTimes: false) : "(none)";

    [Theory]
    [InlineData("--max-alloc=0")]
    [InlineData("--max-alloc=0.0M")]
    [InlineData("--max-alloc=0kib")]
    public async Task Zero_is_taken_by_our_daemon_as_by_stocks_on_a_push_and_a_pull(string option)
    {
        string src = Source();
        Directory.CreateDirectory(Mine(stock));
        Directory.CreateDirectory(Mine(ours));
        var stockPush = await stock.RunRsyncAsync(["-ai", option, src + "/", Url(stock, "dest/")]);
        var ourPush = await ours.RunRsyncAsync(["-ai", option, src + "/", Url(ours, "dest/")]);
        Assert.True(stockPush.ExitCode == 0 && ourPush.ExitCode == 0, stock.Explain(stockPush) + ours.Explain(ourPush));
        AssertSameOutput(stockPush, ourPush, "", "");
        Assert.Equal(Tree(Path.Combine(Mine(stock), "dest")), Tree(Path.Combine(Mine(ours), "dest")));
        Assert.Equal(Tree(src), Tree(Path.Combine(Mine(ours), "dest")));

        string stockPulled = Path.Combine(_work, "pulled-stock"), ourPulled = Path.Combine(_work, "pulled-ours");
        var stockPull = await stock.RunRsyncAsync(["-ai", option, Url(stock, "dest/"), stockPulled + "/"]);
        var ourPull = await ours.RunRsyncAsync(["-ai", option, Url(ours, "dest/"), ourPulled + "/"]);
        Assert.True(stockPull.ExitCode == 0 && ourPull.ExitCode == 0, stock.Explain(stockPull) + ours.Explain(ourPull));
        AssertSameOutput(stockPull, ourPull, "pulled-stock", "pulled-ours");
        Assert.Equal(Tree(stockPulled), Tree(ourPulled));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_limit_stays_refused_by_name_on_our_daemon(bool push)
    {
        string src = Source();
        Write(Mine(ours), "there/x", "to pull\n");
        string pulled = Path.Combine(_work, "pulled");
        string[] ends = push ? [src + "/", Url(ours, "dest/")] : [Url(ours, "there/"), pulled + "/"];
        var r = await ours.RunRsyncAsync(["-a", "--max-alloc=64M", .. ends]);
        Assert.True(r.ExitCode == 4, ours.Explain(r));
        Assert.Contains("The server does not support --max-alloc", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Mine(ours), "dest")), "a refused push wrote into the module");
        Assert.False(Directory.Exists(pulled), "a refused pull wrote the destination");
    }

    [Theory]
    [InlineData("--max-alloc=0")]
    [InlineData("--max-alloc=1G")]
    public async Task Our_client_with_no_limit_gives_stocks_result_in_every_direction(string option)
    {
        string src = Source();
        Directory.CreateDirectory(Mine(stock));
        foreach (string kind in (string[])["push", "pull", "local"])
        {
            string stockDest = Path.Combine(_work, kind + "-stock"), ourDest = Path.Combine(_work, kind + "-ours");
            string[] StockEnds() => kind switch
            {
                "push" => [src + "/", Url(stock, "push-stock/")],
                "pull" => [Url(stock, "push-stock/"), stockDest + "/"],
                _ => [src + "/", stockDest + "/"],
            };
            string[] OurEnds() => kind switch
            {
                "push" => [src + "/", Url(stock, "push-ours/")],
                "pull" => [Url(stock, "push-ours/"), ourDest + "/"],
                _ => [src + "/", ourDest + "/"],
            };
            var s = await stock.RunRsyncAsync(["-ai", option, .. StockEnds()]);
            var o = await stock.RunMrsyncAsync(["-ai", option, .. OurEnds()]);
            Assert.True(s.ExitCode == 0 && o.ExitCode == 0, kind + "\n" + stock.Explain(s, o));
            AssertSameOutput(s, o, kind + "-stock", kind + "-ours");
            if (kind == "push")
                Assert.Equal(Tree(Path.Combine(Mine(stock), "push-stock")), Tree(Path.Combine(Mine(stock), "push-ours")));
            else
                Assert.Equal(Tree(stockDest), Tree(ourDest));
        }
    }

    /// <summary>
    /// The limits stock's client applies to itself: a push of one directory of 100,000 names fails in its sender's
    /// file list, before anything is written; a pull with --delete into a destination of 100,000 names fails in its
    /// generator's listing of that directory, before anything is deleted (the daemon's small list passes); a local copy
    /// fails as the push does. Ours refuses the limit by name before it starts: exit 4 against stock's 22, the
    /// destination left as it was in both.
    /// </summary>
    [Fact]
    public async Task Our_client_refuses_a_limit_stocks_client_would_apply_to_itself()
    {
        string many = Many("many");
        string small = Source();
        Directory.CreateDirectory(Mine(stock));
        string before = Tree(many);

        foreach (string kind in (string[])["push", "pull", "local"])
        {
            string localDest = Path.Combine(_work, "local-" + kind);
            string[] ends = kind switch
            {
                "push" => [many + "/", Url(stock, "pushed-" + kind + "/")],
                "pull" => ["--delete", Url(stock, "small/"), many + "/"],
                _ => [many + "/", localDest + "/"],
            };
            if (kind == "pull")
                Assert.Equal(0, (await stock.RunRsyncAsync(["-a", small + "/", Url(stock, "small/")])).ExitCode);
            var s = await stock.RunRsyncAsync(["-a", "--max-alloc=1M", .. ends]);
            string role = kind == "pull" ? "generator" : "sender";
            Assert.True(s.ExitCode == 22, kind + "\n" + stock.Explain(s));
            Assert.Contains($"[{role}] exceeded --max-alloc=1048576 setting (file=flist.c, line=", s.Stderr, StringComparison.Ordinal);

            var o = await stock.RunMrsyncAsync(["-a", "--max-alloc=1M", .. ends]);
            Assert.True(o.ExitCode == 4, kind + "\n" + stock.Explain(o));
            Assert.Contains("--max-alloc other than 0 (unlimited) is not supported yet", o.Stderr, StringComparison.Ordinal);

            Assert.False(Directory.Exists(Path.Combine(Mine(stock), "pushed-" + kind)) && Directory.EnumerateFileSystemEntries(Path.Combine(Mine(stock), "pushed-" + kind)).Any(),
                "a push that failed wrote files");
            Assert.False(Directory.Exists(localDest) && Directory.EnumerateFileSystemEntries(localDest).Any(), "a local copy that failed wrote files");
            Assert.True(before == Tree(many), $"{kind}: the destination's names changed");
        }

        // $RSYNC_MAX_ALLOC is the same limit when no --max-alloc is given (options.c: parse_arguments).
        var env = new Dictionary<string, string?> { ["RSYNC_MAX_ALLOC"] = "1M" };
        string envDest = Path.Combine(_work, "env");
        var se = await stock.RunRsyncAsync(["-a", many + "/", envDest + "/"], env);
        var oe = await stock.RunMrsyncAsync(["-a", many + "/", envDest + "/"], env);
        Assert.True(se.ExitCode == 22 && oe.ExitCode == 4, stock.Explain(se, oe));
        Assert.Contains("$RSYNC_MAX_ALLOC other than 0 (unlimited) is not supported yet", oe.Stderr, StringComparison.Ordinal);
    }
}
