using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>mrsync's password sources and user defaults against the daemon: each lists the auth module.</summary>
[Collection(RsyncDaemonCollection.Name)]
public class CliAuthTests(RsyncDaemonFixture daemon)
{
    private string AuthUrl => $"rsync://{RsyncDaemonFixture.User}@{daemon.Host}:{daemon.Port}/{DaemonModules.Auth}/";

    private void AssertAuthenticated(ProcessResult result)
    {
        Assert.True(!result.Stderr.Contains("@ERROR") && result.ExitCode == 0, daemon.Explain(result));
    }

    [Fact]
    public async Task RsyncPasswordEnvironmentVariable()
    {
        AssertAuthenticated(await daemon.RunMrsyncAsync([AuthUrl], new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = RsyncDaemonFixture.Password }));
    }

    [Fact]
    public async Task PasswordFile()
    {
        AssertAuthenticated(await daemon.RunMrsyncAsync(["--password-file", daemon.PasswordFile, AuthUrl]));
    }

    [Fact]
    public async Task PasswordFromStdin()
    {
        AssertAuthenticated(await daemon.RunMrsyncAsync(["--password-file=-", AuthUrl], stdin: RsyncDaemonFixture.Password + "\n"));
    }

    [Fact]
    public async Task UserFromTheEnvironmentWhenTheAddressHasNone()
    {
        string url = $"{daemon.Host}::{DaemonModules.Auth}/";
        AssertAuthenticated(await daemon.RunMrsyncAsync(["--port", daemon.Port.ToString(), url], new Dictionary<string, string?>
        {
            ["USER"] = RsyncDaemonFixture.User,
            ["RSYNC_PASSWORD"] = RsyncDaemonFixture.Password,
        }));
    }

    [Theory]
    [InlineData(27)]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(32)]
    public async Task ForcedProtocols(int protocol)
    {
        AssertAuthenticated(await daemon.RunMrsyncAsync([$"--protocol={protocol}", "--password-file", daemon.PasswordFile, AuthUrl]));
    }
}
