using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// The last steps of a pushed file on the daemon's side (rsync.c: finish_transfer), which mrsync's receiving server
/// does on a thread of its own: a file that cannot take its name (an immutable file there: the rename fails with
/// EPERM, even for root) is reported in stock's words, the run goes on with the other files and ends as a partial
/// transfer (exit 23), and its temporary file is gone. Side by side into `rsync --daemon` and `mrsync daemon` serving
/// the same rsyncd.conf; needs root (chattr +i).
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerFinishingTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime New = new(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-finish-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _locked = [];

    public void Dispose()
    {
        // An immutable file cannot be deleted: the flag goes first, whatever the test did.
        foreach (string path in _locked)
            ToolProcess.RunAsync("chattr", ["-i", path]).GetAwaiter().GetResult();
        Directory.Delete(_work, recursive: true);
    }

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d, string path) => $"{d.Url}{OptionModules.Writable}/{_id}/{path}";

    private static void Write(string root, string name, string text, DateTime time)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, time);
    }

    // -av with incremental recursion (the finishing thread settles each file for the generator), without it, and at
    // protocol 29 (one phase less).
    [Theory]
    [InlineData("-av")]
    [InlineData("-av", "--no-inc-recursive")]
    [InlineData("-av", "--protocol=29")]
    public async Task A_file_that_cannot_take_its_name_fails_alone_in_stocks_words(params string[] options)
    {
        Assert.True(Environment.UserName == "root", "the test makes a file immutable (chattr +i): it needs root");
        string src = Path.Combine(_work, "src");
        Write(src, "a", "first\n", New);
        Write(src, "dir/locked", "new contents\n", New);
        Write(src, "dir/next", "after the locked one\n", New);
        for (int i = 0; i < 40; i++)
            Write(src, $"many/f{i:00}", $"file {i}\n", New);
        Write(src, "z", "last\n", New);
        foreach (RsyncDaemonFixture d in Both)
        {
            string locked = Path.Combine(Mine(d), "dest", "dir", "locked");
            Write(Path.Combine(Mine(d), "dest"), "dir/locked", "old\n", Old);
            ProcessResult chattr = await ToolProcess.RunAsync("chattr", ["+i", locked]);
            Assert.True(chattr.ExitCode == 0, $"chattr +i failed (the module must be on a file system with the immutable flag): {chattr.Stderr}");
            _locked.Add(locked);
        }

        // Every directory's time fixed, so that which of them -v lists ("./", "dir/") does not depend on the moment.
        foreach (string dir in Directory.GetDirectories(src, "*", SearchOption.AllDirectories).Append(src))
            Directory.SetLastWriteTimeUtc(dir, New);
        foreach (RsyncDaemonFixture d in Both)
        {
            foreach (string dir in Directory.GetDirectories(Mine(d), "*", SearchOption.AllDirectories))
                Directory.SetLastWriteTimeUtc(dir, Old);
        }
        ProcessResult stockRun = await stock.RunRsyncAsync([.. options, src + "/", Url(stock, "dest/")]);
        ProcessResult ourRun = await ours.RunRsyncAsync([.. options, src + "/", Url(ours, "dest/")]);

        Assert.True(stockRun.ExitCode == 23, $"stock's run: {stockRun}");
        Assert.True(ourRun.ExitCode == 23, $"{ourRun}\n--- mrsync log ---\n{ours.DaemonLog}");
        string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root);
        Assert.Equal(Normalize(stockRun.Stdout), Normalize(ourRun.Stdout));
        // The daemon's own lines (stock's ends with "rsync error: ... at FILE(LINE)", its own source position).
        string Errors(string text) => string.Join('\n', Normalize(text).Split('\n').Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal)));
        Assert.Equal(Errors(stockRun.Stderr), Errors(ourRun.Stderr));
        Assert.Contains($"rsync: [receiver] rename \"/{_id}/dest/dir/.locked.XXXXXX\" (in {OptionModules.Writable}) -> \"dir/locked\": Operation not permitted (1)",
            Normalize(ourRun.Stderr), StringComparison.Ordinal);

        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(Mine(d), "dest");
            Assert.Equal("old\n", File.ReadAllText(Path.Combine(dest, "dir", "locked")));
            Assert.Equal("after the locked one\n", File.ReadAllText(Path.Combine(dest, "dir", "next")));
            Assert.Equal("last\n", File.ReadAllText(Path.Combine(dest, "z")));
            Assert.Equal(40, Directory.GetFiles(Path.Combine(dest, "many")).Length);
            // No temporary file is left: every name in the destination is one the source has.
            string[] names = [.. Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dest, f)).Order(StringComparer.Ordinal)];
            string[] sent = [.. Directory.GetFiles(src, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(src, f)).Order(StringComparer.Ordinal)];
            Assert.Equal(sent, names);
        }
    }
}
