using ManagedRsync.Daemon;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Tests.Foundation;

/// <summary>The client handshake against scripted peers: odd, old and hostile servers.</summary>
public class DaemonSessionTests
{
    private static DaemonConnectOptions Options(int port, int protocol = 32) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        ProtocolVersion = protocol,
        HandshakeTimeout = TimeSpan.FromSeconds(20),
    };

    private static async Task<RsyncException> FailsAsync(string serverSends, int protocol = 32)
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync(serverSends);
            if (serverSends.Length == 0)
            {
                return; // hang up without a greeting
            }
            while (await c.Stream.ReadAsync(new byte[1]) > 0)
            {
            }
        });
        return await Assert.ThrowsAsync<RsyncException>(async () =>
        {
            await using var s = await DaemonSession.ConnectAsync(Options(peer.Port, protocol), CancellationToken.None);
            await s.ListModulesAsync(CancellationToken.None);
        });
    }

    [Theory]
    // A foreign server gets rsync's own words (clientserver.c: exchange_protocols).
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n", RsyncExitCode.StartClient, "server sent \"SSH-2.0-OpenSSH_9.6\" rather than greeting")]
    [InlineData("", RsyncExitCode.StartClient, "did not see server greeting")]
    [InlineData("@RSYNCD: 32.0\n", RsyncExitCode.StartClient, "the server omitted the digest name list: @RSYNCD: 32.0")]
    [InlineData("@RSYNCD: 30\n", RsyncExitCode.StartClient, "the server omitted the subprotocol value: @RSYNCD: 30")]
    [InlineData("@RSYNCD: 26\n", RsyncExitCode.Protocol, "protocol version mismatch: the daemon speaks protocol 26, mrsync supports 27-32")]
    public async Task BadGreetingsFailLikeRsync(string serverSends, RsyncExitCode code, string message)
    {
        var e = await FailsAsync(serverSends);
        Assert.Equal(code, e.ExitCode);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task OverlongLineIsAProtocolViolation()
    {
        var e = await FailsAsync("@RSYNCD: 31.0\n" + new string('x', 100_000) + "\n");
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task NulInALineIsAProtocolViolation()
    {
        var e = await FailsAsync("@RSYNCD: 31.0\nmod\0ule\n");
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
    }

    // A remote shell that could not log in closes its pipe before our greeting goes: the write fails with EPIPE, and
    // the outcome must be stock's (its greeting lands in the pipe buffer and its read finds the end: exit 5), not the
    // session's "write error" (exit 10). Seen in CI as a race of DaemonOverShellClientTests.
    [Fact]
    public async Task APeerGoneBeforeOurGreetingIsExit5()
    {
        await using var stream = new DaemonStream(new BrokenPipeStream());
        var e = await Assert.ThrowsAsync<RsyncException>(() => DaemonSession.StartAsync(stream, Options(1, 32), CancellationToken.None));
        Assert.Equal(RsyncExitCode.StartClient, e.ExitCode);
        Assert.Equal("did not see server greeting", e.Message);
    }

    private sealed class BrokenPipeStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => throw new IOException("Broken pipe", 32);
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe", 32);
    }

    [Fact]
    public async Task ClosedBeforeGreetingIsExit5()
    {
        var e = await FailsAsync("");
        Assert.Equal(RsyncExitCode.StartClient, e.ExitCode);
        Assert.Equal("did not see server greeting", e.Message);
    }

    [Fact]
    public async Task SilentServerTimesOutInsteadOfHanging()
    {
        // Reads our greeting, then says nothing until we hang up.
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.ReadUntilAsync();
            while (await c.Stream.ReadAsync(new byte[1]) > 0)
            {
            }
        });
        var e = await Assert.ThrowsAsync<RsyncException>(() =>
            DaemonSession.ConnectAsync(new DaemonConnectOptions
            {
                Host = "127.0.0.1",
                Port = peer.Port,
                HandshakeTimeout = TimeSpan.FromMilliseconds(300),
            }, CancellationToken.None));
        Assert.Equal(RsyncExitCode.Timeout, e.ExitCode);
    }

    [Fact]
    public async Task ListingSkipsTheMotdAndStopsAtExit()
    {
        var lines = new List<string>();
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 sha512 md5\nWelcome\n\n");
            Assert.Equal("@RSYNCD: 32.0 sha512 sha256 sha1 md5 md4", await c.ReadUntilAsync());
            Assert.Equal("", await c.ReadUntilAsync());
            await c.SendAsync("alpha          \tfirst one\nbeta           \t\n@RSYNCD: EXIT\n");
        });
        await using var session = await DaemonSession.ConnectAsync(
            Options(peer.Port), CancellationToken.None);
        Assert.Equal(32, session.ProtocolVersion);
        var modules = await session.ListModulesAsync(CancellationToken.None);
        await peer.Completion;
        Assert.Equal(["alpha", "beta"], modules.Select(m => m.Name));
        Assert.Equal("first one", modules[0].Comment);
    }

    [Theory]
    [InlineData(32, "@RSYNCD: 32.0 md5", "\0")]
    [InlineData(30, "@RSYNCD: 30.0", "\0")]
    [InlineData(29, "@RSYNCD: 29", "\n")]
    public async Task AuthThenServerArgsInTheVersionsForm(int protocol, string serverGreeting, string terminator)
    {
        string? response = null;
        string? args = null;
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync(serverGreeting + "\n");
            await c.ReadUntilAsync();
            Assert.Equal("mod", await c.ReadUntilAsync());
            await c.SendAsync("@RSYNCD: AUTHREQD Zm9vYmFyY2hhbGxlbmdlMTIzNDU2\n");
            response = await c.ReadUntilAsync();
            await c.SendAsync("@RSYNCD: OK\n");
            args = await c.ReadUntilAsync(terminator[0]) + "|" + await c.ReadUntilAsync(terminator[0]) + "|"
                + await c.ReadUntilAsync(terminator[0]);
        });
        await using var session = await DaemonSession.ConnectAsync(Options(peer.Port, protocol), CancellationToken.None);
        await session.StartModuleAsync("mod/sub", "tester", "s3cret pass", ["--server", "mod/sub"], CancellationToken.None);
        await peer.Completion;
        // md5 for 30+, legacy md4 before 30: the stock client's answers (see AuthResponseTests).
        Assert.Equal(protocol >= 30 ? "tester PxOvzmaaldyy6vsVEs6uNg" : "tester FF1OAZxCZao5VoY8KwyTFg", response);
        Assert.Equal("--server|mod/sub|", args);
    }

    [Fact]
    public async Task ErrorLineIsKeptVerbatim()
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 31.0\n");
            await c.ReadUntilAsync();
            await c.ReadUntilAsync();
            await c.SendAsync("@ERROR: Unknown module 'nope'\n");
        });
        await using var session = await DaemonSession.ConnectAsync(Options(peer.Port), CancellationToken.None);
        var e = await Assert.ThrowsAsync<RsyncException>(() =>
            session.StartModuleAsync("nope", null, (string?)null, [], CancellationToken.None));
        Assert.Equal("@ERROR: Unknown module 'nope'", e.RemoteMessage);
        Assert.Equal(RsyncExitCode.StartClient, e.ExitCode);
    }

    [Fact]
    public async Task BytesAfterOkReachTheWireLayerThroughStream()
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 31.0\n");
            await c.ReadUntilAsync();
            await c.ReadUntilAsync();
            // OK and the first binary bytes in one segment: the line reader must not swallow them.
            await c.SendAsync("@RSYNCD: OK\n\x01\x02\x03");
            await c.ReadUntilAsync('\0');
        });
        await using var session = await DaemonSession.ConnectAsync(Options(peer.Port), CancellationToken.None);
        await session.StartModuleAsync("m", null, (string?)null, [], CancellationToken.None);
        var buffer = new byte[3];
        await session.Stream.ReadExactlyAsync(buffer);
        Assert.Equal([1, 2, 3], buffer);
    }

    [Fact]
    public async Task ConnectsToABracketedIpv6AddressWithOptionsFromTheCommandLine()
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 md5\n");
            await c.ReadUntilAsync();
            await c.ReadUntilAsync();
            await c.SendAsync("v6only         \tover ::1\n@RSYNCD: EXIT\n");
        }, System.Net.IPAddress.IPv6Loopback);
        var address = DaemonAddress.Parse($"rsync://[::1]:{peer.Port}/");
        var options = new RsyncOptions { Protocol = 30, Timeout = 20, ConnectTimeout = 5 }.ConnectOptionsFor(address);
        Assert.Equal(TimeSpan.FromSeconds(20), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectTimeout);
        await using var session = await DaemonSession.ConnectAsync(options, CancellationToken.None);
        Assert.Equal(30, session.ProtocolVersion);
        var modules = await session.ListModulesAsync(CancellationToken.None);
        Assert.Equal("v6only", Assert.Single(modules).Name);
    }
}
