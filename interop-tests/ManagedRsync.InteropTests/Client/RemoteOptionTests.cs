using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// -M/--remote-option: words for the far side only (options.c: server_options adds them last). What is sent is held
/// to stock's word for word by ServerArgumentParityTests; here the stock daemon acts on them the same for both
/// clients, and a local copy, whose receiving half would parse them itself (pipe.c: local_child), refuses them by name.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class RemoteOptionTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-remote-option-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_daemon_obeys_remote_options_as_it_does_for_stocks_client()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "notes.txt"), "new text\n");
        var results = new List<ProcessResult>();
        foreach (string who in new[] { "stock", "mine" })
        {
            string dest = Path.Combine(daemon.ModulePath(DaemonModules.Open), $"remote-option-{who}");
            Directory.CreateDirectory(dest);
            File.WriteAllText(Path.Combine(dest, "notes.txt"), "old text\n");
            File.SetLastWriteTimeUtc(Path.Combine(dest, "notes.txt"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            string[] args = ["-a", "-i", "-M--backup", "-M--suffix=.was", src + "/", $"{daemon.Url}{DaemonModules.Open}/remote-option-{who}/"];
            results.Add(who == "stock" ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args));
            Assert.True(results[^1].ExitCode == 0, daemon.Explain([.. results]));
            // The daemon made the backup: the client only asked for it.
            Assert.Equal("old text\n", File.ReadAllText(Path.Combine(dest, "notes.txt.was")));
            Assert.Equal("new text\n", File.ReadAllText(Path.Combine(dest, "notes.txt")));
        }
        Assert.Equal(results[0].Stdout, results[1].Stdout);
        TreeAssert.Equal(Path.Combine(daemon.ModulePath(DaemonModules.Open), "remote-option-stock"),
            Path.Combine(daemon.ModulePath(DaemonModules.Open), "remote-option-mine"), nanoseconds: false, hardLinks: false);
    }

    [Fact]
    public async Task A_word_without_a_dash_and_a_local_copys_delete_are_refused_as_stock_and_by_name()
    {
        ProcessResult stock = await daemon.RunRsyncAsync(["-M", "size-only", _work + "/", $"{daemon.Url}{DaemonModules.Open}/x/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-M", "size-only", _work + "/", $"{daemon.Url}{DaemonModules.Open}/x/"]);
        Assert.True(stock.ExitCode == 1 && mine.ExitCode == 1, daemon.Explain(stock, mine));
        Assert.Contains("Remote option must start with a dash: size-only", stock.Stderr, StringComparison.Ordinal);
        Assert.Contains("Remote option must start with a dash: size-only", mine.Stderr, StringComparison.Ordinal);

        string src = Path.Combine(_work, "a");
        Directory.CreateDirectory(src);
        // A local copy takes the receiving half's options (LocalCopy/RemoteOptionLocalCopyTests) and refuses the rest by name.
        ProcessResult local = await daemon.RunMrsyncAsync(["-a", "-M--delete", src + "/", Path.Combine(_work, "b") + "/"]);
        Assert.Equal(4, local.ExitCode);
        Assert.Contains("--remote-option (-M) with --delete is not supported yet with a local copy", local.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "b")));
    }
}
