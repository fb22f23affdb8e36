using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// --remove-source-files (and --remove-sent-files) with `mrsync daemon` on either end, beside `rsync --daemon` serving
/// the same config: a stock client pushing (the daemon's generator confirms each entry, the client removes it) and
/// pulling (the client's generator confirms, the daemon's sender removes what is in the module), at protocol 31 and
/// below 30, where only this option makes the client's generator talk to the daemon's sender (options.c:
/// need_messages_from_generator). A read-only module refuses it (main.c: do_server_sender), and so does a module that
/// refuses delete (options.c: parse_arguments infers it for a sender). The trees left on both sides, the client's
/// output and its exit code must be stock's.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerRemoveSourceFilesTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvrm-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            foreach (string module in OptionModules.All.Select(m => m.Name))
            {
                if (Directory.Exists(Mine(d, module)))
                    Directory.Delete(Mine(d, module), recursive: true);
            }
        }
    }

    private string Mine(RsyncDaemonFixture d, string module) => Path.Combine(d.ModulePath(module), _id);

    // A new file, one up to date at the other end, one changed, a symlink and a hard-link pair, one in a directory.
    private static async Task WriteTreeAsync(string root)
    {
        Write(root, "new", "new file\n");
        Write(root, "same", "same on both ends\n");
        Write(root, "changed", "changed contents\n");
        Write(root, "dir/inner", "inner file\n");
        await ReceivingOptions.OptionScenario.SymlinkAsync(root, "link", "same");
        Push.SourceTree.HardLink(Path.Combine(root, "dir/inner"), Path.Combine(root, "dir/inner-too"));
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "dir"), Old);
        Directory.SetLastWriteTimeUtc(root, Old);
    }

    // What the receiving end holds before: the up-to-date file and the old version of the changed one.
    private static void WriteReceiving(string root)
    {
        Write(root, "same", "same on both ends\n");
        Write(root, "changed", "old\n", Old.AddDays(-1));
        Directory.SetLastWriteTimeUtc(root, Old);
    }

    private static void Write(string root, string name, string text, DateTime? time = null)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, time ?? Old);
    }

    private static string Normalize(RsyncDaemonFixture d, string text) => text.Replace(d.Root, "ROOT", StringComparison.Ordinal);

    private async Task AssertSameAsync(Func<RsyncDaemonFixture, string[]> args, Func<RsyncDaemonFixture, string> sourceOf,
        Func<RsyncDaemonFixture, string> destinationOf)
    {
        ProcessResult s = await stock.RunRsyncAsync(args(stock));
        ProcessResult o = await ours.RunRsyncAsync(args(ours));
        string explain = $"{s}\n{o}\n--- mrsync daemon log ---\n{ours.DaemonLog}";
        // A refusal ends stock's connection at once, and its client sometimes reads the reset first (exit 10, as
        // RefuseOptionsTests found); ours waits for the client to go (exit 4).
        bool sameExit = s.ExitCode == o.ExitCode || (s.ExitCode == 10 && o.ExitCode == 4 && s.Stderr.Contains("configured to refuse", StringComparison.Ordinal));
        Assert.True(sameExit, "exit codes differ\n" + explain);
        Assert.Equal(Normalize(stock, s.Stdout), Normalize(ours, o.Stdout));
        Assert.Equal(FirstError(Normalize(stock, s.Stderr)), FirstError(Normalize(ours, o.Stderr)));
        foreach (Func<RsyncDaemonFixture, string> side in (Func<RsyncDaemonFixture, string>[])[sourceOf, destinationOf])
        {
            string stockTree = TreeSnapshot.Of(side(stock), rootTimes: false, directoryTimes: false);
            string ourTree = TreeSnapshot.Of(side(ours), rootTimes: false, directoryTimes: false);
            Assert.True(stockTree == ourTree, $"trees differ\n{stockTree}\n{ourTree}\n{explain}");
        }
    }

    private static string FirstError(string stderr) =>
        stderr.Split('\n').FirstOrDefault(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal)) ?? "";

    [Theory]
    [InlineData("-ai --remove-source-files")]
    [InlineData("-aiH --remove-source-files")]
    [InlineData("-ai --remove-sent-files")]
    [InlineData("-ai --remove-source-files --protocol=29")]
    [InlineData("-ai -n --remove-source-files")]
    public async Task A_push_removes_what_the_daemon_confirmed(string options)
    {
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            await WriteTreeAsync(Path.Combine(_work, d == stock ? "stock" : "ours"));
            WriteReceiving(Path.Combine(Mine(d, OptionModules.Writable), "dest"));
        }
        await AssertSameAsync(
            d => [.. options.Split(' '), Path.Combine(_work, d == stock ? "stock" : "ours") + "/", $"{d.Url}{OptionModules.Writable}/{_id}/dest/"],
            d => Path.Combine(_work, d == stock ? "stock" : "ours"),
            d => Path.Combine(Mine(d, OptionModules.Writable), "dest"));
    }

    [Theory]
    [InlineData("-ai --remove-source-files")]
    [InlineData("-aiH --remove-source-files")]
    [InlineData("-ai --remove-sent-files")]
    [InlineData("-ai --remove-source-files --protocol=29")]
    [InlineData("-ai --remove-source-files --protocol=28")]
    [InlineData("-ai -n --remove-source-files")]
    public async Task A_pull_removes_from_the_module_what_the_client_confirmed(string options)
    {
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            await WriteTreeAsync(Path.Combine(Mine(d, OptionModules.Writable), "src"));
            WriteReceiving(Path.Combine(_work, d == stock ? "stock" : "ours"));
        }
        await AssertSameAsync(
            d => [.. options.Split(' '), $"{d.Url}{OptionModules.Writable}/{_id}/src/", Path.Combine(_work, d == stock ? "stock" : "ours") + "/"],
            d => Path.Combine(Mine(d, OptionModules.Writable), "src"),
            d => Path.Combine(_work, d == stock ? "stock" : "ours"));
        if (!options.Contains("-n", StringComparison.Ordinal))
            Assert.False(File.Exists(Path.Combine(Mine(ours, OptionModules.Writable), "src", "new")));
    }

    [Theory]
    [InlineData(OptionModules.RefuseCompress, "--remove-source-files")]  // read only
    [InlineData(OptionModules.RefuseCompress, "--remove-sent-files")]
    [InlineData(OptionModules.RefuseDelete, "--remove-source-files")]    // refuses delete
    public async Task A_module_that_must_keep_its_files_refuses_a_pull_that_removes_them(string module, string option)
    {
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
            await WriteTreeAsync(Path.Combine(Mine(d, module), "src"));
        await AssertSameAsync(
            d => ["-a", option, $"{d.Url}{module}/{_id}/src/", Path.Combine(_work, d == stock ? "stock" : "ours") + "/"],
            d => Path.Combine(Mine(d, module), "src"),
            d => Directory.CreateDirectory(Path.Combine(_work, d == stock ? "stock" : "ours")).FullName);
        Assert.True(File.Exists(Path.Combine(Mine(ours, module), "src", "new")));
    }
}
