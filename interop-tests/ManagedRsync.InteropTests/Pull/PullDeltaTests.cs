using System.Text.RegularExpressions;
using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;
using ManagedRsync.Client;
using Xunit.Abstractions;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>Restoring a large file over an old copy moves about as many bytes as stock rsync does for the same case.</summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed partial class PullDeltaTests(RsyncDaemonFixture daemon, ITestOutputHelper output) : IDisposable
{
    private const int FileSize = 64 << 20;
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "delta-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    [Fact]
    public async Task SixtyFourMebibyteRestoreOverOldCopyMovesAboutWhatStockRsyncMoves()
    {
        Directory.CreateDirectory(_source);
        byte[] current = PullTree.RandomBytes(FileSize, seed: 64);
        File.WriteAllBytes(Path.Combine(_source, "big.bin"), current);
        // The old copy differs in 16 scattered places.
        byte[] old = (byte[])current.Clone();
        var random = new Random(7);
        for (int i = 0; i < 16; i++)
            random.NextBytes(old.AsSpan(random.Next(FileSize - 4096), 1000));
        string ours = Path.Combine(_sandbox.Destination, "ours");
        string theirs = Path.Combine(_sandbox.Destination, "theirs");
        foreach (string dir in new[] { ours, theirs })
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "big.bin"), old);
            // An old copy is older: with the same size and the same mtime second, rsync's quick check (generator.c:
            // quick_check_ok, util1.c: same_time with modify_window 0) rightly skips the file, for stock and mrsync alike.
            File.SetLastWriteTimeUtc(Path.Combine(dir, "big.bin"), DateTime.UtcNow.AddHours(-1));
        }
        string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

        var stock = await daemon.RunRsyncAsync(["-a", "--stats", url, theirs + "/"]);
        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.Equal(current, File.ReadAllBytes(Path.Combine(theirs, "big.bin")));
        long stockReceived = long.Parse(ReceivedBytes().Match(stock.Stdout).Groups[1].Value.Replace(",", ""));

        var result = await RsyncClient.PullAsync(new PullRequest
        {
            Source = DaemonAddress.Parse(url),
            Destination = ours,
            Options = TransferOptions.Archive,
        });

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(current, File.ReadAllBytes(Path.Combine(ours, "big.bin")));
        long ourReceived = result.Stats.TotalBytesReceived;
        output.WriteLine($"64 MiB over an old copy: mrsync received {ourReceived} bytes, stock rsync {stockReceived}");
        Assert.True(ourReceived < FileSize / 20, $"received {ourReceived} bytes for a {FileSize}-byte file");
        Assert.True(ourReceived <= stockReceived * 11 / 10 + 4096,
            $"mrsync received {ourReceived} bytes, stock rsync {stockReceived}");
    }

    [GeneratedRegex(@"Total bytes received: ([\d,]+)")]
    private static partial Regex ReceivedBytes();
}
