using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;
using ManagedRsync.Transfer;
using ManagedRsync.Transfer.Receive;

namespace ManagedRsync.InteropTests.Pull;

[Collection(RsyncDaemonCollection.Name)]
public sealed class PullInteropTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly List<string> _sources = [];

    public void Dispose()
    {
        _sandbox.Dispose();
        foreach (string source in _sources)
            Directory.Delete(source, recursive: true);
    }

    /// <summary>A fresh directory inside the read-only module, and its path relative to the module.</summary>
    private (string Local, string InModule) NewSource()
    {
        string name = "pull-" + Guid.NewGuid().ToString("N")[..12];
        string local = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), name);
        Directory.CreateDirectory(local);
        _sources.Add(local);
        return (local, name);
    }

    private Task<TransferResult> PullAsync(string pathInModule, string destination, TransferOptions? options = null,
        ITransferLog? log = null) =>
        PullClient.PullAsync(new PullRequest
        {
            Source = DaemonAddress.Parse($"rsync://{daemon.Host}:{daemon.Port}/{DaemonModules.ReadOnly}/{pathInModule}"),
            Destination = destination,
            Options = options ?? TransferOptions.Archive,
        }, log);

    [Fact]
    public async Task RestoresTreeWithContentModesTimesAndSymlinks()
    {
        var (source, inModule) = NewSource();
        PullTree.CreateSample(source);

        var result = await PullAsync(inModule + "/", _sandbox.Destination);

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        PullTree.AssertSame(source, _sandbox.Destination);
        _sandbox.AssertOutsideUntouched();
        _sandbox.AssertNoTempFiles();
    }
}
