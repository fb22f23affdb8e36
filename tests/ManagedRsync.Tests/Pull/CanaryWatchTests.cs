using Xunit.Sdk;

namespace ManagedRsync.Tests.Pull;

/// <summary>The disclosure check itself can fail: a read of the canary, or a listing of its directory, is caught.</summary>
public sealed class CanaryWatchTests : IDisposable
{
    private readonly Sandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void QuietWatchPasses()
    {
        using var watch = new CanaryWatch(_sandbox.Outside);
        File.WriteAllText(Path.Combine(_sandbox.Destination, "inside"), "x");
        watch.AssertNothingTouched();
    }

    [Theory]
    [InlineData("read the canary", "OPEN canary", "ACCESS canary")]
    [InlineData("list the directory", "OPEN,ISDIR (the directory)", "CLOSE_NOWRITE,CLOSE,ISDIR (the directory)")]
    public void AnyAccessFails(string access, string firstEvent, string secondEvent)
    {
        using var watch = new CanaryWatch(_sandbox.Outside);
        if (access == "read the canary")
            _ = File.ReadAllBytes(_sandbox.Canary);
        else
            _ = Directory.GetFileSystemEntries(_sandbox.Outside);
        var e = Assert.Throws<TrueException>(watch.AssertNothingTouched);
        Assert.Contains(firstEvent, e.Message);
        Assert.Contains(secondEvent, e.Message);
    }
}
