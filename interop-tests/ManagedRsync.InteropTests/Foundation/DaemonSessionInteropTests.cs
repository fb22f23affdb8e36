using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>The library's daemon handshake against the stock daemon.</summary>
[Collection(RsyncDaemonCollection.Name)]
public class DaemonSessionInteropTests(RsyncDaemonFixture daemon)
{
    // What rsync -r sends for a pull listing; the daemon only needs a valid argument list after OK.
    private static readonly string[] ListArgs = ["--server", "--sender", "-r", ".", "auth/"];

    private DaemonConnectOptions Options(int protocol = 32) => new()
    {
        Host = daemon.Host,
        Port = daemon.Port,
        ProtocolVersion = protocol,
        HandshakeTimeout = TimeSpan.FromSeconds(30),
    };

    [Theory]
    [MemberData(nameof(ProtocolVersions.All), MemberType = typeof(ProtocolVersions))]
    public async Task ListsModulesAtEachProtocol(int protocol)
    {
        await using var session = await DaemonSession.ConnectAsync(Options(protocol), CancellationToken.None);
        Assert.Equal(protocol, session.ProtocolVersion);
        Assert.Equal(32, session.RemoteProtocolVersion);
        var names = (await session.ListModulesAsync(CancellationToken.None)).Select(m => m.Name).ToList();
        Assert.Equal(DaemonModules.All.Where(m => m.List).Select(m => m.Name).Order(), names.Order());
    }

    [Theory]
    [InlineData(AuthDigest.Sha512, 32)]
    [InlineData(AuthDigest.Sha256, 32)]
    [InlineData(AuthDigest.Sha1, 32)]
    [InlineData(AuthDigest.Md5, 32)]
    [InlineData(AuthDigest.Md4, 32)]
    [InlineData(AuthDigest.Sha512, 27)]
    [InlineData(AuthDigest.Md4, 29)]
    public async Task AuthenticatesWithEachDigestTheDaemonOffers(AuthDigest digest, int protocol)
    {
        await using var session = await DaemonSession.ConnectAsync(Options(protocol) with { AuthDigests = [digest] },
            CancellationToken.None);
        Assert.Contains(AuthDigestNegotiation.Name(digest), session.RemoteDigestList!.Split(' '));
        await session.StartModuleAsync(DaemonModules.Auth, RsyncDaemonFixture.User, RsyncDaemonFixture.Password, ListArgs,
            CancellationToken.None);
        Assert.Equal(digest, session.NegotiatedAuthDigest);
    }

    [Theory]
    [InlineData(29, AuthDigest.Md4Legacy)]
    [InlineData(30, AuthDigest.Md5)]
    public async Task AuthenticatesAsAPre32ClientWithoutDigestList(int protocol, AuthDigest expected)
    {
        // The daemon then falls back to the digest old clients use: md5 from protocol 30, legacy md4 before.
        await using var session = await DaemonSession.ConnectAsync(Options(protocol) with { SendDigestList = false },
            CancellationToken.None);
        await session.StartModuleAsync(DaemonModules.Auth, RsyncDaemonFixture.User, RsyncDaemonFixture.Password, ListArgs,
            CancellationToken.None);
        Assert.Equal(expected, session.NegotiatedAuthDigest);
    }

    [Fact]
    public async Task WrongPasswordIsAuthFailedExit5()
    {
        await using var session = await DaemonSession.ConnectAsync(Options(), CancellationToken.None);
        var e = await Assert.ThrowsAsync<RsyncException>(() => session.StartModuleAsync(DaemonModules.Auth,
            RsyncDaemonFixture.User, "wrong", ListArgs, CancellationToken.None));
        Assert.Equal(RsyncErrorKind.AuthenticationFailed, e.Kind);
        Assert.Equal(RsyncExitCode.StartClient, e.ExitCode);
        Assert.StartsWith("@ERROR: auth failed on module auth", e.RemoteMessage);
    }

    [Fact]
    public async Task UnknownModuleIsTheDaemonsErrorVerbatim()
    {
        await using var session = await DaemonSession.ConnectAsync(Options(), CancellationToken.None);
        var e = await Assert.ThrowsAsync<RsyncException>(() => session.StartModuleAsync("no-such-module",
            null, (string?)null, ListArgs, CancellationToken.None));
        Assert.Equal("@ERROR: Unknown module 'no-such-module'", e.RemoteMessage);
        Assert.Equal(RsyncExitCode.StartClient, e.ExitCode);
    }

    [Theory]
    [InlineData(DaemonModules.ReadOnly)]
    [InlineData(DaemonModules.Hidden)]
    [InlineData(DaemonModules.Open)]
    public async Task AnonymousModulesOpenWithoutAuth(string module)
    {
        await using var session = await DaemonSession.ConnectAsync(Options(), CancellationToken.None);
        await session.StartModuleAsync(module, null, (string?)null, ["--server", "--sender", "-r", ".", module + "/"],
            CancellationToken.None);
        Assert.Null(session.NegotiatedAuthDigest);
    }

    [Fact]
    public async Task MotdReachesTheServerLineCallback()
    {
        var lines = new List<string>();
        await using var session = await DaemonSession.ConnectAsync(Options() with { ServerLine = lines.Add }, CancellationToken.None);
        await session.ListModulesAsync(CancellationToken.None);
        Assert.Contains(RsyncDaemonFixture.Motd, lines);
    }

    [Theory]
    [InlineData(AuthDigest.Sha512, true)]
    [InlineData(AuthDigest.Sha256, true)]
    [InlineData(AuthDigest.Sha1, false)]
    [InlineData(AuthDigest.Md5, false)]
    public async Task DaemonDigestFloorIsHonoured(AuthDigest digest, bool accepted)
    {
        int mark = daemon.LogMark();
        await using var session = await DaemonSession.ConnectAsync(Options() with { AuthDigests = [digest] }, CancellationToken.None);
        var start = session.StartModuleAsync(DaemonModules.StrongAuth, RsyncDaemonFixture.User, RsyncDaemonFixture.Password,
            ["--server", "--sender", "-r", ".", DaemonModules.StrongAuth + "/"], CancellationToken.None);
        if (accepted)
        {
            await start;
        }
        else
        {
            var e = await Assert.ThrowsAsync<RsyncException>(() => start);
            Assert.True(e.Kind == RsyncErrorKind.AuthenticationFailed, daemon.Explain());
            // This row's own refusal, naming its digest (rsync authenticate.c: auth_server), not an earlier row's.
            Assert.Contains($"negotiated auth digest {AuthDigestNegotiation.Name(digest)} is weaker than the required 'auth digest = sha256'",
                daemon.DaemonLogSince(mark));
        }
    }
}
