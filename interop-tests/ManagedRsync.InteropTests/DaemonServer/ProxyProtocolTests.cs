using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// "proxy protocol" and "proxy protocol hosts" (clientname.c: read_proxy_protocol_header; clientserver.c:
/// start_daemon, proxy_peer_allowed): each header, good or hostile, goes to stock's daemon and to mrsync's serving the
/// same config, and both must answer with the same bytes (the greeting and "@RSYNCD: OK" or "@ERROR: access denied
/// ... (PROXIED ADDRESS)", or nothing at all). A stock client reaches both through a relay that puts a PROXY line
/// before its connection: same exit, same files, the proxied address in both logs.
/// </summary>
[Collection(ProxyProtocolCollection.Name)]
public sealed class ProxyProtocolTests(StockProxyDaemonFixture stock, MrsyncProxyDaemonFixture ours,
    StockUntrustedProxyDaemonFixture stockUntrusted, MrsyncUntrustedProxyDaemonFixture oursUntrusted) : IDisposable
{
    private static ReadOnlySpan<byte> V2Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-proxyproto-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string> Headers => new()
    {
        { "v1 TCP4 allowed", Hex(V1("TCP4 10.1.2.3 127.0.0.1 40000 873")) },
        { "v1 TCP4 denied", Hex(V1("TCP4 192.168.1.1 127.0.0.1 40000 873")) },
        { "v1 TCP6 allowed", Hex(V1("TCP6 fd00::1234 ::1 40000 873")) },
        { "v1 UNKNOWN keeps the socket's address", Hex(V1("UNKNOWN")) },
        { "v1 short", Hex(V1("TCP4 10.1.2.3")) },
        { "v1 bad family", Hex(V1("TCP9 10.1.2.3 127.0.0.1 40000 873")) },
        { "v1 bad port", Hex(V1("TCP4 10.1.2.3 127.0.0.1 abc 873")) },
        { "v1 port zero", Hex(V1("TCP4 10.1.2.3 127.0.0.1 0 873")) },
        { "v1 octet over 255", Hex(V1("TCP4 10.1.2.300 127.0.0.1 1 873")) },
        { "v1 five hex digits", Hex(V1("TCP6 fd000::1 ::1 1 873")) },
        { "v1 without CR", Hex(Encoding.ASCII.GetBytes("PROXY TCP4 10.1.2.3 127.0.0.1 40000 873\n")) },
        { "v1 NUL inside", Hex(Encoding.ASCII.GetBytes("PROXY TCP4 10.1.2.3\0 127.0.0.1 40000 873\r\n")) },
        { "v1 longest line (107 bytes)", Hex(V1("TCP4 10.1.2.3 127.0.0.1 40000 " + new string('9', 69))) },
        { "v1 one byte over", Hex(V1("TCP4 10.1.2.3 127.0.0.1 40000 " + new string('9', 70))) },
        { "v1 overlong", Hex(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200))) },
        { "no header", Hex(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n")) },
        { "v2 TCPv4 allowed", Hex(V2(1, 0x11, [10, 9, 8, 7, 127, 0, 0, 1, 0x9c, 0x40, 3, 0x69])) },
        { "v2 TCPv4 denied", Hex(V2(1, 0x11, [172, 16, 0, 1, 127, 0, 0, 1, 0x9c, 0x40, 3, 0x69])) },
        { "v2 TCPv6 allowed", Hex(V2(1, 0x21, [0xfd, 0, .. new byte[12], 0xab, 0xcd, .. new byte[15], 1, 0x9c, 0x40, 3, 0x69])) },
        { "v2 TCPv6 mapped", Hex(V2(1, 0x21, [.. new byte[10], 0xff, 0xff, 10, 1, 1, 1, .. new byte[16], 1, 2, 3, 4])) },
        { "v2 LOCAL", Hex(V2(0, 0, [])) },
        { "v2 unix family ignored", Hex(V2(1, 0x31, new byte[4])) },
        { "v2 version 3", Hex([.. V2Signature, 0x31, 0x11, 0, 12, .. new byte[12]]) },
        { "v2 oversize", Hex([.. V2Signature, 0x21, 0x11, 0x10, 0, .. new byte[12]]) },
        { "v2 largest block (216 bytes)", Hex(V2(1, 0x31, new byte[216])) },
        { "v2 block one over", Hex(V2(1, 0x31, new byte[217])) },
        { "v2 TCPv4 short block", Hex(V2(1, 0x11, new byte[8])) },
        { "v2 bad command", Hex(V2(7, 0x11, new byte[12])) },
        { "truncated v2", Hex([.. V2Signature, 0x21]) },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task A_header_gets_the_answer_stock_gives(string label, string header)
    {
        byte[] bytes = Convert.FromHexString(header);
        string theirs = await ProbeAsync(stock, bytes);
        string mine = await ProbeAsync(ours, bytes);
        Assert.True(theirs == mine, $"{label}:\nstock:  {theirs}\nmrsync: {mine}");
    }

    [Fact]
    public async Task The_outcomes_are_the_ones_rsyncs_testsuite_names()
    {
        Assert.Contains("@RSYNCD: OK", await ProbeAsync(ours, V1("TCP4 10.1.2.3 127.0.0.1 40000 873")));
        Assert.Contains("@ERROR: access denied to mod from UNDETERMINED (192.168.1.1)",
            await ProbeAsync(ours, V1("TCP4 192.168.1.1 127.0.0.1 40000 873")));
        Assert.Contains("(127.0.0.1)", await ProbeAsync(ours, V1("UNKNOWN")));
        Assert.Equal("", await ProbeAsync(ours, V1("TCP4 10.1.2.3")));
    }

    [Fact]
    public async Task An_untrusted_peer_is_dropped_and_logged_as_stock_logs_it()
    {
        foreach (RsyncDaemonFixture d in new RsyncDaemonFixture[] { stockUntrusted, oursUntrusted })
        {
            int mark = d.LogMark();
            Assert.Equal("", await ProbeAsync(d, V1("TCP4 10.1.2.3 127.0.0.1 40000 873")));
            string log = await WaitForLogAsync(d, mark, "proxy protocol rejected");
            Assert.Contains("proxy protocol rejected from untrusted peer UNDETERMINED (127.0.0.1)", log);
        }
    }

    [Fact]
    public async Task A_stock_client_behind_a_proxy_pulls_through_both_daemons_alike()
    {
        var outcomes = new List<string>();
        foreach (RsyncDaemonFixture d in new RsyncDaemonFixture[] { stock, ours })
        {
            string module = d.ModulePath(ProxyModules.Module);
            File.WriteAllText(Path.Combine(module, "file"), "through the proxy\n");
            string dest = Path.Combine(_work, d == stock ? "stock" : "ours");
            using var relay = new ProxyRelay(d.Port, V1("TCP4 10.20.30.40 127.0.0.1 5555 873"));
            int mark = d.LogMark();
            ProcessResult r = await d.RunRsyncAsync(["-a", $"rsync://127.0.0.1:{relay.Port}/{ProxyModules.Module}/file", dest + "/"]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("through the proxy\n", File.ReadAllText(Path.Combine(dest, "file")));
            string log = await WaitForLogAsync(d, mark, "rsync on");
            Assert.Contains("connect from UNDETERMINED (10.20.30.40)", log);
            Assert.Contains($"rsync on {ProxyModules.Module}/file from UNDETERMINED (10.20.30.40)", log);
            outcomes.Add(r.ExitCode + "|" + r.Stdout);
        }
        Assert.Equal(outcomes[0], outcomes[1]);
    }

    // rsync's testsuite probe: the header, a greeting and a module name, then everything the daemon says until it
    // closes (the greeting's protocol is masked only by being the same on both sides: 32.0 and the digest list).
    private static async Task<string> ProbeAsync(RsyncDaemonFixture d, byte[] header)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, d.Port);
        NetworkStream stream = client.GetStream();
        var received = new MemoryStream();
        try
        {
            if (header.Length > 0)
                await stream.WriteAsync(header);
            await stream.WriteAsync("@RSYNCD: 30.0\nmod\n"u8.ToArray());
            client.Client.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await stream.CopyToAsync(received, limit.Token);
        }
        catch (IOException)
        {
            // A reset after the daemon dropped the connection: what arrived before it counts.
        }
        catch (SocketException)
        {
        }
        // Up to "@RSYNCD: OK": what follows answers the probe's missing arguments, not its header.
        string text = Encoding.Latin1.GetString(received.ToArray());
        int ok = text.IndexOf("@RSYNCD: OK\n", StringComparison.Ordinal);
        if (ok >= 0)
            text = text[..(ok + "@RSYNCD: OK\n".Length)];
        return text.Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private static async Task<string> WaitForLogAsync(RsyncDaemonFixture d, int mark, string text)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!d.DaemonLogSince(mark).Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return d.DaemonLogSince(mark);
    }

    private static byte[] V1(string rest) => Encoding.ASCII.GetBytes("PROXY " + rest + "\r\n");

    private static byte[] V2(int command, byte family, byte[] addresses) =>
        [.. V2Signature, (byte)(0x20 | command), family, (byte)(addresses.Length >> 8), (byte)addresses.Length, .. addresses];

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    // A load balancer in miniature: each connection gets the header, then the bytes both ways.
    private sealed class ProxyRelay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public ProxyRelay(int target, byte[] header)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient inbound;
                    try
                    {
                        inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                    _ = Task.Run(() => PipeAsync(inbound, target, header));
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task PipeAsync(TcpClient inbound, int target, byte[] header)
        {
            using (inbound)
            using (var outbound = new TcpClient())
            {
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, target);
                    await outbound.GetStream().WriteAsync(header);
                    Task up = Copy(inbound, outbound);
                    Task down = Copy(outbound, inbound);
                    await Task.WhenAll(up, down);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                }
            }
        }

        private static async Task Copy(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream());
                to.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}

