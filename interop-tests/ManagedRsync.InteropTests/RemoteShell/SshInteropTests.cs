using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// mrsync's client against stock rsync 3.5.0's server (<c>rsync --server</c>) through a real OpenSSH server on
/// loopback (<see cref="SshdFixture"/>), side by side with stock's client over the same ssh: push and pull at every
/// protocol, with names holding spaces, quotes, '*', a leading '-' and bytes that are not UTF-8, into remote paths that
/// need quoting for the remote shell; and the remote side's errors and exit codes as stock reports them.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class SshInteropTests(SshdFixture sshd) : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("ssh");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    [Theory]
    [MemberData(nameof(ProtocolVersions.All), MemberType = typeof(ProtocolVersions))]
    public async Task PushOverSshMatchesStock(int protocol)
    {
        string src = Source();
        string ours = Path.Combine(_root, $"push {protocol} it's \"ours\" *[x]");
        string stock = Path.Combine(_root, $"push {protocol} it's \"stock\" *[x]");
        string[] options = ["-a", $"--protocol={protocol}", "-e", sshd.Rsh];

        var oursRun = await MrsyncProcess.RunAsync([.. options, src + "/", sshd.Remote(ours + "/")], Env);
        var stockRun = await ToolProcess.RunAsync("rsync", [.. options, src + "/", sshd.Remote(stock + "/")], Env);

        Assert.True(oursRun.ExitCode == 0 && stockRun.ExitCode == 0, Explain(oursRun, stockRun));
        // Modification times carry nanoseconds from protocol 31 (flist.c: XMIT_MOD_NSEC); before, both copies have seconds.
        Assert.Equal(TreeSnapshot.Of(src, times: protocol >= 31), TreeSnapshot.Of(ours, times: protocol >= 31));
        Assert.Equal(TreeSnapshot.Of(stock), TreeSnapshot.Of(ours));
    }

    [Theory]
    [MemberData(nameof(ProtocolVersions.All), MemberType = typeof(ProtocolVersions))]
    public async Task PullOverSshMatchesStock(int protocol)
    {
        string src = Source();
        string ours = Path.Combine(_root, $"pull-{protocol}-ours");
        string stock = Path.Combine(_root, $"pull-{protocol}-stock");
        string[] options = ["-a", $"--protocol={protocol}", "-e", sshd.Rsh];

        var oursRun = await MrsyncProcess.RunAsync([.. options, sshd.Remote(src + "/"), ours + "/"], Env);
        var stockRun = await ToolProcess.RunAsync("rsync", [.. options, sshd.Remote(src + "/"), stock + "/"], Env);

        Assert.True(oursRun.ExitCode == 0 && stockRun.ExitCode == 0, Explain(oursRun, stockRun));
        // Modification times carry nanoseconds from protocol 31 (flist.c: XMIT_MOD_NSEC); before, both copies have seconds.
        Assert.Equal(TreeSnapshot.Of(src, times: protocol >= 31), TreeSnapshot.Of(ours, times: protocol >= 31));
        Assert.Equal(TreeSnapshot.Of(stock), TreeSnapshot.Of(ours));
    }

    [Fact]
    public async Task SecludedArgsAndRelativeRemotePathsReachTheSameFiles()
    {
        // --rsync-path runs through the remote shell (cd first); the remote paths are relative to it and start with
        // '-', hold spaces, quotes and '*'.
        string src = Source();
        foreach (string[] style in new[] { new[] { "-s" }, [] })
        {
            string name = $"-rel {string.Join("", style)} it's *";
            string[] options = ["-a", "-e", sshd.Rsh, $"--rsync-path=cd '{_root}' && rsync", .. style];
            var push = await MrsyncProcess.RunAsync([.. options, src + "/", sshd.Remote(name + "/")], Env);
            Assert.True(push.ExitCode == 0, Explain(push));
            // Regular files' times only: the receiver is stock's server, which in some runs leaves a symlink it makes
            // (the dangling one) and so its directory at "now" (seen with stock's client too: StockClientParityTests).
            Assert.Equal(TreeSnapshot.Of(src, rootTimes: false, symlinkTimes: false, directoryTimes: false),
                TreeSnapshot.Of(Path.Combine(_root, name), rootTimes: false, symlinkTimes: false, directoryTimes: false));

            string back = Path.Combine(_root, "back " + string.Join("", style));
            var pull = await MrsyncProcess.RunAsync([.. options, sshd.Remote(name + "/"), back + "/"], Env);
            Assert.True(pull.ExitCode == 0, Explain(pull));
            Assert.Equal(TreeSnapshot.Of(src), TreeSnapshot.Of(back));
        }
    }

    /// <summary>
    /// An absolute -R source without "/./" over ssh (issue 16, protocol-notes §70): stock's sender lists the names with
    /// their leading '/' and stock's receiving server strips it after sorting (flist.c: send_file_list,
    /// flist_sort_and_clean with strip_root). mrsync's client sends them so on a push (it refused such a source
    /// before) and takes them from stock's sending server on a pull. The trees and the -i lines must be stock's client's.
    /// </summary>
    [Fact]
    public async Task AnAbsoluteRelativeSourceCopiesAsWithStocksClient()
    {
        string src = Source();
        string[] options = ["-aRi", "-e", sshd.Rsh];
        foreach (bool push in new[] { true, false })
        {
            string ours = Path.Combine(_root, push ? "rel-push-ours" : "rel-pull-ours");
            string stock = Path.Combine(_root, push ? "rel-push-stock" : "rel-pull-stock");
            string from = push ? src : sshd.Remote(src);
            string To(string dest) => push ? sshd.Remote(dest + "/") : dest + "/";
            var oursRun = await MrsyncProcess.RunAsync([.. options, from, To(ours)], Env);
            var stockRun = await ToolProcess.RunAsync("rsync", [.. options, from, To(stock)], Env);

            Assert.True(oursRun.ExitCode == 0 && stockRun.ExitCode == 0, Explain(oursRun, stockRun));
            // The copied part; its implied parents (/tmp and down) take the times they have when each run reads them.
            Assert.Equal(TreeSnapshot.Of(src), TreeSnapshot.Of(ours + src));
            Assert.Equal(TreeSnapshot.Of(stock + src), TreeSnapshot.Of(ours + src));
            Assert.Equal(stockRun.Stdout.Replace(stock, ours, StringComparison.Ordinal), oursRun.Stdout);
        }
    }

    /// <summary>
    /// A push into a remote destination that is not there: stock's receiving server makes it (main.c: get_local_name;
    /// --mkpath its parents too) and, with -v, -i or --info=name1, sends "created directory PATH" (and "created N
    /// directories for PATH") as MSG_INFO before any entry's line; a dry run says it and makes nothing. mrsync's client
    /// must print what stock's prints, line for line (byte counts masked), and leave the same tree.
    /// </summary>
    [Theory]
    [InlineData("-av", "")]
    [InlineData("-ai", "")]
    [InlineData("-a --info=name1", "")]
    [InlineData("-avn", "")]
    [InlineData("-ai --mkpath", "/deeper/more")]
    public async Task APushIntoAMissingDirectoryIsNamedAsWithStocksClient(string options, string under)
    {
        string src = Source();
        string name = $"made {options.Replace(' ', '_')}";
        string ours = Path.Combine(_root, name + " ours"), stock = Path.Combine(_root, name + " stock");
        string[] args = [.. options.Split(' '), "-e", sshd.Rsh, src + "/"];
        var oursRun = await MrsyncProcess.RunAsync([.. args, sshd.Remote(ours + under + "/")], Env);
        var stockRun = await ToolProcess.RunAsync("rsync", [.. args, sshd.Remote(stock + under + "/")], Env);

        Assert.True(oursRun.ExitCode == 0 && stockRun.ExitCode == 0, Explain(oursRun, stockRun));
        Assert.Equal(Pull.StockOutput.Normalize(stockRun.Stdout, stock), Pull.StockOutput.Normalize(oursRun.Stdout, ours));
        // With --mkpath and a trailing '/' make_path drops only the empty name after it and makes the destination
        // itself too ("created 3 directories for DEST/deeper/more"); get_local_name then finds it there.
        Assert.Contains(under.Length == 0 ? "created directory DEST\n" : "created 3 directories for DEST/deeper/more\n",
            Pull.StockOutput.Normalize(oursRun.Stdout, ours), StringComparison.Ordinal);
        if (options.Split(' ')[0].Contains('n'))
            Assert.False(Directory.Exists(ours) || Directory.Exists(stock));
        else
            Assert.Equal(TreeSnapshot.Of(stock, rootTimes: false, directoryTimes: under.Length == 0), TreeSnapshot.Of(ours, rootTimes: false, directoryTimes: under.Length == 0));
    }

    [Fact]
    public async Task OldArgsLetTheRemoteShellExpandWildcards()
    {
        // rsync.1 --old-args: the remote shell splits and globs the path again, as rsync before 3.2.4 let it.
        string src = Source();
        string ours = Path.Combine(_root, "old-ours"), stock = Path.Combine(_root, "old-stock");
        string[] options = ["-a", "-e", sshd.Rsh, "--old-args"];
        var oursRun = await MrsyncProcess.RunAsync([.. options, sshd.Remote(src + "/p*.txt"), ours + "/"], Env);
        var stockRun = await ToolProcess.RunAsync("rsync", [.. options, sshd.Remote(src + "/p*.txt"), stock + "/"], Env);
        Assert.True(oursRun.ExitCode == 0 && stockRun.ExitCode == 0, Explain(oursRun, stockRun));
        Assert.True(File.Exists(Path.Combine(ours, "plain.txt")), Explain(oursRun));
        Assert.Equal(TreeSnapshot.Of(stock, rootTimes: false), TreeSnapshot.Of(ours, rootTimes: false));
    }

    [Fact]
    public async Task RemoteErrorsAndExitCodesAreStocks()
    {
        string missing = Path.Combine(_root, "no such dir");
        string dst = Path.Combine(_root, "dst");
        string[][] lines =
        [
            // The remote sender cannot find the source: its error arrives as a message, exit 23.
            ["-a", "-e", sshd.Rsh, sshd.Remote(missing + "/"), dst + "/"],
            // The remote shell cannot find rsync: its stderr, then the connection closes (exit 12 or the shell's status).
            ["-a", "-e", sshd.Rsh, "--rsync-path=/nonexistent/rsync", sshd.Remote(missing + "/"), dst + "/"],
            // ssh cannot connect: ssh's 255.
            ["-a", "-e", sshd.Rsh.Replace($"-p {sshd.Port}", "-p 1", StringComparison.Ordinal), sshd.Remote(missing + "/"), dst + "/"],
            // The remote rsync refuses an option it does not know, before its output is multiplexed: stderr.
            ["-a", "-e", sshd.Rsh, "--rsync-path=rsync --no-such-option", Source() + "/", sshd.Remote(dst + "/")],
        ];
        foreach (string[] line in lines)
        {
            var ours = await MrsyncProcess.RunAsync(line, Env);
            var stock = await ToolProcess.RunAsync("rsync", line, Env);
            // When the connection breaks, stock takes the shell's status only if the shell has already exited as its
            // client cleans up (cleanup.c: _exit_cleanup, waitpid WNOHANG): 12 or the status, by a race; mrsync waits
            // up to a second for it and so gives the status.
            Assert.True(stock.ExitCode == ours.ExitCode || (stock.ExitCode == 12 && ours.ExitCode > 12), Explain(ours, stock));
            // The remote side's own words (the lines stock prints that are not its client's): in ours too.
            foreach (string remote in stock.Stderr.Split('\n').Where(l => l.Length > 0 && !ClientLine(l)))
                Assert.True(ours.Stderr.Contains(remote, StringComparison.Ordinal), $"missing \"{remote}\"\n" + Explain(ours, stock));
        }
    }

    // The client's own lines: its connection error and its final "rsync error: ... [Receiver=3.5.0]".
    private static bool ClientLine(string line) =>
        line.StartsWith("rsync error:", StringComparison.Ordinal) || line.Contains("connection unexpectedly closed", StringComparison.Ordinal)
        || line.StartsWith("rsync: [Receiver]", StringComparison.Ordinal) || line.StartsWith("rsync: [sender]", StringComparison.Ordinal) && line.Contains("write error", StringComparison.Ordinal);

    private static readonly Dictionary<string, string?> Env = new()
    {
        ["RSYNC_RSH"] = null, ["RSYNC_PROTECT_ARGS"] = null, ["RSYNC_OLD_ARGS"] = null, ["RSYNC_PASSWORD"] = null,
    };

    // Names that need quoting or are not UTF-8, a nested directory and a symlink.
    private string Source()
    {
        string src = Path.Combine(_root, "src");
        if (Directory.Exists(src))
            return src;
        Filters.StockRsyncRunner.CreateTree(src, ["plain.txt", "with space.txt", "it's \"quoted\".txt", "star*.txt", "-leading dash",
            "sub dir/nested [x].txt", "sub dir/$HOME`id`.txt", "back\\slash.txt"]);
        RawFiles.Write(src, [.. "caf"u8, 0xE9, .. ".txt"u8], "latin-1");
        RawFiles.MakeDirectory(src, [.. "d"u8, 0xFF, 0xFE]);
        RawFiles.Write(src, [.. "d"u8, 0xFF, 0xFE, .. "/x"u8, 0x80], "high bytes");
        File.CreateSymbolicLink(Path.Combine(src, "link to it"), "it's \"quoted\".txt");
        RawFiles.DateTree(src);
        return src;
    }

    private string Explain(params ProcessResult[] results) =>
        string.Join("\n", results.Select(r => r.ToString())) + "\n--- sshd ---\n" + sshd.Log;
}
