using System.Net;
using System.Net.Sockets;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// A watch's push to a daemon gets an I/O timeout even when the user gives none (WatchConfig.DefaultStallTimeout: 10
/// minutes, sent as --timeout=600 as rsync's client sends its own, options.c: server_options), so a stalled daemon or
/// link cannot hold a replica for ever; the user's --timeout, --no-timeout or --stall-timeout decides instead when
/// given. The one-shot client stays stock: no --timeout unless the user gives one. Read from the server arguments a
/// recording daemon receives. That such a push ends and the replica converges once the stall is over:
/// interop WatchSystemFaultTests.StalledDaemonWithoutTimeoutEndsAtTheStallTimeoutAndConverges.
/// </summary>
public sealed class WatchStallTimeoutTests : IDisposable
{
    private readonly TempTree _src = new();

    public void Dispose() => _src.Dispose();

    [Theory]
    [InlineData("", "--timeout=600")]
    [InlineData("--timeout=7", "--timeout=7")]
    [InlineData("--timeout=0", null)]
    [InlineData("--no-timeout", null)]
    [InlineData("--stall-timeout=1500ms", "--timeout=2")]
    [InlineData("--stall-timeout=0", null)]
    [InlineData("--stall-timeout=5s --timeout=9", "--timeout=9")]
    public async Task A_watch_push_to_a_daemon_carries_the_timeout(string options, string? expected)
    {
        File.WriteAllText(_src["a"], "a\n");
        await using var daemon = new ArgumentRecorder();
        using var stop = new CancellationTokenSource();
        var log = new StringWriter();
        string[] args = [.. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), "-a", _src.Root + "/", daemon.ModuleUrl()];
        Task<int> run = Task.Run(() => WatchCommand.RunAsync(args, Context(TextWriter.Synchronized(log), stop.Token), _ => { }));
        IReadOnlyList<string> sent = await daemon.ArgumentsAsync(run, log);
        await daemon.DisposeAsync(); // hangs up: the client's session ends at once
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        string[] timeouts = [.. sent.Where(a => a.StartsWith("--timeout", StringComparison.Ordinal))];
        Assert.True(timeouts.SequenceEqual(expected is null ? [] : [expected]),
            $"sent: {string.Join(' ', sent)}\nlog:\n{log}");
    }

    [Fact]
    public async Task The_one_shot_client_sends_no_timeout_unless_given()
    {
        File.WriteAllText(_src["a"], "a\n");
        await using var daemon = new ArgumentRecorder();
        using var stop = new CancellationTokenSource();
        var log = new StringWriter();
        Task<int> run = Task.Run(() => RsyncCommand.RunAsync(["-a", _src.Root + "/", daemon.ModuleUrl()], Context(TextWriter.Synchronized(log), stop.Token)));
        IReadOnlyList<string> sent = await daemon.ArgumentsAsync(run, log);
        await daemon.DisposeAsync(); // hangs up: the client's session ends at once
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(sent.Contains("--server") && !sent.Any(a => a.StartsWith("--timeout", StringComparison.Ordinal)),
            $"sent: {string.Join(' ', sent)}\nlog:\n{log}");
    }

    [Fact]
    public void The_default_is_ten_minutes() => Assert.Equal(TimeSpan.FromMinutes(10), WatchConfig.DefaultStallTimeout);

    /// <summary>
    /// A daemon that greets (protocol 32), accepts the module, records the client's server arguments (rsync
    /// clientserver.c: read_args, NUL-terminated at protocol 30+, ended by an empty one) and then hangs up.
    /// </summary>
    private sealed class ArgumentRecorder : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<List<string>> _args = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _serving;

        public ArgumentRecorder()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _serving = ServeAsync();
        }

        public int Port { get; }

        public string ModuleUrl() => $"rsync://127.0.0.1:{Port}/m/";

        public async Task<IReadOnlyList<string>> ArgumentsAsync(Task client, StringWriter log)
        {
            await Task.WhenAny(_args.Task, client, Task.Delay(TimeSpan.FromSeconds(60)));
            // WhenAny completes with whichever continuation runs first, not whichever task completed first: _args' runs
            // on the thread pool (RunContinuationsAsynchronously) and the client's inline, so a client that fails on
            // the hang-up right after its arguments arrived can be reported first on a busy machine.
            if (!_args.Task.IsCompleted)
                await Task.WhenAny(_args.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            Assert.True(_args.Task.IsCompleted, $"no server arguments arrived (client ended: {client.Status}, {client.Exception?.GetBaseException().Message}):\n{log}");
            return await _args.Task;
        }

        private async Task ServeAsync()
        {
            try
            {
                using Socket peer = await _listener.AcceptSocketAsync();
                await using var stream = new NetworkStream(peer, ownsSocket: false);
                await stream.WriteAsync("@RSYNCD: 32.0 md5 md4\n"u8.ToArray());
                string greeting = await ReadUntilAsync(stream, (byte)'\n');
                Assert.StartsWith("@RSYNCD: ", greeting, StringComparison.Ordinal);
                await ReadUntilAsync(stream, (byte)'\n'); // the module
                await stream.WriteAsync("@RSYNCD: OK\n"u8.ToArray());
                var args = new List<string>();
                while (await ReadUntilAsync(stream, 0) is { Length: > 0 } arg)
                    args.Add(arg);
                _args.TrySetResult(args);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                _args.TrySetException(e);
            }
        }

        private static async Task<string> ReadUntilAsync(Stream stream, byte end)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (await stream.ReadAsync(one) == 0)
                    throw new IOException("the client hung up");
                if (one[0] == end)
                    return System.Text.Encoding.UTF8.GetString([.. bytes]);
                bytes.Add(one[0]);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }

    private static CliContext Context(TextWriter log, CancellationToken ct) => new()
    {
        Out = TextWriter.Null,
        Error = log,
        In = TextReader.Null,
        Cancellation = ct,
        GetEnvironmentVariable = _ => null,
    };
}
