using System.Globalization;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Push;

/// <summary>
/// `--list-only` with a local source and a daemon destination: stock rsync sends <c>--list-only</c> (and <c>d</c> without
/// <c>-r</c>), and the daemon prints the entries it is sent and writes and deletes nothing (rsync generator.c:
/// recv_generator and do_delete_pass return early while list_only is set). mrsync must do the same: the module, a
/// canary tree with files the source lacks, is untouched, and the output is stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PushListOnlyTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-listonly-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("-a --list-only --delete", 32)]
    [InlineData("-a --list-only --delete", 29)]
    [InlineData("-a --list-only --delete", 27)]
    [InlineData("--list-only --delete", 32)]
    [InlineData("--list-only", 30)]
    [InlineData("-r --list-only --delete-after", 31)]
    [InlineData("-a --list-only --delete --delete-excluded --exclude=sub", 32)]
    public async Task ListsLikeStockAndLeavesTheModuleUntouched(string options, int protocol)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        string name = $"canary-{Guid.NewGuid():N}";
        string canary = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        Directory.CreateDirectory(Path.Combine(canary, "sub", "old-dir"));
        File.WriteAllText(Path.Combine(canary, "canary.txt"), "must survive");
        File.WriteAllText(Path.Combine(canary, "medium.bin"), "older content, not to be replaced");
        File.WriteAllText(Path.Combine(canary, "sub", "old-dir", "old.txt"), "must survive too");
        var canaryTime = new DateTime(2020, 2, 2, 2, 2, 2, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(canary, "canary.txt"), canaryTime);
        string before = RawFiles.Describe(canary);

        string[] args = [.. options.Split(' '), "--protocol=" + protocol.ToString(CultureInfo.InvariantCulture),
            src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"];
        ProcessResult stock = await daemon.RunRsyncAsync(args);
        Assert.Equal(before, RawFiles.Describe(canary));
        ProcessResult mine = await daemon.RunMrsyncAsync(args);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        Assert.Equal(before, RawFiles.Describe(canary));
        Assert.Equal(canaryTime, File.GetLastWriteTimeUtc(Path.Combine(canary, "canary.txt")));
        Assert.Equal(stock.Stdout, mine.Stdout);
        Assert.Contains("medium.bin\n", mine.Stdout);
        Assert.DoesNotContain("deleting", mine.Stdout);
    }
}
