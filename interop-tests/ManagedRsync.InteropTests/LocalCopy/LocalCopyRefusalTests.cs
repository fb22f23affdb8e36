using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// What looks local but is not: a HOST:PATH argument is a remote-shell transfer (rsync main.c, options.c:
/// check_for_hostspec): the remote shell is started for it (here $RSYNC_RSH is `false`, which ends the connection
/// at once, exit 12 as stock), and it is never taken as a local directory called "HOST:PATH". And what a local copy
/// does not do yet is refused by name.
/// </summary>
public sealed class LocalCopyRefusalTests : IDisposable
{
    private static readonly Dictionary<string, string?> FalseShell = new() { ["RSYNC_RSH"] = "false" };
    private readonly SideBySide _pair = new();

    public void Dispose() => _pair.Dispose();

    [Theory]
    [InlineData("somehost:copy/")]
    [InlineData("user@somehost:copy/")]
    [InlineData("somehost:")]
    public async Task RemoteShellDestinationGoesThroughTheShell(string destination)
    {
        LocalSource.CreateSample(_pair.Source);
        string before = Directory.GetCurrentDirectory();

        var ours = await MrsyncProcess.RunAsync(["-a", _pair.Source + "/", destination], FalseShell);
        var stock = await ToolProcess.RunAsync("rsync", ["-a", _pair.Source + "/", destination], FalseShell);

        Assert.True(ours.ExitCode == 12 && stock.ExitCode == 12, ours + "\n" + stock);
        Assert.Contains("connection unexpectedly closed", ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(before, destination)), ours.ToString());
        Assert.Equal("", ours.Stdout);
    }

    [Fact]
    public async Task RemoteShellSourceGoesThroughTheShell()
    {
        var ours = await MrsyncProcess.RunAsync(["-a", "somehost:data/", _pair.Ours + "/"], FalseShell);

        Assert.True(ours.ExitCode == 12, ours.ToString());
        Assert.Contains("connection unexpectedly closed", ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_pair.Ours));
    }

    [Fact]
    public async Task ColonAfterASlashIsALocalPath()
    {
        // check_for_hostspec: a ':' after the first '/' is part of a local name ("./a:b" is local).
        LocalSource.CreateSample(_pair.Source);
        Directory.CreateDirectory(_pair.Stock);
        Directory.CreateDirectory(_pair.Ours);

        (await _pair.RunAsync(["-a"], under: "x:y")).AssertExit(0).AssertSame(rootTimes: false);
    }

    [Fact]
    public async Task LocalListingIsRefusedByName()
    {
        // Stock lists a lone local argument like --list-only (main.c); mrsync does not list local trees yet.
        LocalSource.CreateSample(_pair.Source);
        foreach (string[] args in new[] { new[] { "-a", _pair.Source + "/" }, ["-a", "--list-only", _pair.Source + "/", _pair.Ours + "/"] })
        {
            var ours = await MrsyncProcess.RunAsync(args, new Dictionary<string, string?>());
            Assert.True(ours.ExitCode == 4, ours.ToString());
            Assert.Contains("listing a local directory", ours.Stderr, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(_pair.Ours));
    }

    [Fact]
    public async Task FilesFromWithALocalCopyIsRefusedByName()
    {
        LocalSource.CreateSample(_pair.Source);
        string list = Path.Combine(_pair.Root, "list");
        File.WriteAllText(list, "a.txt\n");

        var ours = await MrsyncProcess.RunAsync(["-a", "--files-from=" + list, _pair.Source + "/", _pair.Ours + "/"], new Dictionary<string, string?>());

        Assert.True(ours.ExitCode == 4, ours.ToString());
        Assert.Contains("--files-from", ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_pair.Ours));
    }
}
