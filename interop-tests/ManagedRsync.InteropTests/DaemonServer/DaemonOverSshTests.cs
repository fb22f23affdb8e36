using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.InteropTests.Watch;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// A daemon over a remote shell (issue 14: <c>rsync -e ssh USER@HOST::MODULE</c>; main.c: the client runs
/// <c>--server --daemon .</c> through the shell and speaks the daemon protocol over its pipes): stock rsync 3.5.0's
/// client through a real sshd (<see cref="SshdFixture"/>) to <c>mrsync --server --daemon</c> and, side by side with
/// the same command, to stock's, both reading the same rsyncd.conf (named with --config in the rsync path): the module
/// list, a push and a pull give the same output, exit codes and trees.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class DaemonOverSshTests(SshdFixture sshd) : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("sshdaemon");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly Dictionary<string, string?> Env = new()
    {
        ["RSYNC_RSH"] = null, ["RSYNC_PROTECT_ARGS"] = null, ["RSYNC_OLD_ARGS"] = null, ["RSYNC_PASSWORD"] = null,
    };

    // One config and module directory a side: "stock" and "ours".
    private string Config(string side)
    {
        string dir = Path.Combine(_root, side);
        string conf = Path.Combine(dir, "rsyncd.conf");
        if (File.Exists(conf))
            return conf;
        Directory.CreateDirectory(Path.Combine(dir, "mod"));
        Directory.SetLastWriteTimeUtc(Path.Combine(dir, "mod"), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        string ids = Environment.UserName == "root" ? "uid = root\ngid = root\n" : "";
        File.WriteAllText(conf, $"use chroot = no\nmunge symlinks = no\nreverse lookup = no\n{ids}log file = {dir}/log\n" +
            $"[mod]\n    path = {dir}/mod\n    comment = over ssh\n    read only = no\n[hidden]\n    path = {dir}/mod\n    list = no\n");
        return conf;
    }

    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(Func<string, IEnumerable<string>> args)
    {
        string mrsync = string.Join(' ', WatchProcess.MrsyncCommand());
        ProcessResult s = await ToolProcess.RunAsync("rsync",
            ["-e", sshd.Rsh, $"--rsync-path=rsync --config={Config("stock")}", .. args("stock")], Env);
        ProcessResult o = await ToolProcess.RunAsync("rsync",
            ["-e", sshd.Rsh, $"--rsync-path={mrsync} --config={Config("ours")}", .. args("ours")], Env);
        return (s, o);
    }

    private string Normalize(string output) =>
        DaemonOutput.Normalize(output, "SIDE", Path.Combine(_root, "stock"), Path.Combine(_root, "ours"));

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}\n{sshd.Log}");
        Assert.Equal(Normalize(r.Stock.Stdout), Normalize(r.Ours.Stdout));
    }

    private string Host => $"{sshd.User}@{sshd.Host}::";

    [Fact]
    public async Task The_module_list_push_and_pull_are_stocks()
    {
        var list = await BothAsync(_ => [Host]);
        AssertSame(list);
        Assert.Equal(0, list.Ours.ExitCode);
        Assert.Contains("mod            \tover ssh", list.Ours.Stdout);

        string src = SourceTree.Create(Path.Combine(_root, "src"), hardLinks: false);
        // An old time (as a2ee9aa): a new directory or symlink is re-timed only when it differs in whole seconds.
        RawFiles.DateTree(src);
        var push = await BothAsync(_ => ["-av", "--delete", src + "/", Host + "mod/tree/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        Assert.Equal(TreeSnapshot.Of(src), TreeSnapshot.Of(Path.Combine(_root, "ours", "mod", "tree")));
        Assert.Equal(TreeSnapshot.Of(Path.Combine(_root, "stock", "mod", "tree"), times: false),
            TreeSnapshot.Of(Path.Combine(_root, "ours", "mod", "tree"), times: false));

        var pull = await BothAsync(side => ["-av", Host + "mod/tree/", Path.Combine(_root, side, "pulled") + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        Assert.Equal(TreeSnapshot.Of(src, rootTimes: false, symlinkTimes: false, directoryTimes: false),
            TreeSnapshot.Of(Path.Combine(_root, "ours", "pulled"), rootTimes: false, symlinkTimes: false, directoryTimes: false));

        var unknown = await BothAsync(_ => [Host + "nosuch/"]);
        Assert.True(unknown.Stock.ExitCode == unknown.Ours.ExitCode, $"{unknown.Stock}\n{unknown.Ours}");
        Assert.Equal(unknown.Stock.Stderr.Split('\n')[0], unknown.Ours.Stderr.Split('\n')[0]);
        Assert.Contains("hidden", File.ReadAllText(Config("ours")));
        Assert.DoesNotContain("hidden", list.Ours.Stdout);
    }
}
