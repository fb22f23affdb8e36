using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;
using ManagedRsync.Client;

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
        RecordedEvents? log = null) =>
        RsyncClient.PullAsync(new PullRequest
        {
            Source = DaemonAddress.Parse($"rsync://{daemon.Host}:{daemon.Port}/{DaemonModules.ReadOnly}/{pathInModule}"),
            Destination = destination,
            Options = options ?? TransferOptions.Archive,
        }, log);

    [Theory]
    [MemberData(nameof(ProtocolVersions.All), MemberType = typeof(ProtocolVersions))]
    public async Task RestoresTheTreeAtEveryProtocol(int protocol)
    {
        var (source, inModule) = NewSource();
        PullTree.CreateSample(source);

        var result = await PullAsync(inModule + "/", _sandbox.Destination, TransferOptions.Archive with { Protocol = protocol });

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        PullTree.AssertSame(source, _sandbox.Destination);
        _sandbox.AssertNoTempFiles();
    }

    [Theory]
    [InlineData("zlib", null)]
    [InlineData("zlibx", null)]
    [InlineData("zstd", null)]
    [InlineData("lz4", null)]
    [InlineData(null, "md5")]
    [InlineData(null, "md4")]
    [InlineData(null, "xxh64")]
    [InlineData(null, "xxh3")]
    [InlineData("zstd", "xxh128")]
    public async Task RestoresOverAnOldCopyWithEachCompressionAndChecksum(string? compression, string? checksum)
    {
        var (source, inModule) = NewSource();
        PullTree.CreateSample(source);
        // An old copy: same tree with the big file edited in places and its time moved, so the delta path runs.
        PullTree.CreateSample(_sandbox.Destination);
        string big = Path.Combine(_sandbox.Destination, "dir/random.bin");
        using (var old = File.OpenWrite(big))
        {
            old.Position = 1000;
            old.Write("stale bytes"u8);
            old.Position = 150_000;
            old.Write("more stale bytes"u8);
        }
        File.SetLastWriteTimeUtc(big, DateTime.UtcNow);
        var options = TransferOptions.Archive with
        {
            Compress = compression is not null, CompressChoice = compression, ChecksumChoice = checksum,
        };

        var result = await PullAsync(inModule + "/", _sandbox.Destination, options);

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        PullTree.AssertSame(source, _sandbox.Destination);
        Assert.True(result.Stats.MatchedData > 100_000, $"matched {result.Stats.MatchedData} bytes of the old copy");
        _sandbox.AssertNoTempFiles();
    }

    [Fact]
    public async Task DeleteRemovesWhatTheSourceNoLongerHas()
    {
        var (source, inModule) = NewSource();
        PullTree.CreateSample(source);
        Directory.CreateDirectory(Path.Combine(_sandbox.Destination, "gone/deeper"));
        File.WriteAllText(Path.Combine(_sandbox.Destination, "gone/deeper/file"), "x");
        File.WriteAllText(Path.Combine(_sandbox.Destination, "dir-extra.txt"), "x");
        File.CreateSymbolicLink(Path.Combine(_sandbox.Destination, "link-out"), _sandbox.Outside);

        var result = await PullAsync(inModule + "/", _sandbox.Destination, TransferOptions.Archive with { Delete = DeleteTiming.Default });

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        PullTree.AssertSame(source, _sandbox.Destination);
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public async Task HardLinksArriveAsHardLinks()
    {
        var (source, inModule) = NewSource();
        File.WriteAllText(Path.Combine(source, "a"), "shared content");
        var ln = await ToolProcess.RunAsync("ln", [Path.Combine(source, "a"), Path.Combine(source, "b")]);
        Assert.Equal(0, ln.ExitCode);

        var result = await PullAsync(inModule + "/", _sandbox.Destination, TransferOptions.Archive with { HardLinks = true });

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        File.AppendAllText(Path.Combine(_sandbox.Destination, "a"), "!");
        Assert.Equal("shared content!", File.ReadAllText(Path.Combine(_sandbox.Destination, "b")));
    }

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
