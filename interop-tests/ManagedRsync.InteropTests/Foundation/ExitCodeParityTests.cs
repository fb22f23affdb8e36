using System.Net;
using System.Net.Sockets;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>The same command line through stock rsync and mrsync: the exit codes (and listings) must agree.</summary>
[Collection(RsyncDaemonCollection.Name)]
public class ExitCodeParityTests(RsyncDaemonFixture daemon)
{
    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(string[] args,
        Dictionary<string, string?>? environment = null)
    {
        var stock = await daemon.RunRsyncAsync(args, environment);
        var ours = await daemon.RunMrsyncAsync(args, environment);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + daemon.Explain(stock, ours));
        return (stock, ours);
    }

    private string AuthUrl => $"rsync://{RsyncDaemonFixture.User}@{daemon.Host}:{daemon.Port}/{DaemonModules.Auth}/";

    [Fact]
    public Task ModuleListingIsIdenticalToStock() => ListingIsIdenticalAsync([daemon.Url]);

    [Theory]
    [MemberData(nameof(ProtocolVersions.All), MemberType = typeof(ProtocolVersions))]
    public Task ModuleListingAtProtocolIsIdenticalToStock(int protocol) =>
        ListingIsIdenticalAsync([$"--protocol={protocol}", daemon.Url]);

    private async Task ListingIsIdenticalAsync(string[] args)
    {
        var (stock, ours) = await BothAsync(args);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(stock.Stdout, ours.Stdout);
        Assert.DoesNotContain(DaemonModules.Hidden, ours.Stdout);
    }

    [Fact]
    public async Task DoubleColonFormWithPortOption()
    {
        var (stock, ours) = await BothAsync(["--port", daemon.Port.ToString(), $"{daemon.Host}::"]);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(stock.Stdout, ours.Stdout);
    }

    [Fact]
    public async Task NoMotdHidesTheMotd()
    {
        var (stock, ours) = await BothAsync(["--no-motd", daemon.Url]);
        Assert.Equal(stock.Stdout, ours.Stdout);
        Assert.DoesNotContain(RsyncDaemonFixture.Motd, ours.Stdout);
    }

    [Fact]
    public async Task AuthOkListsTheModuleLikeStock()
    {
        File.WriteAllText(Path.Combine(daemon.ModulePath(DaemonModules.Auth), "parity-probe.txt"), "x");
        // -r: without it stock rsync lists the directory one level deep (implied --dirs), mrsync does not yet.
        var (stock, ours) = await BothAsync(["-r", AuthUrl], new() { ["RSYNC_PASSWORD"] = RsyncDaemonFixture.Password });
        Assert.Equal(0, ours.ExitCode);
        Assert.True(ours.Stdout.Contains("parity-probe.txt"), daemon.Explain(stock, ours));
    }

    [Fact]
    public async Task WrongPasswordIsExit5WithTheDaemonsWords()
    {
        var (_, ours) = await BothAsync([AuthUrl], new() { ["RSYNC_PASSWORD"] = "wrong" });
        Assert.Equal(5, ours.ExitCode);
        Assert.Contains("@ERROR: auth failed on module auth", ours.Stderr);
    }

    [Fact]
    public async Task NoPasswordAndNoTerminalIsExit5NotAPrompt()
    {
        var (_, ours) = await BothAsync([AuthUrl]);
        Assert.Equal(5, ours.ExitCode);
    }

    [Fact]
    public async Task OtherAccessiblePasswordFileIsExit1()
    {
        string file = Path.Combine(daemon.Root, "password-644");
        File.WriteAllText(file, RsyncDaemonFixture.Password + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (_, ours) = await BothAsync(["--password-file", file, AuthUrl]);
        Assert.Equal(1, ours.ExitCode);
        Assert.Contains("ERROR: password file must not be other-accessible", ours.Stderr);
    }

    [Fact]
    public async Task UnknownModuleIsExit5()
    {
        var (_, ours) = await BothAsync([$"rsync://{daemon.Host}:{daemon.Port}/no-such-module/"]);
        Assert.Equal(5, ours.ExitCode);
        Assert.Contains("@ERROR: Unknown module 'no-such-module'", ours.Stderr);
    }

    [Fact]
    public async Task ConnectionRefusedIsExit10()
    {
        int port = UnusedPort();
        var (_, ours) = await BothAsync([$"rsync://127.0.0.1:{port}/"]);
        Assert.Equal(10, ours.ExitCode);
        Assert.Contains("Connection refused", ours.Stderr);
    }

    [Fact]
    public async Task NonRsyncServerIsExit5()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var serving = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            // An SSH server's banner for every connection.
            while (!serving.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(serving.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("SSH-2.0-OpenSSH_9.6\r\n"u8.ToArray(), serving.Token);
                await Task.Delay(300, serving.Token);
            }
        });
        var (_, ours) = await BothAsync([$"rsync://127.0.0.1:{port}/"]);
        await serving.CancelAsync();
        try
        {
            await server;
        }
        catch (OperationCanceledException)
        {
            // The accept loop ends by cancellation.
        }
        Assert.Equal(5, ours.ExitCode);
        Assert.Contains("server sent \"SSH-2.0-OpenSSH_9.6\" rather than greeting", ours.Stderr);
    }

    [Fact]
    public async Task ConnectTimeoutIsExit35()
    {
        // A listener whose accept queue is full: further SYNs are dropped, so connect() neither succeeds nor fails.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    filler.Connect(endpoint);
                }
                catch (SocketException)
                {
                    // EINPROGRESS: the handshake is left pending on purpose.
                }
                fillers.Add(filler);
            }
            var (_, ours) = await BothAsync(["--contimeout=1", $"rsync://127.0.0.1:{endpoint.Port}/"]);
            Assert.Equal(35, ours.ExitCode);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task BindAddressIsUsed()
    {
        var (stock, _) = await BothAsync(["--address=127.0.0.2", daemon.Url]);
        Assert.Equal(0, stock.ExitCode);
        // Stock rsync's run logs "(127.0.0.2)" too: only the part of the log our own connection wrote counts
        // (rsync clientserver.c: start_daemon logs "connect from HOST (ADDR)" for each connection).
        int mark = daemon.LogMark();
        var ours = await daemon.RunMrsyncAsync(["--address=127.0.0.2", daemon.Url]);
        Assert.Equal(0, ours.ExitCode);
        string ourLog = daemon.DaemonLogSince(mark);
        Assert.Contains("connect from", ourLog);
        Assert.Contains("(127.0.0.2)", ourLog);
        Assert.DoesNotContain("(127.0.0.1)", ourLog);
    }

    [Fact]
    public async Task UnknownOptionIsExit1()
    {
        var (_, ours) = await BothAsync(["--no-such-option", daemon.Url]);
        Assert.Equal(1, ours.ExitCode);
        Assert.Contains("--no-such-option: unknown option", ours.Stderr);
    }

    [Fact]
    public async Task PasswordFileWithoutDaemonIsExit1()
    {
        var (_, ours) = await BothAsync(["--password-file", daemon.PasswordFile, "/tmp/a", "/tmp/b"]);
        Assert.Equal(1, ours.ExitCode);
    }

    [Fact]
    public async Task BothRemoteIsExit1()
    {
        var (_, ours) = await BothAsync([daemon.Url + "open/", daemon.Url + "auth/"]);
        Assert.Equal(1, ours.ExitCode);
    }

    private static int UnusedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
