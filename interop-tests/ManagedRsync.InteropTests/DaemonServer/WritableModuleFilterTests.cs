using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// A writable module with its own filter rules (rsyncd.conf exclude/filter; stock's daemon_filter_list on the receiving
/// side), pushed to by stock's client: `mrsync daemon` must refuse, skip, keep and reject exactly what `rsync --daemon`
/// does with the same rsyncd.conf: the client's output and exit code, and what the module holds afterwards.
/// </summary>
[Collection(ModuleParameterCollection.Name)]
public sealed class WritableModuleFilterTests(StockParameterDaemonFixture stock, MrsyncParameterDaemonFixture ours) : IDisposable
{
    private const string Module = ParameterModules.Filtered;
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-modfilter-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    [Fact]
    public async Task A_push_has_excluded_names_refused_and_excluded_local_names_kept_from_delete()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "a.txt", "keep me");
        Write(src, "b.tmp", "refused file");
        Write(src, "foobar.baz", "refused too");
        Write(src, "locked/inner", "refused directory's content");
        Write(src, "sub/c.tmp", "refused below");
        Write(src, "sub/d", "plain");
        foreach (RsyncDaemonFixture d in Both)
        {
            string mod = Path.Combine(d.ModulePath(Module), _id);
            Write(mod, "old.tmp", "excluded: never deleted");
            Write(mod, "locked/old", "excluded directory: never deleted");
            Write(mod, "gone", "deleted");
            Write(mod, "sub/gone.tmp", "excluded below: kept");
        }

        var push = await BothAsync(d => ["-av", "--delete", src + "/", $"{d.Url}{Module}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(23, push.Ours.ExitCode);
        Assert.Contains("daemon refused to receive directory \"locked\"", push.Ours.Stderr);
        TreeAssert.Equal(Path.Combine(stock.ModulePath(Module), _id), Path.Combine(ours.ModulePath(Module), _id), nanoseconds: false);
        string kept = Path.Combine(ours.ModulePath(Module), _id);
        Assert.True(File.Exists(Path.Combine(kept, "old.tmp")) && File.Exists(Path.Combine(kept, "locked", "old"))
            && File.Exists(Path.Combine(kept, "sub", "gone.tmp")) && !File.Exists(Path.Combine(kept, "gone")));
        Assert.False(File.Exists(Path.Combine(kept, "b.tmp")));
    }

    [Fact]
    public async Task An_excluded_destination_ends_the_push_as_stock_does()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "a.txt", "x");
        var push = await BothAsync(d => ["-a", src + "/", $"{d.Url}{Module}/secret/"]);
        AssertSame(push);
        Assert.Equal(3, push.Ours.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(ours.ModulePath(Module), "secret")));
    }

    [Fact]
    public async Task A_temp_dir_the_module_excludes_is_rejected()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "a.txt", "x");
        var push = await BothAsync(d => ["-a", "--temp-dir=work.tmp", src + "/", $"{d.Url}{Module}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(4, push.Ours.ExitCode);
        Assert.Contains("Your options have been rejected by the server.", push.Ours.Stderr);
    }

    private static void Write(string root, string relative, string text)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
    }

    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args) =>
        (await stock.RunRsyncAsync(args(stock)), await ours.RunRsyncAsync(args(ours)));

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}\n--- mrsync log ---\n{ours.DaemonLog}");
        Assert.Equal(Normalize(r.Stock.Stdout), Normalize(r.Ours.Stdout));
        Assert.Equal(NonBlank(r.Stock.Stderr), NonBlank(r.Ours.Stderr));
    }

    private static string Normalize(string output) => DaemonOutput.Normalize(output, "PORT");

    // Stock's daemon names its own source line when it ends a run ("rsync error: ... at main.c(735) [Receiver=3.5.0]"),
    // and its client may then add a read error of the reset: neither is compared.
    private static string NonBlank(string text) =>
        string.Join('\n', Normalize(text).Split('\n').Where(l => l.Length > 0 && !l.EndsWith("[Receiver=3.5.0]", StringComparison.Ordinal)
            && l != "rsync: [sender] read error: Connection reset by peer (104)"));
}
