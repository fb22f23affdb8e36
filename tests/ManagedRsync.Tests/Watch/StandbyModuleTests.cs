using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.Daemon;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// The daemon replica's connection opened ahead of need: a push takes it at "@RSYNCD: OK" and only sends its server
/// arguments; one the daemon closed or that waited too long is never used (a fresh one is opened instead), and a
/// stale one is replaced in the background.
/// </summary>
public sealed class StandbyModuleTests : IAsyncDisposable
{
    private readonly GreetingDaemon _daemon = new();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    private Func<CancellationToken, Task<DaemonSession>> Opener() => async ct =>
    {
        var session = await DaemonSession.ConnectAsync(new DaemonConnectOptions { Host = "127.0.0.1", Port = _daemon.Port }, ct);
        await session.RequestModuleAsync("mod", null, () => null, ct);
        return session;
    };

    [Fact]
    public async Task APushTakesTheWaitingConnectionAndSendsOnlyItsArguments()
    {
        await using var standby = new StandbyModule(Opener(), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        standby.Prepare();
        await _daemon.WaitForAsync(c => c.Count == 1 && c[0].SawOk, "the standby connection at OK");

        (DaemonSession session, bool wasStandby) = await standby.TakeAsync(CancellationToken.None);
        await using (session)
        {
            Assert.True(wasStandby);
            await session.SendServerArgumentsAsync(["--server", "-a", ".", "mod/"], CancellationToken.None);
            await _daemon.WaitForAsync(c => c[0].Arguments is not null, "the arguments");
        }
        Assert.Single(_daemon.Connections);
        Assert.Equal(["--server", "-a", ".", "mod/"], _daemon.Connections[0].Arguments!);
    }

    [Fact]
    public async Task AConnectionTheDaemonClosedIsNotUsed()
    {
        _daemon.CloseAfterOk = true; // as a daemon whose handshake timeout expired
        await using var standby = new StandbyModule(Opener(), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        standby.Prepare();
        await _daemon.WaitForAsync(c => c.Count == 1 && c[0].Closed, "the daemon closing the waiting connection");
        _daemon.CloseAfterOk = false;

        (DaemonSession session, bool wasStandby) = await standby.TakeAsync(CancellationToken.None);
        await using (session)
        {
            Assert.False(wasStandby);
            await session.SendServerArgumentsAsync(["--server", "."], CancellationToken.None);
            await _daemon.WaitForAsync(c => c.Count == 2 && c[1].Arguments is not null, "the fresh connection's arguments");
        }
    }

    [Fact]
    public async Task AStaleConnectionIsReplacedBeforeTheDaemonGivesUp()
    {
        await using var standby = new StandbyModule(Opener(), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100));
        standby.Prepare();
        // Replaced in the background after 300 ms, so a push after a long idle still finds one waiting.
        await _daemon.WaitForAsync(c => c.Count >= 3 && c[0].Closed && c[1].Closed, "two replacements");
        (DaemonSession session, bool wasStandby) = await standby.TakeAsync(CancellationToken.None);
        await using (session)
            Assert.True(wasStandby);
    }

    [Fact]
    public async Task TakingTheConnectionOpensTheNextWhileThePushRuns()
    {
        // DaemonReplicaTarget prepares again as soon as a push has taken its connection: the next batch of a burst
        // then finds one at OK instead of waiting for a connect, the daemon's fork and the login.
        await using var standby = new StandbyModule(Opener(), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        standby.Prepare();
        await _daemon.WaitForAsync(c => c.Count == 1 && c[0].SawOk, "the standby connection at OK");
        (DaemonSession first, bool firstWasStandby) = await standby.TakeAsync(CancellationToken.None);
        await using (first)
        {
            standby.Prepare();
            standby.Prepare(); // one on its way is not doubled
            await _daemon.WaitForAsync(c => c.Count == 2 && c[1].SawOk, "the next connection at OK, the first still open");
            Assert.False(_daemon.Connections[0].Closed);
            (DaemonSession second, bool secondWasStandby) = await standby.TakeAsync(CancellationToken.None);
            await using (second)
            {
                Assert.True(firstWasStandby);
                Assert.True(secondWasStandby);
            }
        }
        Assert.Equal(2, _daemon.Connections.Count);
    }

    [Fact]
    public async Task AStandbyWhoseOpeningFailedIsReplacedByTheNextPrepare()
    {
        // A daemon at its "max connections" refuses the standby opened while a push holds the only slot; the prepare
        // after that push must open another, not keep the failure until a push pays for a fresh connection.
        int opened = 0;
        Func<CancellationToken, Task<DaemonSession>> real = Opener();
        Task<DaemonSession> Open(CancellationToken ct) => Interlocked.Increment(ref opened) == 1
            ? Task.FromException<DaemonSession>(new RsyncException(RsyncErrorKind.RemoteError, "max connections (1) reached -- try again later"))
            : real(ct);
        await using var standby = new StandbyModule(Open, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        standby.Prepare();
        Assert.Equal(1, opened);
        standby.Prepare();
        Assert.Equal(2, opened);
        await _daemon.WaitForAsync(c => c.Count == 1 && c[0].SawOk, "the replacement at OK");
        (DaemonSession session, bool wasStandby) = await standby.TakeAsync(CancellationToken.None);
        await using (session)
            Assert.True(wasStandby);
        Assert.Equal(2, opened);
    }

    /// <summary>Plays a daemon's greeting and module phase on every connection, then reads the arguments.</summary>
    private sealed class GreetingDaemon : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accept;
        private readonly ConcurrentQueue<Task> _served = new();

        public GreetingDaemon()
        {
            _listener.Start();
            _accept = Task.Run(AcceptAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public volatile bool CloseAfterOk;

        public List<Seen> Connections { get; } = [];

        public sealed class Seen
        {
            public volatile bool SawOk;
            public volatile bool Closed;
            public string[]? Arguments;
        }

        public async Task WaitForAsync(Func<List<Seen>, bool> done, string what)
        {
            DateTime until = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                lock (Connections)
                {
                    if (done(Connections))
                        return;
                }
                Assert.True(DateTime.UtcNow < until, $"never saw {what}");
                await Task.Delay(10);
            }
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                var seen = new Seen();
                lock (Connections)
                    Connections.Add(seen);
                _served.Enqueue(Task.Run(() => ServeAsync(client, seen)));
            }
        }

        private async Task ServeAsync(Socket client, Seen seen)
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            try
            {
                await stream.WriteAsync("@RSYNCD: 32.0 md5\n"u8.ToArray());
                await ReadUntilAsync(stream, (byte)'\n'); // the client's greeting
                await ReadUntilAsync(stream, (byte)'\n'); // the module
                await stream.WriteAsync("@RSYNCD: OK\n"u8.ToArray());
                seen.SawOk = true;
                if (CloseAfterOk)
                    return;
                var args = new List<string>();
                while (true)
                {
                    string arg = await ReadUntilAsync(stream, 0);
                    if (arg.Length == 0)
                        break;
                    args.Add(arg);
                }
                seen.Arguments = [.. args];
                await ReadUntilAsync(stream, 0); // until the client closes
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                seen.Closed = true;
            }
        }

        private static async Task<string> ReadUntilAsync(Stream stream, byte terminator)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (await stream.ReadAsync(one) == 1)
            {
                if (one[0] == terminator)
                    return Encoding.UTF8.GetString([.. bytes]);
                bytes.Add(one[0]);
            }
            throw new EndOfStreamException();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accept;
            _stop.Dispose();
        }
    }
}
