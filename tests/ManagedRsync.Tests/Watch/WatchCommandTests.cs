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
        // Read as systemd does, all the time: a unix datagram queue holds only net.unix.max_dgram_qlen (10) datagrams,
        // and with WATCHDOG=1 every 100 ms a reader that stops reading fills it within a second.
        var states = new System.Collections.Concurrent.BlockingCollection<string>();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Task reader = Task.Run(() =>
        {
            byte[] buffer = new byte[4096];
            try
            {
                while (true)
                {
                    string state = Encoding.UTF8.GetString(buffer, 0, systemd.Receive(buffer));
                    seen.Enqueue(state);
                    states.Add(state);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // the test is over
            }
        });
        string Next()
        {
            Assert.True(states.TryTake(out string? state, TimeSpan.FromSeconds(20)), "no datagram from mrsync watch in 20 s");
            return state;
        }
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
        Assert.StartsWith("READY=1", Next(), StringComparison.Ordinal);
        SpinWait.SpinUntil(() => service.Queues[0].BatchesSent == 1, TimeSpan.FromSeconds(20)); // the initial full sync
        Assert.StartsWith("WATCHDOG=1", Next(), StringComparison.Ordinal);

        // Inside a 30 s quiet window: only the shutdown flush can deliver it.
        File.WriteAllText(_src["late.txt"], "written just before SIGTERM");
        SpinWait.SpinUntil(() => service.BatchingDepth > 0, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("written just before SIGTERM", File.ReadAllText(_dst["late.txt"]));
        Assert.True(SpinWait.SpinUntil(() => seen.Any(s => s.StartsWith("STOPPING=1", StringComparison.Ordinal)), TimeSpan.FromSeconds(20)),
            "no STOPPING=1: " + string.Join(" | ", seen));
        systemd.Dispose();
        await reader.WaitAsync(TimeSpan.FromSeconds(20));
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

    [Fact]
    public async Task A_systemd_that_stops_reading_never_stalls_the_notifier()
    {
        // Nobody reads: the datagram queue (net.unix.max_dgram_qlen, 10 by default) fills, and a blocking send
        // would wait for ever (it hung the whole test host once, from the shutdown's STOPPING=1).
        string sockPath = _state["silent.sock"];
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(sockPath));
        using var notify = new SystemdNotify(k => k == "NOTIFY_SOCKET" ? sockPath : null);
        Assert.True(notify.Enabled);
        Task sends = Task.Run(() =>
        {
            for (int i = 0; i < 14; i++)
                notify.Send("WATCHDOG=1");
        });
        await sends.WaitAsync(TimeSpan.FromSeconds(60)); // 4 dropped after SendLimit each, at most
        Assert.True(systemd.Available > 0);
    }
}
