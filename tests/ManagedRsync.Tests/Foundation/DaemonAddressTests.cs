using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.Foundation;

public class DaemonAddressTests
{
    [Theory]
    [InlineData("host::mod", null, "host", null, "mod", "")]
    [InlineData("host::mod/a/b", null, "host", null, "mod", "a/b")]
    [InlineData("user@host::mod/", "user", "host", null, "mod", "")]
    [InlineData("host::", null, "host", null, "", "")]
    [InlineData("a@b@host::m", "a@b", "host", null, "m", "")]
    [InlineData("[::1]::mod/x", null, "::1", null, "mod", "x")]
    [InlineData("u@[fe80::1]::mod", "u", "fe80::1", null, "mod", "")]
    [InlineData("rsync://host/mod/path", null, "host", null, "mod", "path")]
    [InlineData("rsync://user@host:8730/mod", "user", "host", 8730, "mod", "")]
    [InlineData("RSYNC://host", null, "host", null, "", "")]
    [InlineData("rsync://host/", null, "host", null, "", "")]
    [InlineData("rsync://host:/", null, "host", null, "", "")]
    [InlineData("rsync://[::1]:873/m/p", null, "::1", 873, "m", "p")]
    // rsync options.c: parse_hostspec takes atoi of the digits: 0 is the default port, past 65535 is still a URL.
    [InlineData("rsync://host:0/m", null, "host", null, "m", "")]
    [InlineData("rsync://host:99999/m", null, "host", 99999, "m", "")]
    [InlineData("rsync://host:99999999999999999999/m", null, "host", int.MaxValue, "m", "")]
    // An empty host is still a host (parse_hostspec): the connection refuses it, as stock's does.
    [InlineData("rsync:///m/", null, "", null, "m", "")]
    [InlineData("::m/p", null, "", null, "m", "p")]
    [InlineData("u@::m", "u", "", null, "m", "")]
    public void ParsesRsyncForms(string text, string? user, string host, int? port, string module, string path)
    {
        Assert.True(DaemonAddress.TryParse(text, out var a));
        Assert.Equal(user, a.User);
        Assert.Equal(host, a.Host);
        Assert.Equal(port, a.Port);
        Assert.Equal(module, a.Module);
        Assert.Equal(path, a.Path);
    }

    [Theory]
    [InlineData("local/path")]
    [InlineData("/abs/path")]
    [InlineData("host:path")]
    [InlineData("rsync://host:12x/mod")]
    [InlineData("[::1")]
    [InlineData("x[::1]::mod")]
    [InlineData("rsync://[]/mod")]
    public void RejectsWhatIsNotADaemonAddress(string text)
    {
        Assert.False(DaemonAddress.TryParse(text, out _));
    }

    [Fact]
    public void RemoteShellFormIsRecognisedSeparately()
    {
        Assert.True(DaemonAddress.IsRemoteShellSpec("user@host:dir"));
        Assert.True(DaemonAddress.IsRemoteShellSpec(":dir")); // an empty host, as main.c: start_client passes it to ssh
        Assert.False(DaemonAddress.IsRemoteShellSpec("host::mod"));
        Assert.False(DaemonAddress.IsRemoteShellSpec("plain/path"));
    }

    [Fact]
    public void PortPrecedenceIsUrlThenOptionThenDefault()
    {
        Assert.Equal(9000, DaemonAddress.Parse("rsync://h:9000/m").EffectivePort(1234));
        Assert.Equal(1234, DaemonAddress.Parse("h::m").EffectivePort(1234));
        Assert.Equal(873, DaemonAddress.Parse("h::m").EffectivePort(null));
    }

    [Fact]
    public void ModulePathKeepsTheTrailingSlash()
    {
        Assert.Equal("mod/", DaemonAddress.Parse("h::mod/").ModulePath);
        Assert.Equal("mod", DaemonAddress.Parse("h::mod").ModulePath);
        Assert.Equal("mod/a", DaemonAddress.Parse("rsync://h/mod/a").ModulePath);
    }
}
