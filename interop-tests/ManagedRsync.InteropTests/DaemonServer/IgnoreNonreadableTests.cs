using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// rsyncd.conf's "ignore nonreadable" (flist.c: make_file: after the filters, an entry other than a symlink the daemon
/// cannot access(R_OK) is left out of the list without a word): stock rsync 3.5.0's client pulls from stock's daemon
/// and from mrsync's, both serving the same config as user nobody (a root daemon reads everything), started as a
/// daemon over a "remote shell" that is setpriv (main.c: do_cmd runs <c>COMMAND HOST RSYNC_PATH --server --daemon
/// .</c>; the host "sh" runs the rsync path as a script). With the parameter the unreadable file and directory are
/// skipped (exit 0); without it they are errors (exit 23); output and trees are stock's either way.
/// </summary>
public sealed class IgnoreNonreadableTests : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("nonreadable");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly UnixFileMode Open = (UnixFileMode)Convert.ToInt32("755", 8);

    // The module tree of one side: readable files, a file and a directory only root may read, a symlink to the file.
    private string Side(string name)
    {
        string dir = Path.Combine(_root, name);
        string mod = Path.Combine(dir, "mod");
        Directory.CreateDirectory(Path.Combine(mod, "sub"));
        Directory.CreateDirectory(Path.Combine(mod, "closed"));
        File.WriteAllText(Path.Combine(mod, "readable"), "r");
        File.WriteAllText(Path.Combine(mod, "sub", "inner"), "i");
        File.WriteAllText(Path.Combine(mod, "secret"), "s");
        File.WriteAllText(Path.Combine(mod, "closed", "hidden"), "h");
        File.CreateSymbolicLink(Path.Combine(mod, "link-to-secret"), "secret");
        string conf = Path.Combine(dir, "rsyncd.conf");
        File.WriteAllText(conf, $"use chroot = no\nmunge symlinks = no\nreverse lookup = no\n" +
            $"[yes]\n    path = {mod}\n    ignore nonreadable = yes\n[no]\n    path = {mod}\n");
        // The server run by sh (the "host"), as nobody when we are root.
        string server = name == "stock" ? "rsync" : MrsyncDaemonFixture.Executable;
        File.WriteAllText(Path.Combine(dir, "serve.sh"), $"exec {server} --config={conf} \"$@\"\n");
        foreach (string f in Directory.EnumerateFileSystemEntries(mod, "*", SearchOption.AllDirectories).Append(mod))
            File.SetLastWriteTimeUtc(f, new DateTime(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc));
        foreach (string f in new[] { _root, dir, mod, Path.Combine(mod, "sub"), Path.Combine(mod, "readable"),
                     Path.Combine(mod, "sub", "inner"), Path.Combine(dir, "serve.sh"), conf })
            File.SetUnixFileMode(f, Open);
        File.SetUnixFileMode(Path.Combine(mod, "secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(mod, "closed"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    private static string Shell => Environment.UserName == "root" ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "env";

    [Fact]
    public async Task Unreadable_entries_are_left_out_with_the_parameter_and_errors_without_as_stock()
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it makes files only root may read and serves them as nobody");
        string stockSide = Side("stock"), oursSide = Side("ours");
        foreach (string module in new[] { "yes", "no" })
        {
            async Task<ProcessResult> Pull(string side) => await ToolProcess.RunAsync("rsync",
                ["-av", "-e", Shell, $"--rsync-path={Path.Combine(side, "serve.sh")}", $"sh::{module}/", Path.Combine(side, "got-" + module) + "/"],
                new Dictionary<string, string?> { ["RSYNC_RSH"] = null, ["RSYNC_PASSWORD"] = null });
            ProcessResult stock = await Pull(stockSide), ours = await Pull(oursSide);
            string Plain(string text, string side) => text.Replace(side, "SIDE", StringComparison.Ordinal);
            Assert.True(stock.ExitCode == ours.ExitCode, $"{module}: exit codes differ\n{stock}\n{ours}");
            Assert.Equal(module == "yes" ? 0 : 23, ours.ExitCode);
            Assert.Equal(DaemonOutput.Normalize(Plain(stock.Stdout, stockSide), "SIDE"), DaemonOutput.Normalize(Plain(ours.Stdout, oursSide), "SIDE"));
            Assert.Equal(TreeSnapshot.Of(Path.Combine(stockSide, "got-" + module), rootTimes: false),
                TreeSnapshot.Of(Path.Combine(oursSide, "got-" + module), rootTimes: false));
            Assert.True(File.Exists(Path.Combine(oursSide, "got-" + module, "readable")), ours.ToString());
            Assert.False(File.Exists(Path.Combine(oursSide, "got-" + module, "secret")), ours.ToString());
            Assert.NotNull(new FileInfo(Path.Combine(oursSide, "got-" + module, "link-to-secret")).LinkTarget);
            Assert.Equal(module == "no", ours.Stderr.Contains("Permission denied (13)", StringComparison.Ordinal));
        }
    }
}
