using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// Addresses no resolver can use, through stock rsync and mrsync: the same exit code and the resolver's message,
/// never a .NET stack trace (rsync testsuite: proxy-connect-request-too-long; a host name over 255 characters made
/// .NET's resolver throw ArgumentOutOfRangeException before it reached getaddrinfo).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public class HostileAddressTests(RsyncDaemonFixture daemon)
{
    private static readonly string LongHost = new('a', 300);
    private static readonly string LongDottedHost = string.Join('.', Enumerable.Repeat(new string('b', 63), 4)) + ".invalid";

    public static TheoryData<string, string> Addresses => new()
    {
        { "host of 300 characters", $"{LongHost}::m" },
        { "URL host of 300 characters", $"rsync://{LongHost}/m/" },
        { "dotted host over 255", $"rsync://{LongDottedHost}/m/" },
        { "host of 1500 characters", $"rsync://{new string('c', 1500)}.invalid/m/" },
        { "empty label", "rsync://a..b/m/" },
        { "dash first", "rsync://-x/m/" },
        { "bracketed name", "rsync://[zz]:873/m/" },
        { "port 0 means the default", "rsync://127.0.0.1:0/m/" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public async Task UnusableHostEndsLikeStock(string what, string address)
    {
        string[] args = ["--contimeout=5", address, Path.Combine(daemon.Root, "unused-destination")];
        var stock = await daemon.RunRsyncAsync(args);
        var ours = await daemon.RunMrsyncAsync(args);
        Assert.True(stock.ExitCode == ours.ExitCode, $"{what}: exit codes differ\n" + daemon.Explain(stock, ours));
        Assert.Equal(10, ours.ExitCode);
        Assert.DoesNotContain("Exception", ours.Stderr);
        Assert.DoesNotContain("   at ", ours.Stderr);
        if (stock.Stderr.Contains("getaddrinfo", StringComparison.Ordinal))
            Assert.Contains(": Name or service not known", ours.Stderr);
    }

    [Fact]
    public async Task OverlongBindAddressEndsLikeStock()
    {
        string[] args = [$"--address={LongHost}", daemon.Url];
        var stock = await daemon.RunRsyncAsync(args);
        var ours = await daemon.RunMrsyncAsync(args);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + daemon.Explain(stock, ours));
        Assert.Equal(10, ours.ExitCode);
        // rsync socket.c: try_bind_local: "getaddrinfo ADDR: reason", no colon after getaddrinfo and no port.
        Assert.Contains($"getaddrinfo {LongHost}: Name or service not known", ours.Stderr);
    }
}
