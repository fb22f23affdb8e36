using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.Foundation;

public class AuthResponseTests
{
    private const string Password = "s3cret pass";
    private const string Challenge = "Zm9vYmFyY2hhbGxlbmdlMTIzNDU2";

    // Captured from stock rsync 3.5.0 as client: a scripted server offered one digest (or, for the legacy rows, an
    // old-style greeting without a list) and sent "@RSYNCD: AUTHREQD Zm9vYmFyY2hhbGxlbmdlMTIzNDU2"; the client ran
    // with RSYNC_PASSWORD="s3cret pass" and answered "tester <response>".
    [Theory]
    [InlineData(AuthDigest.Sha512, "PX6MA5jz3lbG5y9bZgGoQSgG6p8K/0wJmRrS7kLDtdVuVPrNDXy54MEgqDM5TQiXoreMOSHOzAMkY3ODOurZRg")]
    [InlineData(AuthDigest.Sha256, "ezkhRq+ke5B8AwoYjj9nOLqr8VawV3I8twbPapFgkXg")]
    [InlineData(AuthDigest.Sha1, "6hEJq53j9spFRK2dx2+IMiyVN/U")]
    [InlineData(AuthDigest.Md5, "PxOvzmaaldyy6vsVEs6uNg")]
    [InlineData(AuthDigest.Md4, "EDWsZK/3Z8WYzZjTUT0dmA")]
    [InlineData(AuthDigest.Md4Legacy, "FF1OAZxCZao5VoY8KwyTFg")]
    public void ResponseMatchesStockRsyncClient(AuthDigest digest, string expected)
    {
        Assert.Equal(expected, AuthDigestNegotiation.Respond(digest, Password, Challenge));
    }

    [Theory]
    // The server list is walked and the client's most preferred digest among the known names wins (compat.c).
    [InlineData("sha512 sha256 sha1 md5 md4", 32, AuthDigest.Sha512)]
    [InlineData("md4 md5 sha1", 32, AuthDigest.Sha1)]
    [InlineData("bogus md5", 32, AuthDigest.Md5)]
    [InlineData("MD5", 31, AuthDigest.Md5)]
    // No list: md5 from protocol 30, legacy md4 before (stock client answers checked in the vectors above).
    [InlineData(null, 31, AuthDigest.Md5)]
    [InlineData(null, 30, AuthDigest.Md5)]
    [InlineData(null, 29, AuthDigest.Md4Legacy)]
    [InlineData(null, 27, AuthDigest.Md4Legacy)]
    public void ChoosesTheStrongestCommonDigest(string? serverList, int protocol, AuthDigest expected)
    {
        Assert.Equal(expected, AuthDigestNegotiation.Choose(serverList, protocol, AuthDigestNegotiation.DefaultPreference));
    }

    [Fact]
    public void NarrowedPreferenceForcesADigest()
    {
        Assert.Equal(AuthDigest.Md4, AuthDigestNegotiation.Choose("sha512 sha256 sha1 md5 md4", 32, [AuthDigest.Md4]));
    }

    [Fact]
    public void NoCommonDigestIsExit4()
    {
        var e = Assert.Throws<RsyncException>(() => AuthDigestNegotiation.Choose("sha512 xxh", 32, [AuthDigest.Md5]));
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
    }

    [Fact]
    public void GreetingListIsRsyncs()
    {
        Assert.Equal("sha512 sha256 sha1 md5 md4", AuthDigestNegotiation.FormatList(AuthDigestNegotiation.DefaultPreference));
    }
}
