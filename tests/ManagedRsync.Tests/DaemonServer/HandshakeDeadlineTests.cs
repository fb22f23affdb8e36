using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// The daemon's absolute handshake deadline (clientserver.c: daemon_handshake_timeout, io.c:
/// set_daemon_handshake_timeout): the global section's "timeout" (1-60 s, else 60) until a module is named, the module's
/// while it authenticates and, armed afresh, while its arguments are read, the secluded ones (-s) included. A client
/// that trickles bytes without ever finishing a line is cut off when the deadline passes, and the log says so (rsync's
/// testsuite: daemon-handshake-timeout). The bounds are wide on purpose: the deadline can never fire early, and a
/// missing one would leave the connection open for 60 s.
/// </summary>
public sealed class HandshakeDeadlineTests : IDisposable
{
    private static readonly TimeSpan NoLaterThan = TimeSpan.FromSeconds(40);
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-handshake-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "rsyncd.log");

    private DaemonOptions Config(string global, string module)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "mod"));
        string config = Path.Combine(_dir, "rsyncd.conf");
        File.WriteAllText(config, $"use chroot = no\nlog file = {Log}\n{global}\n[m]\npath = {_dir}/mod\nread only = yes\n{module}\n");
        return new DaemonOptions { ConfigFile = config };
    }

    [Fact]
    public async Task The_global_timeout_bounds_a_greeting_that_never_ends()
    {
        DaemonOptions options = Config("timeout = 2", "timeout = 30");
        TimeSpan took = await StallAsync(options, "@RSYNCD: 31.0"u8.ToArray());
        Assert.InRange(took, TimeSpan.FromSeconds(1), NoLaterThan);
        Assert.Contains("daemon handshake timeout", File.ReadAllText(Log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_modules_timeout_bounds_the_secluded_arguments()
    {
        DaemonOptions options = Config("timeout = 50", "timeout = 2");
        TimeSpan took = await StallAsync(options, "@RSYNCD: 31.0\nm\n"u8.ToArray(), "@RSYNCD: OK\n",
            "--server\0--sender\0-s\0\0"u8.ToArray());
        Assert.InRange(took, TimeSpan.FromSeconds(1), NoLaterThan);
        Assert.Contains("daemon handshake timeout", File.ReadAllText(Log), StringComparison.Ordinal);
    }

    // Serves one connection, sends `first`, waits for `expect` (when given), sends `then`, and trickles a byte every
    // 200 ms without a line end; returns how long after the last deliberate write the daemon gave up (with exit 30).
    private static async Task<TimeSpan> StallAsync(DaemonOptions options, byte[] first, string? expect = null, byte[]? then = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using TcpClient served = await listener.AcceptTcpClientAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Task<RsyncExitCode> daemon = RsyncDaemon.ServeAsync(served.GetStream(), served.Client.RemoteEndPoint, options, stop.Token);

        NetworkStream stream = client.GetStream();
        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        async Task ReadUntilAsync(string text)
        {
            while (!received.ToString().Contains(text, StringComparison.Ordinal))
            {
                int n = await stream.ReadAsync(buffer, stop.Token);
                Assert.True(n > 0, $"the daemon closed before \"{text.Trim()}\": {received}");
                received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        await ReadUntilAsync("\n"); // the greeting
        await stream.WriteAsync(first, stop.Token);
        if (expect is not null)
            await ReadUntilAsync(expect);
        if (then is not null)
            await stream.WriteAsync(then, stop.Token);
        var clock = Stopwatch.StartNew();
        while (!daemon.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                await stream.WriteAsync("x"u8.ToArray(), stop.Token);
            }
            catch (IOException)
            {
                // the daemon side is gone
            }
            await Task.WhenAny(daemon, Task.Delay(200, stop.Token));
        }
        TimeSpan took = clock.Elapsed;
        Assert.True(daemon.IsCompleted, "the daemon still served the stalled client after 2 minutes");
        Assert.Equal(RsyncExitCode.Timeout, await daemon);
        return took;
    }
}