public static class ProxyModules
{
    public const string Module = "mod";

    public static readonly IReadOnlyList<DaemonModule> All =
        [new(Module, Comment: "behind a proxy", ReadOnly: true, Extra: ["hosts allow = 10.0.0.0/8, fd00::/8"])];

    public static readonly IReadOnlyList<string> Trusted = ["proxy protocol = yes", "proxy protocol hosts = 127.0.0.0/8"];

    public static readonly IReadOnlyList<string> Untrusted = ["proxy protocol = true", "proxy protocol hosts = 10.0.0.0/8"];
}

public sealed class StockProxyDaemonFixture : RsyncDaemonFixture
{
    protected override IReadOnlyList<DaemonModule> Modules => ProxyModules.All;

    protected override IEnumerable<string> GlobalLines => ProxyModules.Trusted;
}

public sealed class MrsyncProxyDaemonFixture : RsyncDaemonFixture
{
    public override string DaemonPath => MrsyncDaemonFixture.Executable;

    protected override IReadOnlyList<DaemonModule> Modules => ProxyModules.All;

    protected override IEnumerable<string> GlobalLines => ProxyModules.Trusted;
}

public sealed class StockUntrustedProxyDaemonFixture : RsyncDaemonFixture
{
    protected override IReadOnlyList<DaemonModule> Modules => ProxyModules.All;

    protected override IEnumerable<string> GlobalLines => ProxyModules.Untrusted;
}

public sealed class MrsyncUntrustedProxyDaemonFixture : RsyncDaemonFixture
{
    public override string DaemonPath => MrsyncDaemonFixture.Executable;

    protected override IReadOnlyList<DaemonModule> Modules => ProxyModules.All;

    protected override IEnumerable<string> GlobalLines => ProxyModules.Untrusted;
}

[CollectionDefinition(Name)]
public sealed class ProxyProtocolCollection : ICollectionFixture<StockProxyDaemonFixture>, ICollectionFixture<MrsyncProxyDaemonFixture>,
    ICollectionFixture<StockUntrustedProxyDaemonFixture>, ICollectionFixture<MrsyncUntrustedProxyDaemonFixture>
{
    public const string Name = "proxy protocol: stock daemon beside mrsync daemon";
}
