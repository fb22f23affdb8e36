namespace ManagedRsync.InteropTests;

// Replaced by the daemon fixture and its tests.
public class RsyncPresenceTests
{
    [Fact]
    public void StockRsyncIsInstalled()
    {
        var found = Environment.GetEnvironmentVariable("PATH")!.Split(':')
            .Any(d => File.Exists(Path.Combine(d, "rsync")));
        Assert.True(found, "stock rsync is not on PATH: the interop tests need it (apt-get install -y rsync)");
    }
}
