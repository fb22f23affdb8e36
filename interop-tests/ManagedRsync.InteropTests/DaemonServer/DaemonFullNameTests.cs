using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// How a daemon names a file in its messages (util1.c: full_fname): the server's working directory below the module's
/// path, then the name. Unchrooted, the module's own directory is nothing ("nofile" (in mod)); chrooted into the module
/// (module_dirlen 0) it is "/" ("/nofile" (in mod)); from a subdirectory it is "/sub/" either way. Stock's client
/// against `rsync --daemon` and `mrsync daemon` serving the same module, "use chroot = no" and "use chroot = yes", as
/// root (stock chroots only as root; mrsync only in its NativeAOT build, MRSYNC_BIN, and refuses "use chroot = yes"
/// by name at start otherwise, which is what it is held to then). Rows: a sender's failures on a pull (a missing
/// argument, a -L link with no referent) and a receiver's on a push (mkdir and mkstemp in an immutable directory,
/// chattr +i, which root cannot write either). Compared: exit code, the client's output, the daemon's "rsync:" lines.
/// </summary>
public sealed partial class DaemonFullNameTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-fullname-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<bool, string, string> Rows => new()
    {
        { false, "-r", "{url}mod/nofile" },
        { false, "-r", "{url}mod/sub/nofile" },
        { false, "-rL", "{url}mod/" },
        { false, "-rL", "{url}mod/sub/" },
        { false, "-r", "{src}/ {url}mod/" },
        { false, "-r", "{src}/ {url}mod/sub/" },
        { true, "-r", "{url}mod/nofile" },
        { true, "-r", "{url}mod/sub/nofile" },
        { true, "-rL", "{url}mod/" },
        { true, "-rL", "{url}mod/sub/" },
        { true, "-r", "{src}/ {url}mod/" },
        { true, "-r", "{src}/ {url}mod/sub/" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_daemon_names_files_as_stocks_does_chrooted_or_not(bool chroot, string options, string args)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: an immutable directory (chattr +i) and, for \"use chroot = yes\", chroot");
        var stock = new NamingDaemonFixture(mrsync: false, chroot);
        var ours = new NamingDaemonFixture(mrsync: true, chroot);
        try
        {
            if (chroot && !NamingDaemonFixture.MrsyncCanChroot)
            {
                ProcessResult refused = await ToolProcess.RunAsync(MrsyncDaemonFixture.Executable,
                    ["daemon", "--no-detach", "--port=1", "--address=127.0.0.1", "--config=" + ours.WriteConfigOnly()]);
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains("\"use chroot\" is supported only by the NativeAOT mrsync running as root", refused.Stderr);
                return;
            }
            string src = Source();
            var shown = new List<string>();
            foreach (NamingDaemonFixture d in new[] { stock, ours })
            {
                await d.InitializeAsync();
                d.Seed();
                await d.ProbeEndedAsync();
                int mark = d.LogMark();
                string local = Path.Combine(_work, d == stock ? "stock" : "ours");
                Directory.CreateDirectory(local);
                string[] argv = [.. options.Split(' '), .. args.Replace("{url}", d.Url, StringComparison.Ordinal)
                    .Replace("{src}", src, StringComparison.Ordinal).Split(' ')];
                if (!args.StartsWith("{src}", StringComparison.Ordinal))
                    argv = [.. argv, local + "/"];
                ProcessResult r = await d.RunRsyncAsync(argv);
                List<string> log = await DaemonLinesAsync(d, mark);
                shown.Add($"{r.ExitCode}\n{Plain(r.Stdout)}\n{Errors(r.Stderr)}\n--- log ---\n{string.Join('\n', log)}");
            }
            Assert.True(shown[0] == shown[1], $"stock:\n{shown[0]}\nmrsync:\n{shown[1]}\n{ours.DaemonLog}");
            // What the rows are for: a file in the module's own directory is named with '/' only when chrooted.
            string top = Regex.Match(shown[1], "\"(/?)(nofile|dangle|frozen/new)\" \\(in mod\\)").Groups[1].Value;
            if (!args.Contains("/sub/", StringComparison.Ordinal))
                Assert.Equal(chroot ? "/" : "", top);
            else
                Assert.Contains("\"/sub/", shown[1], StringComparison.Ordinal);
            Assert.StartsWith("23\n", shown[1], StringComparison.Ordinal);
        }
        finally
        {
            await stock.CleanUpAsync();
            await ours.CleanUpAsync();
        }
    }

    /// <summary>
    /// How a run ends in the daemon's log and at the client (log.c: log_exit; cleanup.c: _exit_cleanup; main.c:
    /// do_server_recv): a push into a read-only module is refused before "receiving file list" is logged and ends with
    /// the daemon's "rsync error: syntax or usage error (code 1)"; a push that finished with errors (mkdir, mkstemp)
    /// logs no "rsync error" line and sends no MSG_ERROR_EXIT, so stock's client prints its own "rsync error: ...
    /// (code 23)"; a pull that finished with errors logs its totals and no "rsync error" line either. The log's lines
    /// compared whole (time, pid and stock's source line aside).
    /// </summary>
    [Fact]
    public async Task A_run_ends_in_the_log_and_at_the_client_as_with_stocks_daemon()
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: an immutable directory (chattr +i)");
        var stock = new NamingDaemonFixture(mrsync: false, chroot: false, readOnlyToo: true);
        var ours = new NamingDaemonFixture(mrsync: true, chroot: false, readOnlyToo: true);
        try
        {
            string src = Source();
            string[][] runs =
            [
                ["-r", src + "/", "{url}ro/x/"],
                ["-r", src + "/", "{url}mod/"],
                ["-rL", "{url}mod/", "{local}/"],
            ];
            var shown = new List<string>();
            foreach (NamingDaemonFixture d in new[] { stock, ours })
            {
                await d.InitializeAsync();
                d.Seed();
                await d.ProbeEndedAsync();
                string local = Path.Combine(_work, d == stock ? "stock" : "ours");
                Directory.CreateDirectory(local);
                var text = new List<string>();
                foreach (string[] run in runs)
                {
                    int mark = d.LogMark();
                    ProcessResult r = await d.RunRsyncAsync(run.Select(a => a.Replace("{url}", d.Url, StringComparison.Ordinal)
                        .Replace("{local}", local, StringComparison.Ordinal)));
                    await Task.Delay(300);
                    string log = string.Join('\n', d.DaemonLogSince(mark).Split('\n').Select(l => Plain(Prefix().Replace(l, "")))
                        .Where(l => l.Length > 0 && !l.StartsWith("sent ", StringComparison.Ordinal)));
                    // The client's messages; its "rsync error" lines apart: stock's daemon sends the client its own
                    // (log_exit's, with its source line), which mrsync's does not.
                    string messages = string.Join('\n', Errors(r.Stderr).Split('\n').Where(l => !l.StartsWith("rsync error: ", StringComparison.Ordinal)));
                    text.Add($"{string.Join(' ', run)}\n{r.ExitCode}\n{messages}\n--- log ---\n{log}");
                    // A push that finished: no MSG_ERROR_EXIT came, so stock's client printed its own line, with its source line.
                    if (run[2].EndsWith("mod/", StringComparison.Ordinal))
                        Assert.Contains("rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(", r.Stderr, StringComparison.Ordinal);
                }
                shown.Add(string.Join("\n\n", text).Replace(local, "LOCAL", StringComparison.Ordinal).Replace(src, "SRC", StringComparison.Ordinal));
            }
            Assert.True(shown[0] == shown[1], $"stock:\n{shown[0]}\nmrsync:\n{shown[1]}");
            Assert.Contains("rsync to ro/x/ from UNDETERMINED (127.0.0.1)\nERROR: module is read only\nrsync error: syntax or usage error (code 1)", shown[1], StringComparison.Ordinal);
        }
        finally
        {
            await stock.CleanUpAsync();
            await ours.CleanUpAsync();
        }
    }

    /// <summary>
    /// Outside a daemon the same messages name the receiver's working directory (getcwd) before the name, whatever the
    /// destination was called: a local copy into "dst/" (relative, run from its parent) whose "frozen" is immutable.
    /// The run goes on after both failures (the file beside them arrives) and ends 23.
    /// </summary>
    [Fact]
    public async Task A_local_receiver_names_its_failures_from_its_working_directory()
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: an immutable directory (chattr +i)");
        string src = Source();
        File.WriteAllText(Path.Combine(src, "beside"), "arrives\n");
        var shown = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            string side = Path.Combine(_work, stock ? "stock-local" : "ours-local");
            string frozen = Path.Combine(side, "dst", "frozen");
            Directory.CreateDirectory(frozen);
            Assert.Equal(0, (await ToolProcess.RunAsync("chattr", ["+i", frozen])).ExitCode);
            try
            {
                string program = stock ? "rsync" : MrsyncDaemonFixture.Executable;
                ProcessResult r = await ToolProcess.RunAsync("sh", ["-c", $"cd '{side}' && exec '{program}' -r '{src}/' dst/"]);
                Assert.Equal("arrives\n", File.ReadAllText(Path.Combine(side, "dst", "beside")));
                shown.Add($"{r.ExitCode}\n{string.Join('\n', Errors(r.Stderr).Split('\n').Where(l => !l.Contains(" error: ", StringComparison.Ordinal)))}"
                    .Replace(side, "SIDE", StringComparison.Ordinal));
            }
            finally
            {
                await ToolProcess.RunAsync("chattr", ["-i", frozen]);
            }
        }
        Assert.Equal(shown[0], shown[1]);
        Assert.Contains("recv_generator: mkdir \"SIDE/dst/frozen/new\" failed: Operation not permitted (1)", shown[1], StringComparison.Ordinal);
    }

    // What a push sends: a new directory and a file into "frozen" (immutable in the module).
    private string Source()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "frozen", "new"));
        File.WriteAllText(Path.Combine(src, "frozen", "f"), "pushed\n");
        return src;
    }

    // Stock's source line and role, its client's read error of the reset, and mkstemp's random suffix.
    private static string Plain(string text) =>
        Regex.Replace(Regex.Replace(text, @" at [a-z0-9_]+\.c\(\d+\) \[[A-Za-z]+=3\.5\.0\]", ""), @"(\.f)\.[A-Za-z0-9]{6}""", "$1.XXXXXX\"");

    private static string Errors(string text) => string.Join('\n', Plain(text).Split('\n')
        .Where(l => l.Length > 0 && !l.Contains("read error: Connection reset", StringComparison.Ordinal)));

    // The daemon's "rsync:" lines for this connection, without time and pid; the log is complete once the connection
    // has ended (its last line is written before the client sees the end).
    private static async Task<List<string>> DaemonLinesAsync(RsyncDaemonFixture d, int mark)
    {
        await Task.Delay(300);
        return [.. d.DaemonLogSince(mark).Split('\n').Select(l => Prefix().Replace(l, ""))
            .Where(l => l.StartsWith("rsync: ", StringComparison.Ordinal)).Select(Plain)];
    }

    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\d+\] ")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"rsync error: ")]
    private static partial Regex ProbeEnd();

    /// <summary>One module, "use chroot" as the row says; its tree is seeded after the daemon starts.</summary>
    private sealed class NamingDaemonFixture(bool mrsync, bool chroot, bool readOnlyToo = false) : RsyncDaemonFixture
    {
        // Only root can chroot, and only the NativeAOT mrsync (no mrsync.dll beside it) serves from inside a chroot.
        public static bool MrsyncCanChroot => Environment.UserName == "root"
            && !File.Exists(Path.Combine(Path.GetDirectoryName(MrsyncDaemonFixture.Executable)!, "mrsync.dll"));

        public override string DaemonPath => mrsync ? MrsyncDaemonFixture.Executable : base.DaemonPath;

        protected override IReadOnlyList<DaemonModule> Modules => readOnlyToo
            ? [new("mod", Comment: "names", Extra: [$"use chroot = {(chroot ? "yes" : "no")}"]), new("ro", Comment: "read only", ReadOnly: true)]
            : [new("mod", Comment: "names", Extra: [$"use chroot = {(chroot ? "yes" : "no")}"])];

        private string Mod => ModulePath("mod");

        // a, sub/b, a link with no referent at the top and in sub, and an immutable "frozen" at the top and in sub.
        public void Seed()
        {
            Directory.CreateDirectory(Path.Combine(Mod, "sub"));
            File.WriteAllText(Path.Combine(Mod, "a"), "a\n");
            File.WriteAllText(Path.Combine(Mod, "sub", "b"), "b\n");
            File.CreateSymbolicLink(Path.Combine(Mod, "dangle"), "nowhere");
            File.CreateSymbolicLink(Path.Combine(Mod, "sub", "dangle"), "nowhere");
            foreach (string frozen in new[] { Path.Combine(Mod, "frozen"), Path.Combine(Mod, "sub", "frozen") })
            {
                Directory.CreateDirectory(frozen);
                Assert.Equal(0, ToolProcess.RunAsync("chattr", ["+i", frozen]).GetAwaiter().GetResult().ExitCode);
            }
        }

        // The fixture's probe of the port is a connection too, and the daemon may log its end (both: "safe_write
        // failed ... Broken pipe" and "rsync error: ... (code 12)"): a loaded CI machine
        // logged stock's after a run's mark had been taken. Waited for before any mark (at most 10 s).
        public async Task ProbeEndedAsync()
        {
            for (int i = 0; i < 200 && !ProbeEnd().IsMatch(DaemonLog); i++)
                await Task.Delay(50);
        }

        public string WriteConfigOnly()
        {
            Directory.CreateDirectory(Mod);
            string config = Path.Combine(Root, "only.conf");
            File.WriteAllText(config, $"use chroot = {(chroot ? "yes" : "no")}\nuid = root\ngid = root\n[mod]\n    path = {Mod}\n");
            return config;
        }

        public async Task CleanUpAsync()
        {
            foreach (string frozen in new[] { Path.Combine(Mod, "frozen"), Path.Combine(Mod, "sub", "frozen") })
            {
                if (Directory.Exists(frozen))
                    await ToolProcess.RunAsync("chattr", ["-i", frozen]);
            }
            await base.DisposeAsync();
        }
    }
}
