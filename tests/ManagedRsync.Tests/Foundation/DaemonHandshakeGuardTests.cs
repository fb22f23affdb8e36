using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// One case per guard of the daemon client's text handshake (rsync clientserver.c: start_inband_exchange, io.c:
/// read_line_old; authenticate.c: auth_client), each asserting the guard's own message and exit 12 (RERR_STREAMIO):
/// a line cut by a hang-up, a NUL inside a line, an overlong line, more text than any real greeting and MOTD, a
/// module-listing answer that belongs to a module request, a second challenge, a malformed challenge. The table of
/// every guard and the test that reaches it is protocol-notes.md §26.
/// </summary>
public sealed class DaemonHandshakeGuardTests
{
    private static DaemonConnectOptions Options(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        ProtocolVersion = 32,
        HandshakeTimeout = TimeSpan.FromSeconds(30),
    };

    private static void IsStreamError(RsyncException e, string message)
    {
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    // A module listing against a peer that sends `text` and then hangs up (or keeps reading when `hangUp` is false).
    private static async Task<RsyncException> ListingFailsAsync(string text, bool hangUp)
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync(text);
            if (hangUp)
                return;
            var buffer = new byte[4096];
            while (await c.Stream.ReadAsync(buffer) > 0)
            {
            }
        });
        return await Assert.ThrowsAsync<RsyncException>(async () =>
        {
            await using var session = await DaemonSession.ConnectAsync(Options(peer.Port), CancellationToken.None);
            await session.ListModulesAsync(CancellationToken.None);
        });
    }

    // A module request with a password against a peer that greets, reads the greeting and module, then plays `then`.
    private static async Task<RsyncException> ModuleFailsAsync(Func<ScriptedPeer.Connection, Task> then)
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 md5 md4\n");
            await c.ReadUntilAsync(); // the client's greeting
            await c.ReadUntilAsync(); // the module
            await then(c);
            var buffer = new byte[4096];
            while (await c.Stream.ReadAsync(buffer) > 0)
            {
            }
        });
        return await Assert.ThrowsAsync<RsyncException>(async () =>
        {
            await using var session = await DaemonSession.ConnectAsync(Options(peer.Port), CancellationToken.None);
            await session.StartModuleAsync("mod", "user", "secret", ["--server", "."], CancellationToken.None);
        });
    }

    // The peer reads the client's greeting and listing request first, so the client's writes cannot meet the hang-up.
    [Fact]
    public async Task ALineCutByAHangUp()
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 md5 md4\n");
            await c.ReadUntilAsync(); // the client's greeting
            Assert.Equal("", await c.ReadUntilAsync()); // the listing request
            await c.SendAsync("mod\tcomm");
        });
        var e = await Assert.ThrowsAsync<RsyncException>(async () =>
        {
            await using var session = await DaemonSession.ConnectAsync(Options(peer.Port), CancellationToken.None);
            await session.ListModulesAsync(CancellationToken.None);
        });
        await peer.Completion;
        IsStreamError(e, "the daemon closed the connection in the middle of a line: mod\tcomm");
    }

    // A daemon that hangs up right after its greeting: the client's next write fails. That ended mrsync with an
    // unhandled IOException and a .NET stack trace (exit 134); it is rsync's "write error" (io.c: writefd_unbuffered,
    // RERR_SOCKETIO 10) now, or, when the hang-up is seen by a read first, the cut line (12): never anything else.
    [Fact]
    public async Task AHangUpRightAfterTheGreetingIsAnRsyncError()
    {
        var e = await ListingFailsAsync("@RSYNCD: 32.0 md5 md4\nmod\tcomm", hangUp: true);
        Assert.True(e.ExitCode is RsyncExitCode.SocketIo or RsyncExitCode.StreamIo, $"{e.ExitCode}: {e.Message}");
        if (e.ExitCode == RsyncExitCode.SocketIo)
            Assert.StartsWith("write error: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedWriteIsAWriteError()
    {
        await using var stream = new DaemonStream(new BrokenStream());
        var e = await Assert.ThrowsAsync<RsyncException>(() => stream.WriteTextAsync("@RSYNCD: 32.0\n", CancellationToken.None).AsTask());
        // io.c: writefd_unbuffered — rsyserr(FERROR_SOCKET, errno, "write error"): strerror's words and the errno.
        Assert.Equal("write error: Broken pipe (32)", e.Message);
        Assert.Equal(RsyncExitCode.SocketIo, e.ExitCode);
    }

    private sealed class BrokenStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Broken pipe", new System.Net.Sockets.SocketException(32)));
    }

    [Fact]
    public async Task ANulInsideALine() =>
        IsStreamError(await ListingFailsAsync("@RSYNCD: 32.0 md5 md4\nmod\0ule\n", hangUp: false),
            "the daemon sent a NUL byte inside a text line: mod");

    [Fact]
    public async Task ALineOverTheLimit() =>
        IsStreamError(await ListingFailsAsync("@RSYNCD: 32.0 md5 md4\n" + new string('x', 100_000) + "\n", hangUp: false),
            $"the daemon sent a line longer than {DaemonStream.MaxLineLength} bytes, starting: {new string('x', 80)}");

    [Fact]
    public async Task MoreTextThanAnyGreetingAndMotd()
    {
        // Lines within the line limit, but more than 16 MiB of them before the listing ends.
        string line = new string('m', 4000) + "\n";
        var text = new System.Text.StringBuilder("@RSYNCD: 32.0 md5 md4\n");
        while (text.Length <= DaemonSession.MaxHandshakeBytes + 8000)
            text.Append(line);
        IsStreamError(await ListingFailsAsync(text.ToString(), hangUp: false),
            $"the daemon sent more than {DaemonSession.MaxHandshakeBytes} bytes of text before the protocol started");
    }

    [Theory]
    [InlineData("@RSYNCD: OK")]
    [InlineData("@RSYNCD: AUTHREQD abcdefgh")]
    public async Task AModuleAnswerToAListingRequest(string line) =>
        IsStreamError(await ListingFailsAsync($"@RSYNCD: 32.0 md5 md4\n{line}\n", hangUp: false),
            $"the daemon sent \"{line}\" in reply to a module listing request");

    [Fact]
    public async Task ASecondChallenge() =>
        IsStreamError(await ModuleFailsAsync(async c =>
            {
                await c.SendAsync("@RSYNCD: AUTHREQD abcdefgh\n");
                Assert.StartsWith("user ", await c.ReadUntilAsync(), StringComparison.Ordinal); // the answer
                await c.SendAsync("@RSYNCD: AUTHREQD ijklmnop\n");
            }),
            "the daemon asked for authentication twice");

    [Theory]
    [InlineData("@RSYNCD: AUTHREQD two words", "two words")]
    [InlineData("@RSYNCD: AUTHREQD ", "")]
    public async Task AMalformedChallenge(string line, string challenge) =>
        IsStreamError(await ModuleFailsAsync(c => c.SendAsync(line + "\n")),
            $"the daemon sent a malformed auth challenge: \"{challenge}\"");
}
