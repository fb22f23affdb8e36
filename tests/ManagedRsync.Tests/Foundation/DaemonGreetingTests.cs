using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.Foundation;

public class DaemonGreetingTests
{
    // What stock rsync 3.5.0 sends with --protocol=N (captured with a scripted server).
    [Theory]
    [InlineData(27, "@RSYNCD: 27.0 sha512 sha256 sha1 md5 md4")]
    [InlineData(28, "@RSYNCD: 28.0 sha512 sha256 sha1 md5 md4")]
    [InlineData(29, "@RSYNCD: 29.0 sha512 sha256 sha1 md5 md4")]
    [InlineData(30, "@RSYNCD: 30.0 sha512 sha256 sha1 md5 md4")]
    [InlineData(31, "@RSYNCD: 31.0 sha512 sha256 sha1 md5 md4")]
    [InlineData(32, "@RSYNCD: 32.0 sha512 sha256 sha1 md5 md4")]
    public void FormatsLikeStockRsync(int protocol, string expected)
    {
        var greeting = new DaemonGreeting(protocol, 0, AuthDigestNegotiation.FormatList(AuthDigestNegotiation.DefaultPreference));
        Assert.Equal(expected, greeting.Format());
    }

    [Theory]
    [InlineData("@RSYNCD: 32.0 sha512 sha256 sha1 md5 md4", 32, 0, "sha512 sha256 sha1 md5 md4")]
    [InlineData("@RSYNCD: 31.0", 31, 0, null)]
    [InlineData("@RSYNCD: 30.0 md5", 30, 0, "md5")]
    [InlineData("@RSYNCD: 29", 29, null, null)]
    [InlineData("@RSYNCD: 26", 26, null, null)]
    [InlineData("@RSYNCD: 33.1 sha1", 33, 1, "sha1")]
    public void ParsesEachVersionsForm(string line, int protocol, int? sub, string? list)
    {
        Assert.True(DaemonGreeting.TryParse(line, out var g));
        Assert.Equal(new DaemonGreeting(protocol, sub, list), g);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.6")]
    [InlineData("HTTP/1.1 400 Bad Request")]
    [InlineData("@RSYNCD:")]
    [InlineData("@RSYNCD: x")]
    [InlineData("@RSYNCD: 99999999999999999999")]
    [InlineData("@ERROR: max connections reached")]
    [InlineData("")]
    public void RejectsWhatIsNotAGreeting(string line)
    {
        Assert.False(DaemonGreeting.TryParse(line, out _));
    }

    [Theory]
    [InlineData(32, 32, 0, 32)]
    [InlineData(32, 31, 0, 31)]
    [InlineData(29, 32, 0, 29)]
    [InlineData(32, 33, 0, 32)]
    [InlineData(32, 32, 1, 31)]   // a pre-release daemon of our version: one below
    [InlineData(32, 31, 2, 30)]   // a pre-release daemon of a lower version: one below its own
    public void NegotiatesLikeExchangeProtocols(int ours, int remote, int remoteSub, int expected)
    {
        Assert.Equal(expected, DaemonGreeting.Negotiate(ours, 0, remote, remoteSub));
    }
}
