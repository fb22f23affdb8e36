using System.Security.Cryptography;
using ManagedRsync.InteropTests.DaemonServer;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// -X/--xattrs (issue 11 item 13; rsync xattrs.c) beside stock rsync 3.5.0 doing the same, in every place mrsync can
/// stand: a local copy, a push into stock's daemon, a pull from it, and a stock client pushing into and pulling from
/// `mrsync daemon` (beside the same client against stock's daemon). The tree has short values and long ones (33 bytes:
/// the first abbreviated length, and several KiB), many names, a root-only namespace (trusted.*), a symlink; the second
/// run follows changed values, removed names, a name added and one the destination has of its own, so that only
/// xattrs change (itemized ".f........x"); the third changes nothing. Each run's -i output and exit code, and the
/// destination's getfattr dump, must be stock's.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class XattrTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-xattrs-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (string place in (string[])["local", "push", "pull", "stock-client-push", "stock-client-pull"])
        {
            rows.Add(place, "-aiX");
            rows.Add(place, "-aiXX --no-i-r");
        }
        rows.Add("local", "-aiX --inplace");
        // A hard link's follower sends its list after the abbreviated entry too.
        rows.Add("local", "-aiXH");
        rows.Add("stock-client-push", "-aiXH");
        rows.Add("stock-client-pull", "-aiXH");
        rows.Add("push", "-aiXH -c");
        rows.Add("pull", "-aiX -W --delete");
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Gives_stocks_result(string place, string options)
    {
        string[] opts = options.Split(' ');
        (string Source, Func<Task<ProcessResult>> Stock, Func<Task<ProcessResult>> Ours, string StockDest, string OursDest) run = Place(place, opts);
        Directory.CreateDirectory(run.Source);
        await WriteTreeAsync(run.Source);
        await SameAsync(run, "first run");

        // Only xattrs change (the source's times stay); the destinations get a name of their own.
        await EditXattrsAsync(run.Source);
        await SetAsync(Path.Combine(run.StockDest, "f"), "user.mine", "0x6d696e65");
        await SetAsync(Path.Combine(run.OursDest, "f"), "user.mine", "0x6d696e65");
        ProcessResult changed = await SameAsync(run, "xattrs changed");
        Assert.Contains(".f........x f", changed.Stdout, StringComparison.Ordinal);

        await SameAsync(run, "nothing changed");
    }

    /// <summary>
    /// An entry whose xattrs its sender cannot read is left out of the list, a directory with what it holds, after
    /// stock's words (xattrs.c: get_xattr_data's rsyserr with full_fname; flist.c: send_file_name returns NULL), and the
    /// transfer ends with 23. Reproduced without FUSE: both clients run as root without capabilities (setpriv), so a
    /// user.* value of a file with mode 000, or of a directory without read permission, is EACCES; mrsync, which cannot
    /// open such a file for reading, reads it through an O_PATH descriptor and fails where stock fails. A local copy
    /// and a push into stock's daemon (mrsync sending), beside stock.
    /// </summary>
    [Theory]
    [InlineData("local", "-rXi")]
    [InlineData("local", "-rXi --no-i-r")]
    [InlineData("push", "-rXi")]
    public async Task An_entry_whose_xattrs_cannot_be_read_is_left_out_as_stock_leaves_it(string place, string options)
    {
        string setpriv = ToolProcess.FindOnPath("setpriv") ?? throw new InvalidOperationException("setpriv (util-linux) is not installed");
        string src = Path.Combine(_work, "src");
        foreach (string f in new[] { "a", "b", "sub/c", "ok/d" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(src, f))!);
            File.WriteAllText(Path.Combine(src, f), "content of " + f);
        }
        await SetAsync(Path.Combine(src, "a"), "user.v", "0x01");
        await SetAsync(Path.Combine(src, "sub"), "user.w", "0x02");
        await SetAsync(Path.Combine(src, "ok"), "user.x", "0x03");
        File.SetUnixFileMode(Path.Combine(src, "a"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(src, "sub"), UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string stockDest, oursDest, stockTo, oursTo;
        if (place == "local")
        {
            (stockDest, oursDest) = (Path.Combine(_work, "stock"), Path.Combine(_work, "ours"));
            (stockTo, oursTo) = (stockDest + "/", oursDest + "/");
        }
        else
        {
            Directory.CreateDirectory(Path.Combine(stock.ModulePath(OptionModules.Writable), _id));
            (stockDest, oursDest) = (Path.Combine(stock.ModulePath(OptionModules.Writable), _id, "s"), Path.Combine(stock.ModulePath(OptionModules.Writable), _id, "o"));
            (stockTo, oursTo) = ($"{stock.Url}{OptionModules.Writable}/{_id}/s/", $"{stock.Url}{OptionModules.Writable}/{_id}/o/");
        }
        string[] withoutCapabilities = ["--reuid=0", "--inh-caps=-all", "--bounding-set=-all"];
        string[] opts = options.Split(' ');
        try
        {
            ProcessResult s = await ToolProcess.RunAsync(setpriv, [.. withoutCapabilities, stock.RsyncPath, .. opts, src + "/", stockTo]);
            ProcessResult o = await ToolProcess.RunAsync(setpriv, [.. withoutCapabilities, MrsyncDaemonFixture.Executable, .. opts, src + "/", oursTo]);
            string explain = $"{s}\n{o}";
            Assert.True(s.ExitCode == o.ExitCode, "exit codes differ: " + explain);
            Assert.True(23 == o.ExitCode, explain);
            Assert.True(Lines(s.Stdout) == Lines(o.Stdout), "output differs: " + explain);
            // (The last line says where in main.c only in stock's.)
            string Said(ProcessResult r) => string.Join('\n', r.Stderr.Split('\n').Where(l => l.StartsWith("rsync: ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            Assert.True(Said(s) == Said(o), "errors differ: " + explain);
            Assert.Contains($"get_xattr_data: lgetxattr(\"{src}/./a\",\"user.v\",0) failed: Permission denied (13)", o.Stderr, StringComparison.Ordinal);
            // (Without -t each copy has the time it was made at.)
            Assert.Equal(TreeSnapshot.Of(stockDest, times: false), TreeSnapshot.Of(oursDest, times: false));
            Assert.Equal(await DumpAsync(stockDest), await DumpAsync(oursDest));
            Assert.Equal(["b", "ok"], Directory.GetFileSystemEntries(oursDest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            File.SetUnixFileMode(Path.Combine(src, "sub"), (UnixFileMode)0x1ED);
        }
    }

    /// <summary>
    /// 'x' rules in per-directory merge files (-F's .rsync-filter, a dir-merge rule) choose the names a sender lists
    /// for the entries of the directory that holds them and below (exclude.c: check_filter goes into a merge rule's
    /// list as push_local_filters left it; xattrs.c: rsync_xal_get). Where mrsync sends: a local copy, a push, and
    /// stock's client pulling from `mrsync daemon` (whose sender reads the client's -F), beside stock.
    /// </summary>
    [Theory]
    [InlineData("local", "-aiXF")]
    [InlineData("local", "-aiXF --no-i-r")]
    [InlineData("push", "-aiX --filter=dir-merge_.xrules")]
    [InlineData("stock-client-pull", "-aiXF")]
    public async Task Xattr_rules_in_per_directory_merge_files_choose_the_names_as_stock(string place, string options)
    {
        string[] opts = options.Split(' ');
        (string Source, Func<Task<ProcessResult>> Stock, Func<Task<ProcessResult>> Ours, string StockDest, string OursDest) run = Place(place, opts);
        string rules = options.Contains("xrules", StringComparison.Ordinal) ? ".xrules" : ".rsync-filter";
        foreach (string f in new[] { "f", "sub/g", "sub/deeper/h", "other/i" })
        {
            string p = Path.Combine(run.Source, f);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllText(p, f);
        }
        File.WriteAllText(Path.Combine(run.Source, "sub", rules), "-x user.secret\n+x user.keep\n");
        File.WriteAllText(Path.Combine(run.Source, "sub", "deeper", rules), "-x user.keep\n");
        foreach (string f in new[] { "f", "sub", "sub/g", "sub/deeper", "sub/deeper/h", "other/i" })
        {
            await SetAsync(Path.Combine(run.Source, f), "user.secret", "0x01");
            await SetAsync(Path.Combine(run.Source, f), "user.keep", "0x02");
        }
        foreach (string p in Directory.GetFileSystemEntries(run.Source, "*", SearchOption.AllDirectories).Append(run.Source))
            File.SetLastWriteTimeUtc(p, Old);

        ProcessResult s = await run.Stock();
        ProcessResult o = await run.Ours();
        string explain = $"{s}\n{o}\n--- mrsync daemon log ---\n{ours.DaemonLog}";
        Assert.True(s.ExitCode == o.ExitCode, "exit codes differ: " + explain);
        Assert.True(0 == o.ExitCode, explain);
        Assert.True(Lines(s.Stdout) == Lines(o.Stdout), "output differs: " + explain);
        string stockDump = await DumpAsync(run.StockDest), oursDump = await DumpAsync(run.OursDest);
        Assert.True(stockDump == oursDump, $"xattrs differ\n--- stock ---\n{stockDump}\n--- mrsync ---\n{oursDump}");
        // The file beside the rules and below them lost the secret; deeper, the inner file's rule comes first.
        Assert.Contains("# file: DEST/sub/g\nuser.keep=0x02\n", oursDump + "\n", StringComparison.Ordinal);
        Assert.Contains("# file: DEST/other/i\nuser.keep=0x02\nuser.secret=0x01", oursDump, StringComparison.Ordinal);
    }

    private (string, Func<Task<ProcessResult>>, Func<Task<ProcessResult>>, string, string) Place(string place, string[] opts)
    {
        string stockDest = Path.Combine(_work, "stock"), oursDest = Path.Combine(_work, "ours");
        string inStock(string name) => Path.Combine(stock.ModulePath(OptionModules.Writable), _id, name);
        string inOurs(string name) => Path.Combine(ours.ModulePath(OptionModules.Writable), _id, name);
        string url(RsyncDaemonFixture d, string name) => $"{d.Url}{OptionModules.Writable}/{_id}/{name}/";
        switch (place)
        {
            case "local":
            {
                string src = Path.Combine(_work, "src");
                return (src, () => stock.RunRsyncAsync([.. opts, src + "/", stockDest + "/"]),
                    () => stock.RunMrsyncAsync([.. opts, src + "/", oursDest + "/"]), stockDest, oursDest);
            }
            case "push":
            {
                string src = Path.Combine(_work, "src");
                Directory.CreateDirectory(inStock(""));
                return (src, () => stock.RunRsyncAsync([.. opts, src + "/", url(stock, "s")]),
                    () => stock.RunMrsyncAsync([.. opts, src + "/", url(stock, "o")]), inStock("s"), inStock("o"));
            }
            case "pull":
            {
                string src = inStock("src");
                return (src, () => stock.RunRsyncAsync([.. opts, url(stock, "src"), stockDest + "/"]),
                    () => stock.RunMrsyncAsync([.. opts, url(stock, "src"), oursDest + "/"]), stockDest, oursDest);
            }
            case "stock-client-push":
            {
                string src = Path.Combine(_work, "src");
                Directory.CreateDirectory(inStock(""));
                Directory.CreateDirectory(inOurs(""));
                return (src, () => stock.RunRsyncAsync([.. opts, src + "/", url(stock, "d")]),
                    () => stock.RunRsyncAsync([.. opts, src + "/", url(ours, "d")]), inStock("d"), inOurs("d"));
            }
            case "stock-client-pull":
            {
                // One source, served by both daemons: our module's directory is a copy made by stock with -aX.
                string src = inStock("src");
                return (src, () => stock.RunRsyncAsync([.. opts, url(stock, "src"), stockDest + "/"]),
                    async () =>
                    {
                        Directory.CreateDirectory(inOurs(""));
                        ProcessResult copy = await stock.RunRsyncAsync(["-aXH", "--delete", src + "/", inOurs("src") + "/"]);
                        Assert.True(copy.ExitCode == 0, copy.ToString());
                        return await stock.RunRsyncAsync([.. opts, url(ours, "src"), oursDest + "/"]);
                    }, stockDest, oursDest);
            }
            default:
                throw new ArgumentException(place);
        }
    }

    private async Task<ProcessResult> SameAsync((string Source, Func<Task<ProcessResult>> Stock, Func<Task<ProcessResult>> Ours, string StockDest, string OursDest) run, string when)
    {
        ProcessResult s = await run.Stock();
        ProcessResult o = await run.Ours();
        string explain = $"{when}\n{s}\n{o}\n--- mrsync daemon log ---\n{ours.DaemonLog}";
        Assert.True(s.ExitCode == o.ExitCode, "exit codes differ: " + explain);
        Assert.True(0 == o.ExitCode, explain);
        Assert.True(Lines(s.Stdout) == Lines(o.Stdout), "output differs: " + explain);
        Assert.True(Lines(s.Stderr) == Lines(o.Stderr), "errors differ: " + explain);
        string stockDump = await DumpAsync(run.StockDest), oursDump = await DumpAsync(run.OursDest);
        Assert.True(stockDump == oursDump, $"xattrs differ ({when})\n--- stock ---\n{stockDump}\n--- mrsync ---\n{oursDump}");
        Assert.Contains("user.many.39=", oursDump, StringComparison.Ordinal);
        Assert.Equal(TreeSnapshot.Of(run.StockDest, rootTimes: false), TreeSnapshot.Of(run.OursDest, rootTimes: false));
        return o;
    }

    // The destination's name differs ("created directory ..."); the rest must be the same.
    private static string Lines(string text) =>
        string.Join('\n', text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("created directory ", StringComparison.Ordinal)));

    private static readonly string Big = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3000));
    private static readonly string Big2 = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(1500));
    private static readonly string Abbrev = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(33));
    private static readonly string Full = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    private static async Task WriteTreeAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "d", "e"));
        File.WriteAllText(Path.Combine(root, "f"), "one\n");
        File.WriteAllText(Path.Combine(root, "same"), "same\n");
        File.WriteAllText(Path.Combine(root, "d", "g"), "two\n");
        File.WriteAllText(Path.Combine(root, "d", "e", "h"), "three\n");
        File.WriteAllText(Path.Combine(root, "plain"), "none\n");
        File.CreateSymbolicLink(Path.Combine(root, "l"), "f");
        await SetAsync(Path.Combine(root, "f"), "user.small", "0x616263");
        await SetAsync(Path.Combine(root, "f"), "user.big", Big);
        await SetAsync(Path.Combine(root, "f"), "user.abbrev", Abbrev);
        await SetAsync(Path.Combine(root, "f"), "user.full", Full);
        await SetAsync(Path.Combine(root, "f"), "user.empty", "0x");
        // The same list as f's (sent as an index reference), and one that goes when it changes.
        foreach (string name in (string[])["same", "d/e/h"])
        {
            await SetAsync(Path.Combine(root, name), "user.small", "0x616263");
            await SetAsync(Path.Combine(root, name), "user.big", Big);
            await SetAsync(Path.Combine(root, name), "user.abbrev", Abbrev);
            await SetAsync(Path.Combine(root, name), "user.full", Full);
            await SetAsync(Path.Combine(root, name), "user.empty", "0x");
        }
        await ToolAsync("ln", [Path.Combine(root, "d", "e", "h"), Path.Combine(root, "hl")]);
        await SetAsync(Path.Combine(root, "d"), "user.dir", "0x31");
        await SetAsync(Path.Combine(root, "d", "g"), "trusted.root", "0x7274");
        for (int i = 0; i < 40; i++)
            await SetAsync(Path.Combine(root, "d", "g"), $"user.many.{i}", "0x" + Convert.ToHexString([(byte)i, (byte)(i * 7)]));
        foreach (string path in Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            if (new FileInfo(path).LinkTarget is null)
                File.SetLastWriteTimeUtc(path, Old);
        }
        // The symlink's own time too (a new symlink is re-timed only when it differs in whole seconds).
        await ToolAsync("touch", ["-h", "-d", "2024-01-02 03:04:05Z", Path.Combine(root, "l")]);
    }

    private static async Task EditXattrsAsync(string root)
    {
        await SetAsync(Path.Combine(root, "f"), "user.small", "0x78797a");
        await SetAsync(Path.Combine(root, "f"), "user.big", Big2);
        await RemoveAsync(Path.Combine(root, "f"), "user.full");
        await SetAsync(Path.Combine(root, "f"), "user.added", Abbrev);
        await RemoveAsync(Path.Combine(root, "d"), "user.dir");
        await RemoveAsync(Path.Combine(root, "d", "g"), "trusted.root");
        await SetAsync(Path.Combine(root, "plain"), "user.now", Big);
    }

    private static Task SetAsync(string path, string name, string value) => XattrTrees.SetAsync(path, name, value);

    private static Task RemoveAsync(string path, string name) => XattrTrees.RemoveAsync(path, name);

    private static Task<string> ToolAsync(string program, string[] args) => XattrTrees.ToolAsync(program, args);

    private static Task<string> DumpAsync(string root) => XattrTrees.DumpAsync(root);
}
