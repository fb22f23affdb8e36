using System.Net.Sockets;
using System.Text;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

public sealed class WatchCommandTests : IDisposable
{
    private readonly TempTree _src = new();
    private readonly TempTree _dst = new();
    private readonly TempTree _state = new();

    public void Dispose()
    {
        _src.Dispose();
        _dst.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task StopFlushesThePendingBatchAndTellsSystemd()
    {
        string sockPath = _state["notify.sock"];
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(sockPath));
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = sockPath, ["WATCHDOG_USEC"] = "200000" };
        using var stop = new CancellationTokenSource();
        var err = new StringWriter();
        var ctx = new CliContext
        {
            Out = TextWriter.Null,
            Error = TextWriter.Synchronized(err),
            In = TextReader.Null,
            Cancellation = stop.Token,
            GetEnvironmentVariable = k => env.GetValueOrDefault(k),
        };
        var ready = new TaskCompletionSource<WatchService>();
        Task<int> run = Task.Run(() => WatchCommand.RunAsync(
            ["--delete", "--delay=30s", "--max-delay=60s", "--state-dir", _state["state"], _src.Root + "/", _dst.Root], ctx, s => ready.SetResult(s)));
        WatchService service = await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("READY=1", Receive(systemd), StringComparison.Ordinal);
        SpinWait.SpinUntil(() => service.Queues[0].BatchesSent == 1, TimeSpan.FromSeconds(20)); // the initial full sync
        Assert.StartsWith("WATCHDOG=1", Receive(systemd), StringComparison.Ordinal);

        // Inside a 30 s quiet window: only the shutdown flush can deliver it.
        File.WriteAllText(_src["late.txt"], "written just before SIGTERM");
        SpinWait.SpinUntil(() => service.BatchingDepth > 0, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("written just before SIGTERM", File.ReadAllText(_dst["late.txt"]));
        var states = new List<string>();
        while (systemd.Available > 0)
            states.Add(Receive(systemd));
        Assert.Contains(states, s => s.StartsWith("STOPPING=1", StringComparison.Ordinal));
        string log = err.ToString();
        string status = File.ReadAllText(Path.Combine(_state["state"], "status"));
        Assert.Contains($"target.{_dst.Root}.queue=0", status, StringComparison.Ordinal);
        Assert.Contains("watches=1", status, StringComparison.Ordinal);
        // The byte count is what the transfer sent (file list, checksums, data), as for a daemon replica.
        System.Text.RegularExpressions.Match line = System.Text.RegularExpressions.Regex.Match(log, @"batch 1 send, 0 trees, 0 delete: 1 files, ([0-9]+) bytes in [0-9.]+ ms");
        Assert.True(line.Success, log);
        Assert.True(long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 27, line.Value);
    }

    [Fact]
    public async Task BadUsageExitsWithRsyncSyntaxCode()
    {
        var err = new StringWriter();
        var ctx = new CliContext { Out = TextWriter.Null, Error = err, In = TextReader.Null };
        Assert.Equal(1, await WatchCommand.RunAsync([_src.Root], ctx));
        Assert.Contains("usage: mrsync watch", err.ToString(), StringComparison.Ordinal);
    }

    private static string Receive(Socket s)
    {
        byte[] buffer = new byte[4096];
        s.ReceiveTimeout = 20_000;
        int n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
