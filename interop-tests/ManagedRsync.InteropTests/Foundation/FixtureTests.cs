using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>The fixture itself, checked with stock rsync as the client.</summary>
[Collection(RsyncDaemonCollection.Name)]
public class FixtureTests(RsyncDaemonFixture daemon)
{
    [Fact]
    public async Task StockClientListsModulesExceptTheUnlistedOne()
    {
        var result = await daemon.RunRsyncAsync([daemon.Url]);
        Assert.True(result.ExitCode == 0, daemon.Explain(result));
        Assert.Contains(RsyncDaemonFixture.Motd, result.Stdout);
        foreach (var module in DaemonModules.All)
        {
            Assert.Equal(module.List, result.Stdout.Contains(module.Name + " "));
        }
    }

    [Fact]
    public async Task StockClientAuthenticatesWithThePasswordFile()
    {
        File.WriteAllText(Path.Combine(daemon.ModulePath(DaemonModules.Auth), "fixture-probe"), "x");
        var result = await daemon.RunRsyncAsync(
            ["--password-file", daemon.PasswordFile, $"rsync://{RsyncDaemonFixture.User}@{daemon.Host}:{daemon.Port}/{DaemonModules.Auth}/"]);
        Assert.True(result.ExitCode == 0, daemon.Explain(result));
        Assert.Contains("fixture-probe", result.Stdout);
        Assert.Contains("auth", daemon.DaemonLog);
    }

    [Fact]
    public void PasswordAndSecretsFilesAreOwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(daemon.PasswordFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(daemon.Root, "secrets")));
    }
}
