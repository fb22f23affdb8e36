using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// A sender that is not root and source directories it may read but not search (protocol-notes.md §79; flist.c:
/// send_directory's secure_opendir, send_file_list's change_pathname; generator.c: delete_in_dir): stock rsync 3.5.0
/// and mrsync each send the same source as user nobody (setpriv) on every sending side we have: a local copy, a
/// pushing client (to stock's receiving server), a daemon (pulled from by stock's client as root) and a sending server
/// over a remote shell. A 0600 directory (with entries, and empty) is "opendir ... failed: Permission denied": its own
/// entry is sent with its mode, none of its contents, the run ends 23, and --delete keeps the receiver's copy of its
/// contents ("IO error encountered -- skipping file deletion"). A 0300 directory (no read) fails the same way; a
/// "dir/" argument without x fails its change_dir and sends nothing. Trees, output and exit codes must be stock's.
/// </summary>
public sealed class NonRootSenderDirectoryTests : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("nonrootsend");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly string[] AsNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    private static readonly DateTime Old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    private static string Tool(bool stock) => stock ? "rsync" : MrsyncDaemonFixture.Executable;

    // One side's directory: src/ (ok/g, ok/deep 0300, nox 0600 with f and sub/, noxe 0600 empty, top6 0600 with x),
    // dst/ holding what --delete would remove (stale, nox/old, noxe/old), the scripts and the daemon's config.
    private async Task<string> Side(bool stock)
    {
        string dir = Path.Combine(_root, stock ? "stock" : "ours");
        string src = Path.Combine(dir, "src");
        foreach (string d in new[] { "ok/deep", "nox/sub", "noxe", "top6/x" })
            Directory.CreateDirectory(Path.Combine(src, d));
        File.WriteAllText(Path.Combine(src, "ok", "g"), "g");
        File.WriteAllText(Path.Combine(src, "nox", "f"), "f");
        foreach (string d in new[] { "dst/nox", "dst/noxe" })
            Directory.CreateDirectory(Path.Combine(dir, d));
        foreach (string f in new[] { "dst/stale", "dst/nox/old", "dst/noxe/old" })
            File.WriteAllText(Path.Combine(dir, f), "old");
        string conf = Path.Combine(dir, "rsyncd.conf");
        File.WriteAllText(conf, $"use chroot = no\nmunge symlinks = no\nreverse lookup = no\n[mod]\n    path = {src}\n");
        File.WriteAllText(Path.Combine(dir, "serve.sh"), $"exec {Tool(stock)} \"$@\"\n");
        File.WriteAllText(Path.Combine(dir, "serve-daemon.sh"), $"exec {Tool(stock)} --config={conf} \"$@\"\n");
        File.WriteAllText(Path.Combine(dir, "serve-stock.sh"), "exec rsync \"$@\"\n");
        foreach (string f in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(f, Old);
        foreach (string f in new[] { _root, dir, conf, Path.Combine(dir, "serve.sh"), Path.Combine(dir, "serve-daemon.sh"), Path.Combine(dir, "serve-stock.sh") })
            File.SetUnixFileMode(f, Mode("755"));
        File.SetUnixFileMode(Path.Combine(src, "ok", "deep"), Mode("300"));
        foreach (string d in new[] { "nox", "noxe", "top6" })
            File.SetUnixFileMode(Path.Combine(src, d), Mode("600"));
        Assert.Equal(0, (await ToolProcess.RunAsync("chown", ["-R", "65534:65534", dir])).ExitCode);
        return dir;
    }

    private static async Task<ProcessResult> Run(string side, bool stock, string dir, string[] options, string from)
    {
        string src = Path.Combine(dir, "src");
        string dst = Path.Combine(dir, "dst") + "/";
        string shell = "setpriv " + string.Join(' ', AsNobody);
        var env = new Dictionary<string, string?> { ["RSYNC_RSH"] = null, ["RSYNC_PASSWORD"] = null };
        return side switch
        {
            "local" => await ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, src + from, dst], env),
            // The sending client is nobody; the receiver is stock's server, run by sh (the "host") as a script.
            "push" => await ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, "-e", "env",
                $"--rsync-path={Path.Combine(dir, "serve-stock.sh")}", src + from, "sh:" + dst], env),
            // Stock's client (root) pulls from a daemon run as nobody over a remote shell that is setpriv.
            "daemon" => await ToolProcess.RunAsync("rsync", [.. options, "-e", shell,
                $"--rsync-path={Path.Combine(dir, "serve-daemon.sh")}", "sh::mod" + from, dst], env),
            // Stock's client (root) pulls from a sending server run as nobody over a remote shell.
            "server" => await ToolProcess.RunAsync("rsync", [.. options, "-e", shell,
                $"--rsync-path={Path.Combine(dir, "serve.sh")}", "sh:" + src + from, dst], env),
            _ => throw new ArgumentException(side),
        };
    }

    // mrsync never adds stock's " at FILE.c(N) [ROLE=3.5.0]" to its rsync error line. A daemon's names are compared
    // as they are: stock's "use chroot = no" module (a daemon run as nobody cannot chroot) names a name from the
    // module's own directory without a leading '/' ("nox" (in mod)), and so does mrsync's (util1.c: full_fname).
    private static string Plain(string text, string dir) =>
        Regex.Replace(text.Replace(dir, "DIR", StringComparison.Ordinal), @" at [a-z0-9_]+\.c\(\d+\) \[[a-z]+=3\.5\.0\]", "");

    [Theory]
    [InlineData("local", "-rpt -i --no-i-r --delete")]
    [InlineData("local", "-rpt -i --delete")]
    [InlineData("local", "-r -i --delete-after")]
    [InlineData("push", "-rpt -i --no-i-r --delete")]
    [InlineData("push", "-rpt -i --delete")]
    [InlineData("daemon", "-rpt -i --no-i-r --delete")]
    [InlineData("daemon", "-rpt -i --delete-delay")]
    [InlineData("server", "-rpt -i --no-i-r --delete")]
    [InlineData("server", "-rpt -i --delete")]
    public async Task A_nonroot_sender_fails_a_directory_it_cannot_search_as_stock(string side, string options)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it runs the sender as nobody");
        var results = new List<string>();
        var trees = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            string dir = await Side(stock);
            ProcessResult run = await Run(side, stock, dir, options.Split(' '), "/");
            Assert.True(run.ExitCode == 23, run.ToString());
            string tree = TreeSnapshot.Of(Path.Combine(dir, "dst"), times: options.Contains("-rpt", StringComparison.Ordinal), rootTimes: false);
            string stdout = Plain(run.Stdout, dir);
            // With incremental recursion the top directory's deletions happen as its list arrives, before or after
            // the later list that brings the I/O error: whether "stale" goes depends on how far the sender listed
            // ahead of the generator (its idle-time listing), in stock too. Everything else is determined.
            if (!options.Contains("--no-i-r", StringComparison.Ordinal))
            {
                stdout = string.Join('\n', stdout.Split('\n').Where(l => l != "*deleting   stale").Order(StringComparer.Ordinal));
                tree = string.Join('\n', tree.Split('\n').Where(l => !l.StartsWith("stale ", StringComparison.Ordinal)));
            }
            results.Add($"{run.ExitCode}\n{stdout}\n{Plain(run.Stderr, dir)}");
            trees.Add(tree);
            // The contents of the directories that could not be listed stay.
            Assert.True(File.Exists(Path.Combine(dir, "dst", "nox", "old")), run.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "dst", "noxe", "old")), run.ToString());
            Assert.False(File.Exists(Path.Combine(dir, "dst", "nox", "f")), run.ToString());
            Assert.Contains("opendir", run.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(trees[0], trees[1]);
        Assert.Equal(results[0], results[1]);
        Assert.Contains("IO error encountered -- skipping file deletion", results[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("push")]
    [InlineData("daemon")]
    [InlineData("server")]
    public async Task A_dir_argument_it_cannot_search_sends_nothing_as_stock(string side)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it runs the sender as nobody");
        var results = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            string dir = await Side(stock);
            ProcessResult run = await Run(side, stock, dir, ["-rpt", "-i"], "/top6/");
            results.Add($"{run.ExitCode}\n{Plain(run.Stdout, dir)}\n{Plain(run.Stderr, dir)}\n{TreeSnapshot.Of(Path.Combine(dir, "dst"), rootTimes: false)}");
        }
        Assert.Equal(results[0], results[1]);
        Assert.StartsWith("23\n", results[1], StringComparison.Ordinal);
    }

    /// <summary>
    /// Arguments stock's sender reaches by going into their directory first (flist.c: send_file_list's change_pathname,
    /// util1.c: change_dir): one below a directory without x fails there ("change_dir ".../top6" failed"), as does
    /// one whose directory is missing or a file; a missing file in a directory it can enter is link_stat's. With -L a
    /// 0600 directory is listed by a plain opendir outside a daemon, and each entry's stat fails in make_file
    /// ("readlink_stat(...) failed"). Names as util1.c: full_fname gives them: the sender's working directory before
    /// a relative one, a module's from the module.
    /// </summary>
    [Theory]
    [InlineData("local", "-rpt -i", "/top6/x")]
    [InlineData("push", "-rpt -i", "/top6/x")]
    [InlineData("daemon", "-rpt -i", "/top6/x")]
    [InlineData("server", "-rpt -i", "/top6/x")]
    [InlineData("local", "-rpt -i", "/missing/x")]
    [InlineData("daemon", "-rpt -i", "/missing/x")]
    [InlineData("server", "-rpt -i", "/ok/g/x")]
    [InlineData("local", "-rpt -i", "/ok/none")]
    [InlineData("daemon", "-rpt -i", "/ok/none")]
    [InlineData("local", "-rptL -i", "/")]
    [InlineData("push", "-rptL -i --no-i-r", "/")]
    [InlineData("server", "-rptL -i", "/")]
    [InlineData("daemon", "-rptL -i", "/")]
    public async Task An_argument_stock_cannot_reach_fails_in_stocks_words(string side, string options, string from)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it runs the sender as nobody");
        var results = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            string dir = await Side(stock);
            ProcessResult run = await Run(side, stock, dir, options.Split(' '), from);
            string stdout = Plain(run.Stdout, dir);
            // As above: with incremental recursion whether "stale" is deleted depends on how far the sender listed ahead.
            stdout = string.Join('\n', stdout.Split('\n').Where(l => l != "*deleting   stale").Order(StringComparer.Ordinal));
            results.Add($"{run.ExitCode}\n{stdout}\n{Plain(run.Stderr, dir)}\n{TreeSnapshot.Of(Path.Combine(dir, "dst"), rootTimes: false)}");
        }
        Assert.Equal(results[0], results[1]);
        Assert.StartsWith("23\n", results[1], StringComparison.Ordinal);
        // What the rows are for: the failure is named as stock names it.
        string expected = from switch
        {
            "/top6/x" => "change_dir ",
            "/missing/x" => "change_dir ",
            "/ok/g/x" => "change_dir ",
            "/ok/none" => "link_stat ",
            _ => side == "daemon" ? "opendir " : "readlink_stat(",
        };
        Assert.Contains(expected, results[1], StringComparison.Ordinal);
    }
}
