using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// rsyncd.conf parameters backup users set (munge symlinks, the sanitizing of a module that is not chrooted, numeric
/// ids, ignore errors, pre-/post-xfer exec), each with stock rsync 3.5.0 as the client of `mrsync daemon` and, side by
/// side with the same command, of `rsync --daemon` serving the same rsyncd.conf (<see cref="ParameterModules"/>): the
/// client's output and exit code and what the modules hold must be the same.
/// </summary>
[Collection(ModuleParameterCollection.Name)]
public sealed partial class ModuleParameterTests(StockParameterDaemonFixture stock, MrsyncParameterDaemonFixture ours) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-params-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Local(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "stock" : "ours");

    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args,
        bool asNobody = false)
    {
        return (await RunAsync(stock), await RunAsync(ours));

        // setpriv: stock's client as user nobody.
        Task<ProcessResult> RunAsync(RsyncDaemonFixture d) => asNobody
            ? ToolProcess.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", d.RsyncPath, .. args(d)])
            : d.RunRsyncAsync(args(d));
    }

    private string Normalize(string output) => DaemonOutput.Normalize(output, "LOCAL", Local(stock), Local(ours));

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}\n--- mrsync log ---\n{ours.DaemonLog}");
        Assert.Equal(Normalize(r.Stock.Stdout), Normalize(r.Ours.Stdout));
        // Stock's client starts its stderr with a newline when "building file list ... " (no incremental recursion,
        // the mapped difference) is still open on stdout: blank lines are not compared.
        Assert.Equal(NonBlank(r.Stock.Stderr), NonBlank(r.Ours.Stderr));
    }

    private string NonBlank(string text) => string.Join('\n', Normalize(text).Split('\n').Where(l => l.Length > 0));

    private string Module(RsyncDaemonFixture d, string module) => Path.Combine(d.ModulePath(module), _id);

    // Each symlink under root with its target, as the file system holds it.
    private static string Links(string root)
    {
        var lines = new List<string>();
        Walk(root);
        return string.Join("\n", lines.Order(StringComparer.Ordinal));

        void Walk(string dir)
        {
            foreach (string p in Directory.GetFileSystemEntries(dir))
            {
                if (new FileInfo(p).LinkTarget is { } target)
                    lines.Add($"{Path.GetRelativePath(root, p)} -> {target}");
                else if (Directory.Exists(p))
                    Walk(p);
            }
        }
    }

    // Targets a client may send that climb out of the module, are absolute, or have "." and ".." inside.
    private string LinkTree()
    {
        string src = Path.Combine(_work, "links");
        Directory.CreateDirectory(Path.Combine(src, "a", "b"));
        File.WriteAllText(Path.Combine(src, "a", "file"), "x");
        (string Name, string Target)[] links =
        [
            ("abs", "/etc/passwd"), ("up", "../../outside"), ("plain", "a/file"), ("dots", "./a/./file"),
            ("a/one-up", "../a/file"), ("a/two-up", "../../x"), ("a/b/deep", "../../../../y/../z"),
            ("a/b/inner", "q/../../r"), ("a/b/slashes", "//s//t/"), ("a/b/mid-abs", "/../../etc"),
            ("munged-already", "/rsyncd-munged/etc/passwd"),
        ];
        foreach ((string name, string target) in links)
            File.CreateSymbolicLink(Path.Combine(src, name), target);
        return src;
    }

    [Fact]
    public async Task A_module_that_munges_stores_links_with_the_prefix_and_sends_them_without()
    {
        string src = LinkTree();
        var push = await BothAsync(d => ["-av", src + "/", d.Url + $"{ParameterModules.Munge}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        Assert.Equal(Links(Module(stock, ParameterModules.Munge)), Links(Module(ours, ParameterModules.Munge)));
        Assert.Contains("abs -> /rsyncd-munged//etc/passwd", Links(Module(ours, ParameterModules.Munge)));

        // A second push changes nothing (the stored targets compare equal to the sent ones), a pull gives them back.
        var again = await BothAsync(d => ["-avi", src + "/", d.Url + $"{ParameterModules.Munge}/{_id}/"]);
        AssertSame(again);
        var pull = await BothAsync(d => ["-av", d.Url + $"{ParameterModules.Munge}/{_id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(Links(Local(stock)), Links(Local(ours)));
        // What was sent comes back: the one link whose target had the prefix already keeps it (stored with it twice).
        Assert.Equal(Links(src), Links(Local(ours)));
    }

    [Fact]
    public async Task A_module_that_does_not_munge_sanitizes_received_link_targets_as_stock()
    {
        string src = LinkTree();
        var push = await BothAsync(d => ["-av", src + "/", d.Url + $"{ParameterModules.Plain}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string links = Links(Module(ours, ParameterModules.Plain));
        Assert.Equal(Links(Module(stock, ParameterModules.Plain)), links);
        Assert.Contains("abs -> etc/passwd", links);
        Assert.DoesNotContain("-> /", links);
    }

    [Fact]
    public async Task Numeric_ids_send_no_names_to_a_pulling_client()
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            Directory.CreateDirectory(Module(d, ParameterModules.Numeric));
            File.WriteAllText(Path.Combine(Module(d, ParameterModules.Numeric), "f"), "x");
            File.WriteAllText(Path.Combine(Module(d, ParameterModules.Numeric), "nobody's"), "y");
            System.Diagnostics.Process.Start("chown", ["65534:65534", Path.Combine(Module(d, ParameterModules.Numeric), "nobody's")])!.WaitForExit();
            foreach (string f in Directory.GetFiles(Module(d, ParameterModules.Numeric)))
                File.SetLastWriteTimeUtc(f, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
            Directory.SetLastWriteTimeUtc(Module(d, ParameterModules.Numeric), new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        }
        // --debug=OWN2: the client prints each name it is sent and the id it maps it to (uidlist.c: recv_add_id).
        // --no-i-r: with incremental recursion stock sends names inside the list, which mrsync's sender does not yet.
        var numeric = await BothAsync(d => ["-av", "--no-i-r", "--debug=OWN2", d.Url + $"{ParameterModules.Numeric}/{_id}/", Local(d) + "/"]);
        AssertSame(numeric);
        Assert.Equal(0, numeric.Ours.ExitCode);
        Assert.Equal(TreeSnapshot.Of(Local(stock), rootTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false));
        Assert.DoesNotContain("(nobody)", numeric.Ours.Stdout);
    }

    [Fact]
    public async Task Dont_compress_changes_nothing_on_the_wire_as_in_stock_3_5_0()
    {
        // token.c: set_compression's per-file choice is compiled out ("#if 0"): with "dont compress = *" a -z transfer
        // (zstd, what protocol 32 negotiates) is still compressed both ways; only zlib and zlibx would be stored
        // (ServerPullOptionTests). A megabyte of text travels as a few kilobytes from and into either daemon.
        string src = Path.Combine(_work, "text");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "big.txt"), string.Concat(Enumerable.Repeat("the same line of text, again\n", 40_000)));
        var push = await BothAsync(d => ["-az", "--stats", src + "/", d.Url + $"{ParameterModules.DontCompress}/{_id}/"]);
        Assert.True(push.Stock.ExitCode == 0 && push.Ours.ExitCode == 0, $"{push.Stock}\n{push.Ours}\n{ours.DaemonLog}");
        var pull = await BothAsync(d => ["-az", "--stats", d.Url + $"{ParameterModules.DontCompress}/{_id}/", Local(d) + "/"]);
        Assert.True(pull.Stock.ExitCode == 0 && pull.Ours.ExitCode == 0, $"{pull.Stock}\n{pull.Ours}");
        Assert.Equal(TreeSnapshot.Of(src, rootTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false));
        Assert.Equal(TreeSnapshot.Of(Local(stock), rootTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false));
        foreach ((ProcessResult run, string figure) in new[] { (push.Stock, "sent"), (push.Ours, "sent"), (pull.Stock, "received"), (pull.Ours, "received") })
        {
            Match m = Regex.Match(run.Stdout, $@"Total bytes {figure}: ([\d,]+)");
            Assert.True(m.Success, run.ToString());
            Assert.True(long.Parse(m.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture) < 100_000, run.ToString());
        }
    }

    public static readonly TheoryData<string[]> GlobSources = new()
    {
        { ["*.txt"] },
        { ["d*/"] },
        { ["d*"] },
        { ["d?r1/x", "*.bin"] },
        { ["[ab].txt", "dir[0-9]/"] },
        { ["*/"] },
        { ["*/*"] },
        { ["?.txt", "*.bin"] },
    };

    [Theory]
    [MemberData(nameof(GlobSources))]
    public async Task Wildcards_in_pulled_paths_are_expanded_in_the_module_as_stock(string[] sources)
    {
        // util1.c: glob_expand (io.c: read_args, for every path after "."): matched against the module's names, what
        // the module excludes ("exclude = secret*") never matched; a pattern that matches nothing stays as written.
        foreach (RsyncDaemonFixture d in Both)
        {
            string mod = Module(d, ParameterModules.Glob);
            Directory.CreateDirectory(Path.Combine(mod, "dir1"));
            Directory.CreateDirectory(Path.Combine(mod, "dir2"));
            foreach (string f in new[] { "a.txt", "b.txt", "c.bin", "secret.txt", "dir1/x", "dir2/y", "dir2/z.txt" })
                File.WriteAllText(Path.Combine(mod, f), f);
            foreach (string f in Directory.EnumerateFileSystemEntries(mod, "*", SearchOption.AllDirectories).Append(mod))
                File.SetLastWriteTimeUtc(f, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        }
        var pull = await BothAsync(d => ["-av", "--no-i-r", .. sources.Select(s => d.Url + $"{ParameterModules.Glob}/{_id}/{s}"),
            Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(TreeSnapshot.Of(Local(stock), rootTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false));
        Assert.False(File.Exists(Path.Combine(Local(ours), "secret.txt")));
    }

    [Fact]
    public async Task Ignore_errors_deletes_despite_the_clients_io_error()
    {
        // The client runs as nobody and cannot read one directory of its source: an I/O error in its file list.
        // --no-i-r: with incremental recursion stock deletes in the top directory before the error is known.
        Directory.CreateDirectory(Path.Combine(_work, "src", "closed"));
        File.WriteAllText(Path.Combine(_work, "src", "new"), "n");
        File.SetUnixFileMode(Path.Combine(_work, "src", "closed"), UnixFileMode.None);
        foreach (string dir in new[] { _work, Path.Combine(_work, "src") })
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (string module in new[] { ParameterModules.IgnoreErrors, ParameterModules.Plain })
        {
            foreach (RsyncDaemonFixture d in Both)
            {
                Directory.CreateDirectory(Module(d, module));
                File.WriteAllText(Path.Combine(Module(d, module), "stale"), "s");
            }
            var r = await BothAsync(d => ["-rv", "--no-i-r", "--delete", Path.Combine(_work, "src") + "/", d.Url + $"{module}/{_id}/"], asNobody: true);
            Assert.True(Normalize(r.Stock.Stdout) == Normalize(r.Ours.Stdout), $"{module}:\n{r.Stock}\n{r.Ours}");
            AssertSame(r);
            Assert.Equal(23, r.Ours.ExitCode);
            bool deleted = module == ParameterModules.IgnoreErrors;
            Assert.Equal(!deleted, File.Exists(Path.Combine(Module(ours, module), "stale")));
            Assert.Equal(File.Exists(Path.Combine(Module(stock, module), "stale")), File.Exists(Path.Combine(Module(ours, module), "stale")));
            Assert.Equal(!deleted, r.Ours.Stdout.Contains("IO error encountered -- skipping file deletion", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Pre_and_post_xfer_exec_run_with_stocks_environment_and_a_failing_pre_xfer_refuses()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x");
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Module(d, ParameterModules.Exec));

        var ok = await BothAsync(d => ["-av", "--timeout=90", src + "/", d.Url + $"{ParameterModules.Exec}/{_id}/"]);
        AssertSame(ok);
        Assert.Equal(0, ok.Ours.ExitCode);
        string pre = await EnvAsync(ours, "pre"), post = await EnvAsync(ours, "post");
        Assert.Equal(await EnvAsync(stock, "pre"), pre);
        Assert.Equal(await EnvAsync(stock, "post"), post);
        Assert.Contains("RSYNC_EXIT_STATUS=0", post);
        Assert.Contains($"RSYNC_REQUEST={ParameterModules.Exec}/{_id}/", pre);

        foreach (RsyncDaemonFixture d in Both)
            File.WriteAllText(Path.Combine(d.ModulePath(ParameterModules.Exec), "refuse"), "");
        try
        {
            var refused = await BothAsync(d => ["-av", src + "/", d.Url + $"{ParameterModules.Exec}/{_id}/"]);
            Assert.True(refused.Stock.ExitCode == refused.Ours.ExitCode, $"exit codes differ\n{refused.Stock}\n{refused.Ours}");
            Assert.Equal(4, refused.Ours.ExitCode);
            // The command's failure and output, then stock's daemon names its own source line ("rsync error: ... at
            // clientserver.c(1267) [Receiver=3.5.0]") and its client may add a read error of the reset: compared up to there.
            string Refusal(string stderr) => string.Join('\n', stderr.Split('\n').Where(l => l.Length > 0).TakeWhile(l => !l.StartsWith("rsync", StringComparison.Ordinal)));
            Assert.Equal("pre-xfer exec returned failure (768):\nrefused by the pre-xfer exec\nsecond line", Refusal(refused.Stock.Stderr));
            Assert.Equal(Refusal(refused.Stock.Stderr), Refusal(refused.Ours.Stderr));
            Assert.Equal(await EnvAsync(stock, "post"), await EnvAsync(ours, "post"));
        }
        finally
        {
            foreach (RsyncDaemonFixture d in Both)
                File.Delete(Path.Combine(d.ModulePath(ParameterModules.Exec), "refuse"));
        }
    }

    // loadparm.c: expand_vars for a shell hook — a %RSYNC_*% value is quoted for where it stands in the command, and
    // one that is shell syntax is refused before the transfer: the connection closes and the hook never runs.
    [Fact]
    public async Task Exec_hook_values_are_quoted_as_stock_quotes_them_and_shell_syntax_is_refused()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x");
        string passwordFile = Path.Combine(_work, "pw");
        File.WriteAllText(passwordFile, ParameterModules.HookPassword + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string Url(RsyncDaemonFixture d, string user) =>
            d.Url.Replace("rsync://", $"rsync://{user}@", StringComparison.Ordinal) + $"{ParameterModules.HookQuoting}/";

        var benign = await BothAsync(d => ["-r", $"--password-file={passwordFile}", src + "/", Url(d, ParameterModules.BenignUser)]);
        AssertSame(benign);
        Assert.Equal(0, benign.Ours.ExitCode);
        string Out(RsyncDaemonFixture d) => File.ReadAllText(Path.Combine(d.Root, "hookq.out"));
        Assert.Equal(Out(stock), Out(ours));
        Assert.Equal($"[{ParameterModules.BenignUser}][hookq]['{ParameterModules.BenignUser}'][it's 'hookq'][%RSYNC_PID%][%HOOKQ_PLAIN%][{ParameterModules.BenignUser}]",
            Out(ours));

        // A URL's user name has no '/': the marker is made wherever the hook would run.
        string marker = "pwned-" + _id;
        string hostile = ParameterModules.HostileUser.Replace("HOOKMARK", marker, StringComparison.Ordinal);
        foreach (RsyncDaemonFixture d in Both)
        {
            File.Delete(Path.Combine(d.Root, "hookq.out"));
            string secrets = Path.Combine(d.Root, "hook.secrets");
            File.WriteAllText(secrets, File.ReadAllText(secrets).Replace("HOOKMARK", marker, StringComparison.Ordinal));
        }
        int mark = ours.LogMark();
        var refused = await BothAsync(d => ["-r", $"--password-file={passwordFile}", src + "/", Url(d, hostile)]);
        Assert.True(refused.Stock.ExitCode == refused.Ours.ExitCode, $"exit codes differ\n{refused.Stock}\n{refused.Ours}");
        Assert.Equal(5, refused.Ours.ExitCode);
        Assert.Equal(NonBlank(refused.Stock.Stderr), NonBlank(refused.Ours.Stderr));
        foreach (string dir in (string[])[Environment.CurrentDirectory, stock.Root, ours.Root, "/", ours.ModulePath(ParameterModules.HookQuoting)])
            Assert.False(File.Exists(Path.Combine(dir, marker)), "the user name ran as a command");
        Assert.False(File.Exists(Path.Combine(ours.Root, "hookq.out")), "the hook ran");
        Assert.Contains("refusing to run shell hook: %RSYNC_USER_NAME% holds a shell metacharacter", ours.DaemonLogSince(mark));
    }

    // What the module's command saw, with what differs between the two daemons by nature (their directories and
    // pids, the client's ephemeral arguments) masked. The post-xfer command may still be running when the client has
    // its answer: its file is awaited (and taken away for the next run).
    private async Task<string> EnvAsync(RsyncDaemonFixture d, string which)
    {
        string path = Path.Combine(d.Root, $"{which}-env.{ParameterModules.Exec}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the {which}-xfer exec of {d.DaemonPath} left no {path}\n{d.DaemonLog}");
            await Task.Delay(50);
        }
        string text = File.ReadAllText(path).Replace(d.Root, "ROOT", StringComparison.Ordinal);
        if (which == "post")
            File.Delete(path);
        return Regex.Replace(text, @"^RSYNC_PID=\d+$", "RSYNC_PID=N", RegexOptions.Multiline);
    }
}
