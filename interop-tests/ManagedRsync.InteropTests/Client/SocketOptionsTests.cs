using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// --sockopts=OPTIONS against stock rsync 3.5.0 (socket.c: set_socket_options on the socket open_socket_out makes):
/// the same setsockopt calls on the socket to the daemon (both clients run under strace), and the same complaints on
/// stderr for an unknown name, a value given to IPTOS_*, and an option the kernel refuses, with the run going on.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed partial class SocketOptionsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-sockopts-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    // SO_RCVTIMEO with an int is refused by Linux (EINVAL): reported, as stock does, and the run goes on.
    [InlineData("FOO,SO_KEEPALIVE,IPTOS_LOWDELAY=3,SO_RCVTIMEO=5")]
    [InlineData("SO_SNDBUF=65536 SO_RCVBUF=131072\tTCP_NODELAY=0,IPTOS_THROUGHPUT")]
    [InlineData(",=5,, SO_KEEPALIVE=x,SO_REUSEADDR=-2")]
    public async Task The_socket_to_the_daemon_gets_the_options_stock_sets(string options)
    {
        string strace = ToolProcess.FindOnPath("strace") ?? throw new InvalidOperationException("strace is not installed: apt-get install -y strace");
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.txt"), "a\n");
        string id = Guid.NewGuid().ToString("N");
        string[][] commands =
        [
            [$"--sockopts={options}", daemon.Url],
            ["-r", $"--sockopts={options}", src + "/", $"{daemon.Url}{DaemonModules.Open}/{id}/"],
            ["-r", $"--sockopts={options}", $"{daemon.Url}{DaemonModules.Open}/{id}/", Path.Combine(_work, "pulled") + "/"],
        ];
        foreach (string[] args in commands)
        {
            (ProcessResult stock, string[] stockCalls) = await TracedAsync(strace, daemon.RsyncPath, args);
            (ProcessResult ours, string[] ourCalls) = await TracedAsync(strace, MrsyncDaemonFixture.Executable, args);
            string explain = $"{daemon.Explain(stock, ours)}\nstock's setsockopt:\n{string.Join('\n', stockCalls)}\nours:\n{string.Join('\n', ourCalls)}";
            Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, explain);
            Assert.True(stock.Stdout == ours.Stdout, explain);
            Assert.True(Complaints(stock.Stderr) == Complaints(ours.Stderr), explain);
            // Stock's calls, in its order, among ours (the runtime sets some of its own: TCP_NODELAY on every socket).
            Assert.NotEmpty(stockCalls);
            int next = 0;
            foreach (string call in ourCalls)
            {
                if (next < stockCalls.Length && call == stockCalls[next])
                    next++;
            }
            Assert.True(next == stockCalls.Length, explain);
        }
    }

    // Runs PROGRAM under strace; its setsockopt calls on the socket, without the descriptor's number.
    private static async Task<(ProcessResult Run, string[] Calls)> TracedAsync(string strace, string program, string[] args)
    {
        string trace = Path.GetTempFileName();
        try
        {
            ProcessResult run = await ToolProcess.RunAsync(strace, ["-f", "-qq", "-e", "trace=setsockopt", "-o", trace, program, .. args],
                new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = null });
            string[] calls = [.. File.ReadAllLines(trace).Select(l => SetSockOpt().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];
            return (run, calls);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    // "setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0" -> "SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0"
    [GeneratedRegex(@"setsockopt\(\d+, (.*)$")]
    private static partial Regex SetSockOpt();

    // Stock's lines about the options, ours in the same words; the rest (stock's "skipping", listings) is compared as stdout.
    private static string Complaints(string stderr) =>
        string.Join('\n', stderr.Split('\n').Where(l => l.Contains("socket option", StringComparison.Ordinal) || l.StartsWith("syntax error", StringComparison.Ordinal)));
}
