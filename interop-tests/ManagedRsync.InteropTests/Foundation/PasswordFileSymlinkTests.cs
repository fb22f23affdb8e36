using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// rsync testsuite password-file-symlink, against the real daemon: a password file reached through a symlink owned
/// by another user is not read, even though the file it leads to holds the right password (a successful login would
/// be the leak). Stock 3.5.0 and mrsync both refuse with exit 1; a symlink we own is followed by both.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PasswordFileSymlinkTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-pwlink-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string AuthUrl => $"rsync://{RsyncDaemonFixture.User}@{daemon.Host}:{daemon.Port}/{DaemonModules.Auth}/";

    [Theory]
    [InlineData("leaf")]
    [InlineData("parent")]
    public async Task PlantedSymlinkIsRefusedLikeStock(string where)
    {
        Assert.True(Environment.UserName == "root", "this test needs root to plant a symlink owned by another user");
        string real = Path.Combine(_dir, "real");
        Directory.CreateDirectory(real);
        string victim = Path.Combine(real, "victim");
        File.WriteAllText(victim, RsyncDaemonFixture.Password + "\n");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string planted = Path.Combine(_dir, "planted");
        if (where == "leaf")
            File.CreateSymbolicLink(planted, victim);
        else
            Directory.CreateSymbolicLink(planted, real);
        string passwordFile = where == "leaf" ? planted : Path.Combine(planted, "victim");
        string[] args = [$"--password-file={passwordFile}", AuthUrl];

        var ownedByUs = await daemon.RunMrsyncAsync(args);
        Assert.True(ownedByUs.ExitCode == 0, "our own symlink is followed\n" + daemon.Explain(ownedByUs));

        var chown = System.Diagnostics.Process.Start("chown", ["-h", "65534", planted])!;
        await chown.WaitForExitAsync();
        Assert.Equal(0, chown.ExitCode);
        var stock = await daemon.RunRsyncAsync(args);
        var ours = await daemon.RunMrsyncAsync(args);
        Assert.True(stock.ExitCode == 1 && ours.ExitCode == 1, "both must refuse with exit 1\n" + daemon.Explain(stock, ours));
        Assert.Contains("refusing to follow a symlink owned by an untrusted user", stock.Stderr);
        Assert.Contains("refusing to follow a symlink owned by an untrusted user", ours.Stderr);
        Assert.Contains($"could not open password file {passwordFile}: Too many levels of symbolic links (40)", ours.Stderr);
    }
}
