using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Watch;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// <c>mrsync --server</c> as the far end of a real ssh (<see cref="SshdFixture"/>): stock rsync 3.5.0's client with
/// <c>--rsync-path=mrsync</c> pushes to it and pulls from it (with and without -s), and mrsync's client does the same;
/// each tree must arrive as it left, names that need quoting or are not UTF-8 included.
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class MrsyncServerOverSshTests(SshdFixture sshd) : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("sshserver");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    public static TheoryData<string, int, bool> Runs()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string client in new[] { "stock", "mrsync" })
        {
            foreach (int protocol in new[] { 27, 30, 32 })
            {
                data.Add(client, protocol, false);
                data.Add(client, protocol, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task PushAndPullWithMrsyncAsTheServer(string client, int protocol, bool secluded)
    {
        string src = Path.Combine(_root, "src");
        Filters.StockRsyncRunner.CreateTree(src, ["plain.txt", "with space.txt", "it's \"quoted\".txt", "star*.txt", "-dash", "sub dir/n [x].txt"]);
        RawFiles.Write(src, [.. "caf"u8, 0xE9, .. ".txt"u8], "latin-1");
        // An old time (as a2ee9aa): a new directory or symlink is re-timed only when it differs in whole seconds
        // (util1.c same_time), so a copy made in the source's second could keep its own time (seen in CI).
        RawFiles.DateTree(src);
        string pushed = Path.Combine(_root, "pushed it's *");
        string pulled = Path.Combine(_root, "pulled");
        string rsyncPath = string.Join(' ', WatchProcess.MrsyncCommand());
        string[] options = ["-a", $"--protocol={protocol}", "-e", sshd.Rsh, "--rsync-path=" + rsyncPath, .. secluded ? new[] { "-s" } : []];

        ProcessResult push = await RunAsync(client, [.. options, src + "/", sshd.Remote(pushed + "/")]);
        Assert.True(push.ExitCode == 0, push + "\n" + sshd.Log);
        Assert.Equal(TreeSnapshot.Of(src, times: protocol >= 31), TreeSnapshot.Of(pushed, times: protocol >= 31));

        ProcessResult pull = await RunAsync(client, [.. options, sshd.Remote(pushed + "/"), pulled + "/"]);
        Assert.True(pull.ExitCode == 0, pull + "\n" + sshd.Log);
        Assert.Equal(TreeSnapshot.Of(src, times: protocol >= 31), TreeSnapshot.Of(pulled, times: protocol >= 31));
    }

    private static readonly Dictionary<string, string?> Env = new()
    {
        ["RSYNC_RSH"] = null, ["RSYNC_PROTECT_ARGS"] = null, ["RSYNC_OLD_ARGS"] = null,
    };

    private static Task<ProcessResult> RunAsync(string client, string[] args) =>
        client == "stock" ? ToolProcess.RunAsync("rsync", args, Env) : MrsyncProcess.RunAsync(args, Env);
}
