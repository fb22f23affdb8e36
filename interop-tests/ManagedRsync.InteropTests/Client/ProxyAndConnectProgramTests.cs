using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// The two other ways rsync reaches a daemon (socket.c), and --early-input on the way: through an HTTP proxy's CONNECT (<c>RSYNC_PROXY</c>) and
/// through a program on a socket pair (<c>RSYNC_CONNECT_PROG</c>). Stock's client and mrsync run the same command
/// line against the same recording proxy (relaying to the stock daemon) or the same program (stock's
/// <c>rsync --daemon</c> in inetd mode); the requests, trees, messages and exit codes are compared.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ProxyAndConnectProgramTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-proxy-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_push_through_an_http_proxy_sends_stocks_connect_request(bool withCredentials)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        await using var proxy = FakeProxy.Start(daemon.Port, ProxyAnswer.Relay);
        string spec = (withCredentials ? "puser:p@ss:word@" : "") + $"127.0.0.1:{proxy.Port}";
        var env = new Dictionary<string, string?> { ["RSYNC_PROXY"] = spec };
        // The daemon's host is never resolved by the client, only named in the request: a name that does not resolve.
        string Url(string name) => $"rsync://upstream.example:{daemon.Port}/{DaemonModules.Open}/{name}/";

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", src + "/", Url("proxy-stock-" + withCredentials)], env);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", src + "/", Url("proxy-mine-" + withCredentials)], env);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        Assert.Equal(2, proxy.Requests.Count);
        Assert.Equal(proxy.Requests[0], proxy.Requests[1]);
        Assert.StartsWith($"CONNECT upstream.example:{daemon.Port} HTTP/1.0", proxy.Requests[1], StringComparison.Ordinal);
        Assert.Equal(withCredentials, proxy.Requests[1].Contains("Proxy-Authorization: Basic cHVzZXI6cEBzczp3b3Jk", StringComparison.Ordinal));
        TreeAssert.Equal(src, Path.Combine(daemon.ModulePath(DaemonModules.Open), "proxy-mine-" + withCredentials), nanoseconds: false, hardLinks: false);
    }

    public static TheoryData<string, ProxyAnswer, string, string> HostileProxies => new()
    {
        { "refused", ProxyAnswer.Refuse, "upstream.example", "bad response from proxy -- HTTP/1.0 503 Service Unavailable" },
        { "line without end", ProxyAnswer.LongLine, "upstream.example", "proxy response line too long" },
        { "header without end", ProxyAnswer.LongHeader, "upstream.example", "proxy response header line too long" },
        { "not http", ProxyAnswer.NotHttp, "upstream.example", "bad response from proxy -- SSH-2.0-OpenSSH" },
        { "request too long", ProxyAnswer.Relay, new string('a', 1500) + ".invalid", "proxy CONNECT request too long" },
        { "silent close", ProxyAnswer.Close, "upstream.example", "failed to read from proxy" },
    };

    [Theory]
    [MemberData(nameof(HostileProxies))]
    public async Task A_hostile_or_refusing_proxy_ends_the_run_as_stocks_does(string what, ProxyAnswer answer, string host, string message)
    {
        await using var proxy = FakeProxy.Start(daemon.Port, answer);
        var env = new Dictionary<string, string?> { ["RSYNC_PROXY"] = $"127.0.0.1:{proxy.Port}" };
        string url = $"rsync://{host}:{daemon.Port}/{DaemonModules.ReadOnly}/";
        ProcessResult stock = await daemon.RunRsyncAsync([url, Path.Combine(_work, "out-stock")], env);
        ProcessResult mine = await daemon.RunMrsyncAsync([url, Path.Combine(_work, "out-mine")], env);

        Assert.True(stock.ExitCode == mine.ExitCode, what + "\n" + daemon.Explain(stock, mine));
        Assert.Equal(10, mine.ExitCode);
        Assert.Contains(message, stock.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, mine.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "out-mine")));
    }

    [Theory]
    [InlineData("no-port-here", "invalid proxy specification: should be HOST:PORT")]
    [InlineData("nopass@127.0.0.1:1", "invalid proxy specification: should be USER:PASS@HOST:PORT")]
    // The port text is cut to 9 characters (strlcpy into a 10-byte buffer) before getaddrinfo sees it.
    [InlineData("127.0.0.1:nosuchservice", "getaddrinfo: 127.0.0.1 nosuchser: Servname not supported for ai_socktype")]
    public async Task A_malformed_proxy_setting_is_refused_with_stocks_message(string spec, string message)
    {
        var env = new Dictionary<string, string?> { ["RSYNC_PROXY"] = spec };
        string url = $"rsync://127.0.0.1:{daemon.Port}/{DaemonModules.ReadOnly}/";
        ProcessResult stock = await daemon.RunRsyncAsync([url], env);
        ProcessResult mine = await daemon.RunMrsyncAsync([url], env);
        Assert.True(stock.ExitCode == mine.ExitCode && mine.ExitCode == 10, daemon.Explain(stock, mine));
        Assert.Contains(message, stock.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, mine.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_character_in_the_host_never_reaches_the_proxy()
    {
        await using var proxy = FakeProxy.Start(daemon.Port, ProxyAnswer.Relay);
        var env = new Dictionary<string, string?> { ["RSYNC_PROXY"] = $"127.0.0.1:{proxy.Port}" };
        string url = $"rsync://evil.example\r\nINJECTED:{daemon.Port}/{DaemonModules.ReadOnly}/";
        ProcessResult stock = await daemon.RunRsyncAsync([url, Path.Combine(_work, "out")], env);
        ProcessResult mine = await daemon.RunMrsyncAsync([url, Path.Combine(_work, "out")], env);
        Assert.True(stock.ExitCode == mine.ExitCode && mine.ExitCode == 10, daemon.Explain(stock, mine));
        Assert.Contains("invalid control character in proxy CONNECT host", mine.Stderr, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests);
    }

    [Fact]
    public async Task A_connect_program_carries_pull_push_and_listing_as_stocks_does()
    {
        // Stock's own daemon in inetd mode, as rsync's testsuite reaches its daemons: it serves its stdin only if that
        // is a socket, so this also shows the program gets a socket, not a pipe.
        string module = Path.Combine(_work, "module");
        string source = SourceTree.Create(Path.Combine(module, "tree"));
        string config = Path.Combine(_work, "inetd.conf");
        File.WriteAllText(config, $"use chroot = no\nmunge symlinks = no\nuid = {Environment.UserName}\ngid = {GroupName()}\n[m]\npath = {module}\nread only = no\ncomment = via a program\n");
        var env = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = $"{daemon.RsyncPath} --config={config} --daemon" };

        ProcessResult stockList = await daemon.RunRsyncAsync(["rsync://localhost/"], env);
        ProcessResult mineList = await daemon.RunMrsyncAsync(["rsync://localhost/"], env);
        Assert.True(stockList.ExitCode == 0 && mineList.ExitCode == 0, daemon.Explain(stockList, mineList));
        Assert.Equal(stockList.Stdout, mineList.Stdout);
        Assert.Contains("via a program", mineList.Stdout, StringComparison.Ordinal);

        ProcessResult stockPull = await daemon.RunRsyncAsync(["-a", "rsync://localhost/m/tree/", Path.Combine(_work, "pulled-stock")], env);
        ProcessResult minePull = await daemon.RunMrsyncAsync(["-a", "rsync://localhost/m/tree/", Path.Combine(_work, "pulled-mine")], env);
        Assert.True(stockPull.ExitCode == 0 && minePull.ExitCode == 0, daemon.Explain(stockPull, minePull));
        TreeAssert.Equal(source, Path.Combine(_work, "pulled-mine"), nanoseconds: false, hardLinks: false);

        ProcessResult minePush = await daemon.RunMrsyncAsync(["-a", source + "/", "rsync://localhost/m/pushed/"], env);
        Assert.True(minePush.ExitCode == 0, daemon.Explain(minePush));
        TreeAssert.Equal(source, Path.Combine(module, "pushed"), nanoseconds: false, hardLinks: false);
    }

    [Fact]
    public async Task The_program_gets_the_host_quoted_and_a_host_with_shell_syntax_is_refused()
    {
        string seen = Path.Combine(_work, "seen-host");
        string sentinel = Path.Combine(_work, "pwned");
        var env = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = $"printf '%%s' %H > {seen}" };

        ProcessResult named = await daemon.RunMrsyncAsync(["rsync://backup.example_1/m/"], env);
        Assert.NotEqual(0, named.ExitCode); // the program serves nothing
        Assert.Equal("backup.example_1", File.ReadAllText(seen));

        string hostile = $"localhost;touch${{IFS}}{sentinel};#";
        ProcessResult stock = await daemon.RunRsyncAsync([$"rsync://{hostile}/m/", Path.Combine(_work, "o")], env);
        ProcessResult mine = await daemon.RunMrsyncAsync([$"rsync://{hostile}/m/", Path.Combine(_work, "o")], env);
        Assert.True(stock.ExitCode == mine.ExitCode && mine.ExitCode == 10, daemon.Explain(stock, mine));
        Assert.Contains("unsafe host characters for RSYNC_CONNECT_PROG", mine.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sentinel));
    }

    // socket.c: sock_exec runs the program on a TCP connection over 127.0.0.1 (socketpair_tcp), so a daemon serving it
    // in inetd mode sees the client at 127.0.0.1 and a module's "hosts allow" admits it (a Unix socket pair has no
    // address: the daemon would deny "UNKNOWN"). rsync's testsuite reaches its daemons this way (basis-xname-traversal).
    [Fact]
    public async Task The_program_sees_a_loopback_tcp_peer_that_hosts_allow_admits()
    {
        string module = Path.Combine(_work, "allow");
        string source = SourceTree.Create(Path.Combine(module, "tree"));
        string config = Path.Combine(_work, "allow.conf");
        File.WriteAllText(config, $"use chroot = no\nhosts allow = 127.0.0.0/8\nuid = {Environment.UserName}\ngid = {GroupName()}\n[m]\npath = {module}\nread only = yes\n");
        var env = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = $"{daemon.RsyncPath} --config={config} --daemon" };
        ProcessResult stock = await daemon.RunRsyncAsync(["-a", "rsync://localhost/m/tree/", Path.Combine(_work, "allowed-stock")], env);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "rsync://localhost/m/tree/", Path.Combine(_work, "allowed-mine")], env);
        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        TreeAssert.Equal(source, Path.Combine(_work, "allowed-mine"), nanoseconds: false, hardLinks: false);
    }

    // options.c: parse_hostspec gives `rsync:///m/` an empty host, which stays a daemon address: RSYNC_CONNECT_PROG
    // refuses it (socket.c: shell_unsafe_connect_host, a nested shell would drop the empty word), and without a program
    // getaddrinfo finds no such name. rsync's testsuite: connect-prog-nested-singlequote-host-injection.
    [Fact]
    public async Task An_empty_host_is_a_daemon_address_the_connection_refuses_as_stocks_does()
    {
        string seen = Path.Combine(_work, "seen-empty");
        var env = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = $"printf '%%s' %H > {seen}" };
        ProcessResult stock = await daemon.RunRsyncAsync(["rsync:///m/", Path.Combine(_work, "o")], env);
        ProcessResult mine = await daemon.RunMrsyncAsync(["rsync:///m/", Path.Combine(_work, "o")], env);
        Assert.True(stock.ExitCode == mine.ExitCode && mine.ExitCode == 10, daemon.Explain(stock, mine));
        Assert.Contains("unsafe host characters for RSYNC_CONNECT_PROG", mine.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(seen));

        var direct = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = null, ["RSYNC_PROXY"] = null };
        stock = await daemon.RunRsyncAsync(["::m", Path.Combine(_work, "o")], direct);
        mine = await daemon.RunMrsyncAsync(["::m", Path.Combine(_work, "o")], direct);
        Assert.True(stock.ExitCode == mine.ExitCode && mine.ExitCode == 10, daemon.Explain(stock, mine));
        Assert.Contains("getaddrinfo:  873: Name or service not known", mine.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "o")));
    }

    [Fact]
    public async Task Early_input_reaches_the_modules_early_exec_as_from_stocks_client()
    {
        // A stock daemon (reached through RSYNC_CONNECT_PROG, above) whose module's "early exec" keeps its stdin.
        string module = Path.Combine(_work, "module");
        Directory.CreateDirectory(module);
        string seen = Path.Combine(_work, "seen");
        string config = Path.Combine(_work, "early.conf");
        File.WriteAllText(config, $"use chroot = no\nuid = {Environment.UserName}\ngid = {GroupName()}\n[m]\npath = {module}\n"
            + $"early exec = /bin/sh -c 'cat > {seen}'\n");
        var env = new Dictionary<string, string?> { ["RSYNC_CONNECT_PROG"] = $"{daemon.RsyncPath} --config={config} --daemon" };
        string input = Path.Combine(_work, "input");
        File.WriteAllBytes(input, [.. "line one\nbinary \0 byte\n"u8]);

        foreach (bool stockClient in new[] { true, false })
        {
            File.Delete(seen);
            string[] args = [$"--early-input={input}", "rsync://localhost/m/", Path.Combine(_work, "out" + stockClient)];
            ProcessResult r = stockClient ? await daemon.RunRsyncAsync(args, env) : await daemon.RunMrsyncAsync(args, env);
            Assert.True(r.ExitCode == 0, daemon.Explain(r));
            Assert.Equal(File.ReadAllBytes(input), File.ReadAllBytes(seen));
        }

        // Too big for stock's line buffer, and missing: stock's words, exit 5, before the module is asked for.
        File.WriteAllBytes(input, new byte[5121]);
        foreach (string file in new[] { input, Path.Combine(_work, "absent") })
        {
            string[] args = [$"--early-input={file}", "rsync://localhost/m/"];
            ProcessResult stock = await daemon.RunRsyncAsync(args, env);
            ProcessResult mine = await daemon.RunMrsyncAsync(args, env);
            Assert.True(stock.ExitCode == 5 && mine.ExitCode == 5, daemon.Explain(stock, mine));
            string words = file == input ? $"{input} is > 5120 bytes." : $"failed to open {file}: No such file or directory (2)";
            Assert.Contains(words, stock.Stderr, StringComparison.Ordinal);
            Assert.Contains(words, mine.Stderr, StringComparison.Ordinal);
        }
    }

    private static string GroupName()
    {
        string gid = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t')[1];
        return File.ReadAllLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == gid)?[0] ?? gid;
    }

    /// <summary>What the fake proxy answers a CONNECT with.</summary>
    public enum ProxyAnswer
    {
        /// <summary>"HTTP/1.0 200 Connection established", a header line, the blank line, then relays to the daemon.</summary>
        Relay,
        /// <summary>"HTTP/1.0 503 Service Unavailable".</summary>
        Refuse,
        /// <summary>1,023 bytes without a line end, then closes (rsync testsuite: proxy-response-line-too-long).</summary>
        LongLine,
        /// <summary>A 200 status, then a header line of 1,100 bytes.</summary>
        LongHeader,
        /// <summary>An SSH server's greeting.</summary>
        NotHttp,
        /// <summary>Closes without a word.</summary>
        Close,
    }

    /// <summary>An HTTP CONNECT proxy on a free loopback port that records each request's header and answers as told.</summary>
    private sealed class FakeProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _requests = [];
        private Task _loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests)
                    return [.. _requests];
            }
        }

        public static FakeProxy Start(int daemonPort, ProxyAnswer answer)
        {
            var proxy = new FakeProxy();
            proxy._listener.Start();
            proxy._loop = proxy.AcceptAsync(daemonPort, answer);
            return proxy;
        }

        private async Task AcceptAsync(int daemonPort, ProxyAnswer answer)
        {
            try
            {
                while (true)
                {
                    TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client, daemonPort, answer));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or SocketException or ObjectDisposedException)
            {
                // Stopped: the listener is gone (which of these depends on where the accept loop was).
            }
        }

        private async Task ServeAsync(TcpClient client, int daemonPort, ProxyAnswer answer)
        {
            using (client)
            {
                NetworkStream s = client.GetStream();
                var header = new StringBuilder();
                byte[] one = new byte[1];
                while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && header.Length < 8192)
                {
                    if (await s.ReadAsync(one) == 0)
                        return;
                    header.Append((char)one[0]);
                }
                lock (_requests)
                    _requests.Add(header.ToString());
                switch (answer)
                {
                    case ProxyAnswer.Refuse:
                        await s.WriteAsync("HTTP/1.0 503 Service Unavailable\r\n\r\n"u8.ToArray());
                        return;
                    case ProxyAnswer.LongLine:
                        await s.WriteAsync(Encoding.ASCII.GetBytes(new string('X', 1023)));
                        return;
                    case ProxyAnswer.LongHeader:
                        await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Pad: " + new string('p', 1100) + "\r\n\r\n"));
                        return;
                    case ProxyAnswer.NotHttp:
                        await s.WriteAsync("SSH-2.0-OpenSSH_9.2\r\n"u8.ToArray());
                        return;
                    case ProxyAnswer.Close:
                        return;
                }
                await s.WriteAsync("HTTP/1.0 200 Connection established\r\nProxy-Agent: test\r\n\r\n"u8.ToArray());
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, daemonPort);
                NetworkStream u = upstream.GetStream();
                Task up = Pump(s, u), down = Pump(u, s);
                await Task.WhenAny(up, down);
                await Task.WhenAll(up, down).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        private static async Task Pump(NetworkStream from, NetworkStream to)
        {
            byte[] buffer = new byte[65536];
            try
            {
                int n;
                while ((n = await from.ReadAsync(buffer)) > 0)
                    await to.WriteAsync(buffer.AsMemory(0, n));
                to.Socket.Shutdown(SocketShutdown.Send);
            }
            catch (IOException)
            {
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
