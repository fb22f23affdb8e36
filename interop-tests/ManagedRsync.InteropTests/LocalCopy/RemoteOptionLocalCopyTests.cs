using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// -M/--remote-option in a local copy beside stock rsync 3.5.0 (pipe.c: local_child parses the remote words on top of
/// the forked receiving half's copy of the client's options): the same command line gives the same lines, trees and
/// exit code; a word whose effect is not only the receiving half's is refused by name (exit 4).
/// </summary>
public sealed class RemoteOptionLocalCopyTests : IDisposable
{
    private readonly SideBySide _pair = new();

    public void Dispose() => _pair.Dispose();

    [Theory]
    [InlineData("-M--max-size=64")]
    [InlineData("-M--max-size=1K")]
    [InlineData("-M--min-size=65")]
    [InlineData("-M--ignore-existing")]
    [InlineData("-M--existing")]
    [InlineData("-M-u")]
    [InlineData("-M--size-only")]
    [InlineData("-M-I")]
    [InlineData("-M-b -M--suffix=.old")]
    [InlineData("--suffix=.s -M-b")]
    // The client settled the suffix ("~") before the child's parse: a remote --backup-dir keeps it (bk/NAME~).
    [InlineData("-M--backup-dir=bk")]
    [InlineData("-M--backup-dir=bk -M--suffix=.x")]
    [InlineData("-b -M--backup-dir=bk")]
    [InlineData("-M--max-size=64 --min-size=11")]
    public async Task TheReceivingHalfTakesTheRemoteOptionsAsStocks(string flags)
    {
        WriteTrees();
        var outcome = await _pair.RunAsync(["-rti", .. flags.Split(' ')]);
        // A backup is made at run time, in the destination or a directory made for it: their times are the run's.
        bool backups = flags.Contains("-b", StringComparison.Ordinal) || flags.Contains("backup", StringComparison.Ordinal);
        outcome.AssertExit(0).AssertSame(times: !backups, rootTimes: !backups);
    }

    [Theory]
    [InlineData("-M--delete", "--remote-option (-M) with --delete is not supported yet with a local copy")]
    [InlineData("-M-z", "--remote-option (-M) with --compress is not supported yet with a local copy")]
    [InlineData("--delete -M-b", "--remote-option (-M) with --backup and --delete is not supported yet with a local copy")]
    [InlineData("-M-b -M--suffix=", "--remote-option (-M) words the receiving half rejects (--suffix cannot be empty without a --backup-dir) are not supported yet with a local copy")]
    public async Task WhatIsNotDoneIsRefusedByName(string flags, string message)
    {
        WriteTrees();
        var ours = await MrsyncProcess.RunAsync(["-rti", .. flags.Split(' '), _pair.Source + "/", _pair.Ours + "/"], new Dictionary<string, string?>());
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains("mrsync: " + message, ours.Stderr, StringComparison.Ordinal);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(_pair.Ours, "f10")));
    }

    // Files on both sides of 64 bytes and 1K, one older and one newer than its copy at the destination, one of the
    // same size and time with other content, and a destination-only file.
    private void WriteTrees()
    {
        Directory.CreateDirectory(Path.Combine(_pair.Source, "d"));
        foreach (int n in new[] { 10, 64, 65, 200, 5000 })
            File.WriteAllBytes(Path.Combine(_pair.Source, "f" + n), PullTree.RandomBytes(n, n));
        File.WriteAllText(Path.Combine(_pair.Source, "d", "c"), "x\n");
        File.SetLastWriteTimeUtc(Path.Combine(_pair.Source, "f10"), LocalSource.Past);
        File.SetLastWriteTimeUtc(Path.Combine(_pair.Source, "f64"), LocalSource.Past);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            Directory.CreateDirectory(dest);
            File.WriteAllText(Path.Combine(dest, "f10"), "old\n");
            File.SetLastWriteTimeUtc(Path.Combine(dest, "f10"), LocalSource.Past.AddYears(5));
            File.WriteAllBytes(Path.Combine(dest, "f64"), new byte[64]);
            File.SetLastWriteTimeUtc(Path.Combine(dest, "f64"), LocalSource.Past);
            File.WriteAllText(Path.Combine(dest, "only"), "z\n");
            File.SetLastWriteTimeUtc(Path.Combine(dest, "only"), LocalSource.Past);
        }
        foreach (string dir in new[] { _pair.Source, _pair.Stock, _pair.Ours })
            Directory.SetLastWriteTimeUtc(dir, LocalSource.Past);
        Directory.SetLastWriteTimeUtc(Path.Combine(_pair.Source, "d"), LocalSource.Past);
    }
}
