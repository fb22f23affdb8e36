using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// What the README says about a silent server. The text handshake is bounded: 60 s without `--timeout` (stock's client
/// would wait for ever there; stock's daemon bounds its own side of it to 60 s, clientserver.c DAEMON_HANDSHAKE_TIMEOUT),
/// `--timeout` when given, which ends the run as stock's does (exit 30). After login, as in stock (options.c:
/// io_timeout = 0), only `--timeout` bounds it.
/// </summary>
public sealed class SilentServerTests
{
    [Fact]
    public void HandshakeWaitsSixtySecondsWithoutTimeoutAndTimeoutWhenGiven()
    {
        DaemonAddress address = DaemonAddress.Parse("rsync://127.0.0.1/module/");
        Assert.Equal(TimeSpan.FromSeconds(60), new RsyncOptions().ConnectOptionsFor(address).HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), new RsyncOptions { Timeout = 7 }.ConnectOptionsFor(address).HandshakeTimeout);
    }

    [Fact]
    public async Task TimeoutEndsASilentGreetingLikeStock()
    {
        string rsync = ToolProcess.FindOnPath("rsync") ?? throw new InvalidOperationException("stock rsync is not installed (apt-get install -y rsync)");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        Task accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                held.Add(await listener.AcceptSocketAsync(stop.Token)); // accepted and never answered
        });
        string url = $"rsync://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/";

        var clock = Stopwatch.StartNew();
        ProcessResult stock = await ToolProcess.RunAsync(rsync, ["--timeout=2", url]);
        double stockSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int mine = await Cli.Commands.RsyncCommand.RunAsync(["--timeout=2", url],
            new Cli.CliContext { Out = stdout, Error = stderr, In = TextReader.Null }).WaitAsync(TimeSpan.FromSeconds(30));
        double mySeconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (Socket s in held)
            s.Dispose();

        Assert.Equal(30, stock.ExitCode);
        Assert.True(mine == 30, stderr.ToString());
        Assert.Contains("timeout", stderr.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.InRange(stockSeconds, 1.5, 15);
        Assert.InRange(mySeconds, 1.5, 15);
    }
}
