using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// "daemon chroot" (clientserver.c: start_daemon chroots each connection's process after the reverse lookup, then
/// changes to "/"): module paths, a push, a pull, a module whose path is missing inside the jail, a user name the jail
/// cannot resolve and a hosts deny list, with stock's client against stock's daemon and mrsync's serving the same
/// config. Only root can chroot, and only the NativeAOT mrsync can serve from inside a chroot (MRSYNC_BIN names it):
/// a JIT build refuses the parameter at start by name, which is what it is held to then (and without root the test
/// fails after that check).
/// </summary>
public sealed partial class DaemonChrootTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-dchroot-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_daemon_chroot_serves_what_stock_serves_from_inside_it()
    {
        var stock = new JailedDaemonFixture(mrsync: false);
        var ours = new JailedDaemonFixture(mrsync: true);
        try
        {
            await CompareAsync(stock, ours);
        }
        finally
        {
            await stock.DisposeAsync();
            await ours.DisposeAsync();
        }
    }

    private async Task CompareAsync(JailedDaemonFixture stock, JailedDaemonFixture ours)
    {
        if (!JailedDaemonFixture.MrsyncCanChroot)
        {
            ProcessResult refused = await ToolProcess.RunAsync(MrsyncDaemonFixture.Executable,
                ["daemon", "--no-detach", "--port=1", "--address=127.0.0.1", "--config=" + ours.WriteConfigOnly()]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("\"daemon chroot\" is supported only by the NativeAOT mrsync running as root", refused.Stderr);
            // Without root the comparison with stock cannot run at all: say so.
            Assert.True(Environment.UserName == "root", "not root: only the refusal at start could be checked (run as root with MRSYNC_BIN)");
            return;
        }
        await stock.InitializeAsync();
        await ours.InitializeAsync();

        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "a"), "pushed\n");
        File.WriteAllText(Path.Combine(src, "sub", "b"), "deeper\n");
        string[][] runs =
        [
            ["-av", "{url}jailed/", "{local}/pulled/"],
            ["-av", src + "/", "{url}writable/pushed/"],
            ["-r", "{url}missing/", "{local}/none/"],
            ["-r", "{url}named/", "{local}/none/"],
            ["-r", "{url}denied/", "{local}/none/"],
            ["{url}"],
        ];
        foreach (string[] run in runs)
        {
            var results = new List<ProcessResult>();
            foreach (JailedDaemonFixture d in new[] { stock, ours })
            {
                string local = Path.Combine(_work, d == stock ? "stock" : "ours");
                Directory.CreateDirectory(local);
                results.Add(await d.RunRsyncAsync(run.Select(a => a.Replace("{url}", d.Url, StringComparison.Ordinal)
                    .Replace("{local}", local, StringComparison.Ordinal))));
            }
            string Shown(ProcessResult r) => Regex.Replace(r.ExitCode + "\n" + r.Stdout + r.Stderr, @"(sent \d+ bytes  received \d+ bytes |total size is \d+  speedup is ).*\n", "")
                .Replace(Path.Combine(_work, "stock"), "LOCAL", StringComparison.Ordinal).Replace(Path.Combine(_work, "ours"), "LOCAL", StringComparison.Ordinal);
            Assert.True(Shown(results[0]) == Shown(results[1]), $"{string.Join(' ', run)}\nstock: {Shown(results[0])}\nmrsync: {Shown(results[1])}\n{ours.DaemonLog}");
        }
        Assert.Equal("deeper\n", File.ReadAllText(Path.Combine(ours.Jail, "w", "pushed", "sub", "b")));
        Assert.Equal("served from the jail\n", File.ReadAllText(Path.Combine(_work, "ours", "pulled", "f")));
        Assert.Contains("Invalid uid nobody", ours.DaemonLog);
        Assert.Contains("rsync denied on module denied from UNDETERMINED (127.0.0.1)", ours.DaemonLog);
    }

    /// <summary>A daemon whose "daemon chroot" is its own jail directory, with module paths inside it.</summary>
    private sealed class JailedDaemonFixture(bool mrsync) : RsyncDaemonFixture
    {
        // Only root can chroot (stock's daemon then fails every connection), and only the NativeAOT mrsync (one
        // executable, no mrsync.dll beside it: MRSYNC_BIN names it) can go on serving from inside a chroot; otherwise
        // mrsync refuses the config at start.
        public static bool MrsyncCanChroot => Environment.UserName == "root"
            && !File.Exists(Path.Combine(Path.GetDirectoryName(MrsyncDaemonFixture.Executable)!, "mrsync.dll"));

        public string Jail => Path.Combine(Root, "jail");

        public override string DaemonPath => mrsync ? MrsyncDaemonFixture.Executable : base.DaemonPath;

        // Numbers, not names: the jail has no /etc/passwd.
        protected override IReadOnlyList<DaemonModule> Modules =>
        [
            new("jailed", Comment: "inside the jail", ReadOnly: true, Extra: ["path = /served", "uid = 0", "gid = 0"]),
            new("writable", Comment: "writable inside", Extra: ["path = /w", "uid = 0", "gid = 0"]),
            new("missing", Comment: "no such path inside", Extra: ["path = /nowhere", "uid = 0", "gid = 0"]),
            new("named", Comment: "a user the jail cannot name", ReadOnly: true, Extra: ["path = /served", "uid = nobody", "gid = 0"]),
            new("denied", Comment: "hosts deny", ReadOnly: true, Extra: ["path = /served", "uid = 0", "gid = 0", "hosts deny = 127.0.0.1"]),
        ];

        protected override IEnumerable<string> GlobalLines
        {
            get
            {
                Directory.CreateDirectory(Path.Combine(Jail, "served"));
                Directory.CreateDirectory(Path.Combine(Jail, "w"));
                File.WriteAllText(Path.Combine(Jail, "served", "f"), "served from the jail\n");
                return [$"daemon chroot = {Jail}"];
            }
        }

        public string WriteConfigOnly()
        {
            string config = Path.Combine(Root, "only.conf");
            File.WriteAllText(config, string.Join('\n', GlobalLines.Append("[m]\npath = /served\n")));
            return config;
        }
    }
}
