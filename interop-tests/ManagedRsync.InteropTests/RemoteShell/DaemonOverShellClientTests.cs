using ManagedRsync.InteropTests.DaemonServer;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.InteropTests.Watch;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// mrsync's client reaching a daemon through a remote shell (issue 14: <c>mrsync -e ssh [USER@]HOST::MODULE</c>; rsync
/// main.c: start_client with daemon_connection, do_cmd runs <c>RSYNC_PATH --server --daemon .</c>, clientserver.c:
/// start_inband_exchange runs over the shell's pipes), side by side with stock rsync 3.5.0's client with the same
/// command line, through a real sshd (<see cref="SshdFixture"/>), against stock's <c>rsync --server --daemon</c> and
/// against <c>mrsync --server --daemon</c>, each reading an rsyncd.conf named with <c>--config</c> in the rsync path:
/// the module list, a push, a pull, an authenticated push (the daemon user from USER@, the ssh login from "-l" in the
/// -e command) and a wrong password give the same output, exit codes and trees; $RSYNC_PORT is set for the shell as
/// stock sets it.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class DaemonOverShellClientTests(SshdFixture sshd) : IDisposable
{
    private const string AuthUser = "tester";
    private const string Secret = "it's a secret";

    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("shelldaemon");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly Dictionary<string, string?> Env = new()
    {
        ["RSYNC_RSH"] = null, ["RSYNC_PROTECT_ARGS"] = null, ["RSYNC_OLD_ARGS"] = null, ["RSYNC_PASSWORD"] = null,
    };

    public static readonly TheoryData<string> Servers = new() { "rsync", "mrsync" };

    // One config, module directories and password files per server program and client: "SERVER-stock", "SERVER-ours".
    private string Side(string server, string client)
    {
        string dir = Path.Combine(_root, $"{server}-{client}");
        if (Directory.Exists(dir))
            return dir;
        Directory.CreateDirectory(Path.Combine(dir, "mod"));
        Directory.CreateDirectory(Path.Combine(dir, "auth"));
        string ids = Environment.UserName == "root" ? "uid = root\ngid = root\n" : "";
        File.WriteAllText(Path.Combine(dir, "rsyncd.conf"),
            $"use chroot = no\nmunge symlinks = no\nreverse lookup = no\n{ids}log file = {dir}/log\n" +
            $"[mod]\n    path = {dir}/mod\n    comment = over ssh\n    read only = no\n" +
            $"[auth]\n    path = {dir}/auth\n    read only = no\n    auth users = {AuthUser}\n    secrets file = {dir}/secrets\n");
        Private(Path.Combine(dir, "secrets"), $"{AuthUser}:{Secret}\n");
        Private(Path.Combine(dir, "password"), Secret + "\n");
        Private(Path.Combine(dir, "wrong"), "not it\n");
        return dir;
    }

    private static void Private(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    // The same command line through stock's client and mrsync's, each against its own copy of SERVER's config.
    // "{side}" in an argument is that client's side directory; the -e command is the fixture's ssh (plus extra words).
    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(string server, string[] args, string rshExtra = "")
    {
        string program = server == "rsync" ? "rsync" : string.Join(' ', WatchProcess.MrsyncCommand());
        List<string> Line(string client)
        {
            string side = Side(server, client);
            return ["-e", sshd.Rsh + rshExtra, $"--rsync-path={program} --config={side}/rsyncd.conf",
                .. args.Select(a => a.Replace("{side}", side, StringComparison.Ordinal))];
        }
        ProcessResult stock = await ToolProcess.RunAsync("rsync", Line("stock"), Env);
        ProcessResult ours = await MrsyncProcess.RunAsync(Line("ours"), Env);
        return (stock, ours);
    }

    private string Normalize(string server, string output) =>
        DaemonOutput.Normalize(output, "SIDE", Side(server, "stock"), Side(server, "ours"));

    private void AssertSame(string server, (ProcessResult Stock, ProcessResult Ours) r)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}\n{sshd.Log}");
        Assert.Equal(Normalize(server, r.Stock.Stdout), Normalize(server, r.Ours.Stdout));
    }

    private string Host => $"{sshd.User}@{sshd.Host}::";

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_module_list_a_push_and_a_pull_are_stocks(string server)
    {
        var list = await BothAsync(server, [Host]);
        AssertSame(server, list);
        Assert.Equal(0, list.Ours.ExitCode);
        Assert.Contains("mod            \tover ssh", list.Ours.Stdout);

        string src = SourceTree.Create(Path.Combine(_root, "src"), hardLinks: false);
        RawFiles.DateTree(src);
        var push = await BothAsync(server, ["-av", "--delete", src + "/", Host + "mod/tree/"]);
        AssertSame(server, push);
        Assert.Equal(0, push.Ours.ExitCode);
        string ours = Path.Combine(Side(server, "ours"), "mod", "tree");
        Assert.Equal(TreeSnapshot.Of(src), TreeSnapshot.Of(ours));
        Assert.Equal(TreeSnapshot.Of(Path.Combine(Side(server, "stock"), "mod", "tree")), TreeSnapshot.Of(ours));

        var pull = await BothAsync(server, ["-av", Host + "mod/tree/", "{side}/pulled/"]);
        AssertSame(server, pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        Assert.Equal(TreeSnapshot.Of(src, rootTimes: false, symlinkTimes: false, directoryTimes: false),
            TreeSnapshot.Of(Path.Combine(Side(server, "ours"), "pulled"), rootTimes: false, symlinkTimes: false, directoryTimes: false));

        var unknown = await BothAsync(server, [Host + "nosuch/", "{side}/none/"]);
        Assert.True(unknown.Stock.ExitCode == unknown.Ours.ExitCode, $"{unknown.Stock}\n{unknown.Ours}");
        Assert.Equal(5, unknown.Ours.ExitCode);
        Assert.Equal(unknown.Stock.Stderr.Split('\n')[0], unknown.Ours.Stderr.Split('\n')[0]);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_daemon_user_comes_from_the_address_and_the_login_from_dash_l(string server)
    {
        // rsync main.c: do_cmd: with "-l NAME" among the -e words, USER@ goes to the daemon's authentication only.
        string src = SourceTree.Create(Path.Combine(_root, "authsrc"), hardLinks: false);
        // A new symlink is re-timed only when it differs in whole seconds (util1.c same_time): an old time, so that
        // the copy does not keep its own creation time by whether a second ticked (seen in CI).
        RawFiles.DateTree(src);
        string address = $"{AuthUser}@{sshd.Host}::auth/in/";
        var ok = await BothAsync(server, ["-a", "--password-file={side}/password", src + "/", address], $" -l {sshd.User}");
        AssertSame(server, ok);
        Assert.True(ok.Ours.ExitCode == 0, $"{ok.Ours}\n{sshd.Log}");
        Assert.Equal(TreeSnapshot.Of(src), TreeSnapshot.Of(Path.Combine(Side(server, "ours"), "auth", "in")));

        var wrong = await BothAsync(server, ["-a", "--password-file={side}/wrong", src + "/", address + "again/"], $" -l {sshd.User}");
        Assert.True(wrong.Stock.ExitCode == wrong.Ours.ExitCode, $"{wrong.Stock}\n{wrong.Ours}");
        Assert.Equal(5, wrong.Ours.ExitCode);
        Assert.Equal($"@ERROR: auth failed on module auth", wrong.Ours.Stderr.Split('\n')[0]);
        Assert.Equal(wrong.Stock.Stderr.Split('\n')[0], wrong.Ours.Stderr.Split('\n')[0]);
        Assert.False(Directory.Exists(Path.Combine(Side(server, "ours"), "auth", "in", "again")));
    }

    public static readonly TheoryData<string[], string> Ports = new()
    {
        { ["fakehost::mod/x"], "0" },
        { ["--port=1234", "fakehost::mod/x"], "1234" },
        { ["rsync://fakehost:984/mod/x"], "984" },
        { ["--port=1234", "rsync://fakehost/mod/x"], "1234" },
    };

    [Theory]
    [MemberData(nameof(Ports))]
    public async Task The_shell_gets_RSYNC_PORT_as_stocks_does(string[] args, string expected)
    {
        // rsync main.c: start_client: set_env_num("RSYNC_PORT", ...) for a daemon over a remote shell (rsync.1: for
        // helper scripts such as rsync-ssl). The shell here is sh writing the variable and leaving.
        async Task<string> PortSeen(string client, Func<List<string>, Task<ProcessResult>> run)
        {
            string file = Path.Combine(_root, $"port-{client}-{Guid.NewGuid():N}");
            ProcessResult r = await run(["-e", $"sh -c 'printf %s \"$RSYNC_PORT\" > {file}' sh", .. args, Path.Combine(_root, "dst") + "/"]);
            Assert.True(File.Exists(file), $"{client} did not start the shell: {r}");
            Assert.NotEqual(0, r.ExitCode);
            return File.ReadAllText(file);
        }
        string stock = await PortSeen("stock", a => ToolProcess.RunAsync("rsync", a, Env));
        string ours = await PortSeen("ours", a => MrsyncProcess.RunAsync(a, Env));
        Assert.Equal(expected, stock);
        Assert.Equal(stock, ours);
    }

    [Fact]
    public async Task RSYNC_RSH_alone_keeps_a_daemon_address_on_TCP_and_a_failed_login_is_stocks()
    {
        // main.c: start_client: daemon_connection = shell_cmd ? 1 : -1: only -e/--rsh puts a daemon behind a shell.
        string file = Path.Combine(_root, "rsh-started");
        var env = new Dictionary<string, string?>(Env) { ["RSYNC_RSH"] = $"sh -c 'touch {file}' sh" };
        string[] args = ["-a", "--port=1", "127.0.0.1::mod", Path.Combine(_root, "dst") + "/"];
        ProcessResult stock = await ToolProcess.RunAsync("rsync", args, env);
        ProcessResult ours = await MrsyncProcess.RunAsync(args, env);
        Assert.False(File.Exists(file), $"{stock}\n{ours}");
        Assert.Equal(10, stock.ExitCode);
        Assert.Equal(stock.ExitCode, ours.ExitCode);

        // A shell that cannot log in: stock's client reports the missing greeting and exits 5, not with ssh's 255
        // (cleanup.c takes the shell's status only once main.c: client_run has begun).
        string[] refused = ["-e", "ssh -p 1 -F /dev/null -o BatchMode=yes", "127.0.0.1::mod", Path.Combine(_root, "dst") + "/"];
        stock = await ToolProcess.RunAsync("rsync", refused, Env);
        ours = await MrsyncProcess.RunAsync(refused, Env);
        Assert.Equal(5, stock.ExitCode);
        Assert.True(stock.ExitCode == ours.ExitCode, $"{stock}\n{ours}");
        Assert.Contains("did not see server greeting", ours.Stderr);
        Assert.Contains("ssh: connect to host 127.0.0.1 port 1", ours.Stderr);
    }
}
