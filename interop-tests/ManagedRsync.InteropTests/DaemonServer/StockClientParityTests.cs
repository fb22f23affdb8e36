using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.DaemonServer;

[CollectionDefinition(Name)]
public sealed class DaemonParityCollection : ICollectionFixture<RsyncDaemonFixture>, ICollectionFixture<MrsyncDaemonFixture>
{
    public const string Name = "stock daemon beside mrsync daemon";
}

/// <summary>
/// Stock rsync 3.5.0 as the client of `mrsync daemon` and, side by side with the same command, of `rsync --daemon`
/// serving the same rsyncd.conf: the trees, the client's exit code and its output must be the same. The one mapped
/// difference: mrsync's server never turns on incremental recursion (compat.c: CF_INC_RECURSE; its receiver takes the
/// whole list first), so stock's client prints "building file list ... done" / "receiving file list ... done" where it
/// prints "sending/receiving incremental file list" against a stock daemon, and the list comes in one piece.
/// </summary>
[Collection(DaemonParityCollection.Name)]
public sealed partial class StockClientParityTests(RsyncDaemonFixture stock, MrsyncDaemonFixture ours) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-parity-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Url(RsyncDaemonFixture d, string path) => d.Url + path;

    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        ProcessResult s = await stock.RunRsyncAsync(args(stock), environment);
        ProcessResult o = await ours.RunRsyncAsync(args(ours), environment);
        return (s, o);
    }

    // What differs between two runs of stock itself (the rate line) and the mapped incremental-recursion headers.
    private string Normalize(string output)
    {
        // The two pulls write to DEST/stock and DEST/ours.
        string text = output.Replace(Path.Combine(_work, "stock"), "DEST", StringComparison.Ordinal).Replace(Path.Combine(_work, "ours"), "DEST", StringComparison.Ordinal);
        text = Regex.Replace(text, @"^sent [\d,]+ bytes  received [\d,]+ bytes  [\d,.]+ bytes/sec\n", "", RegexOptions.Multiline);
        text = Regex.Replace(text, @"^total size is [\d,]+  speedup is [\d,.]+.*\n", m => Regex.Replace(m.Value, @"speedup is [\d,.]+", "speedup is X"), RegexOptions.Multiline);
        return text.Replace("sending incremental file list\n", "building file list ... done\n", StringComparison.Ordinal)
            .Replace("receiving incremental file list\n", "receiving file list ... done\n", StringComparison.Ordinal);
    }

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r, bool output = true)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}");
        if (output)
            Assert.Equal(Normalize(r.Stock.Stdout), Normalize(r.Ours.Stdout));
    }

    private string Module(RsyncDaemonFixture d, string module = DaemonModules.Open) => Path.Combine(d.ModulePath(module), _id);

    // Stock 3.5.0 leaves the time of a symlink it makes (and so of its directory) as "now" in some runs (seen with a
    // dangling link), so the two daemons' trees are compared without times, and ours with times against the source.
    private void AssertSameTrees(string? source = null, string module = DaemonModules.Open)
    {
        Assert.Equal(TreeSnapshot.Of(Module(stock, module), times: false), TreeSnapshot.Of(Module(ours, module), times: false));
        if (source is not null)
            Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(Module(ours, module)));
    }

    private void AssertSamePulledTrees(string? source = null)
    {
        Assert.Equal(TreeSnapshot.Of(Path.Combine(_work, "stock"), times: false), TreeSnapshot.Of(Path.Combine(_work, "ours"), times: false));
        if (source is not null)
            // Regular files' times only: the receiver here is stock's client, which in some runs leaves a symlink it
            // makes (the dangling one) and so its directory at "now", whichever daemon sent them (see AssertSameTrees).
            Assert.Equal(TreeSnapshot.Of(source, rootTimes: false, symlinkTimes: false, directoryTimes: false),
                TreeSnapshot.Of(Path.Combine(_work, "ours"), rootTimes: false, symlinkTimes: false, directoryTimes: false));
    }

    // Both modules start from the same tree (cp -a keeps times, modes and hard links).
    private void Seed(string tree, string module = DaemonModules.Open)
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            Directory.CreateDirectory(Module(d, module));
            if (!Directory.Exists(tree))
                continue;
            using var cp = System.Diagnostics.Process.Start("cp", ["-a", tree + "/.", Module(d, module) + "/"])!;
            cp.WaitForExit();
        }
    }

    [Fact]
    public async Task The_module_list_is_the_same()
    {
        var r = await BothAsync(d => [d.Url]);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Equal(r.Stock.Stdout, r.Ours.Stdout);
        Assert.Contains(RsyncDaemonFixture.Motd, r.Ours.Stdout);
        Assert.DoesNotContain(DaemonModules.Hidden, r.Ours.Stdout);
    }

    [Theory]
    [InlineData(RsyncDaemonFixture.Password, 0)]
    [InlineData("wrong", 5)]
    public async Task Authentication_succeeds_and_fails_as_stock_does(string password, int exit)
    {
        string file = Path.Combine(_work, "pw");
        File.WriteAllText(file, password + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The listing shows the module directory's time: the two fixtures made theirs at different moments.
        foreach (RsyncDaemonFixture d in Both)
            Directory.SetLastWriteTimeUtc(d.ModulePath(DaemonModules.Auth), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        var r = await BothAsync(d => ["--password-file", file, $"rsync://{RsyncDaemonFixture.User}@{d.Host}:{d.Port}/{DaemonModules.Auth}/"]);
        AssertSame(r);
        Assert.Equal(exit, r.Ours.ExitCode);
        if (exit != 0)
            Assert.StartsWith("@ERROR: auth failed on module auth\n", r.Ours.Stderr);
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("#cmd")]
    public async Task Unknown_modules_and_commands_get_stock_errors(string module)
    {
        var r = await BothAsync(d => [d.Url + module + "/"]);
        AssertSame(r);
        Assert.Equal(r.Stock.Stderr.Split('\n')[0], r.Ours.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task A_push_to_a_read_only_module_is_refused_as_stock_refuses_it()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        var r = await BothAsync(d => ["-a", src + "/", Url(d, DaemonModules.ReadOnly + "/")]);
        AssertSame(r, output: false);
        Assert.Equal(1, r.Ours.ExitCode);
        Assert.Contains("ERROR: module is read only", r.Ours.Stderr);
    }

    [Fact]
    public async Task Push_avz_delete_then_an_edit_gives_the_same_trees_and_output()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        Seed(Path.Combine(_work, "empty-seed-does-not-exist"));
        var first = await BothAsync(d => ["-avz", "--delete", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(first);
        Assert.Equal(0, first.Ours.ExitCode);
        AssertSameTrees(src);

        File.Delete(Path.Combine(src, "one-byte"));
        File.WriteAllText(Path.Combine(src, "sub", "x"), "changed");
        File.SetLastWriteTimeUtc(Path.Combine(src, "sub", "x"), new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var second = await BothAsync(d => ["-avz", "--delete", "--stats", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(second, output: false);
        Assert.Equal(0, second.Ours.ExitCode);
        Assert.Contains("deleting one-byte", second.Ours.Stdout);
        AssertSameTrees(src);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pull_gives_the_same_tree_and_output(bool hardLinks)
    {
        string tree = SourceTree.Create(Path.Combine(_work, "tree"), hardLinks);
        Seed(tree);
        string flags = hardLinks ? "-avH" : "-av";
        var r = await BothAsync(d => [flags, Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        AssertSamePulledTrees(tree);
    }

    [Fact]
    public async Task Push_with_hard_links_keeps_them()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: true);
        var r = await BothAsync(d => ["-aH", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        AssertSameTrees(src);
        Assert.Contains("links=", TreeSnapshot.Of(Module(ours)));
    }

    [Theory]
    [InlineData(27)]
    [InlineData(28)]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(32)]
    public async Task Every_protocol_pushes_and_pulls(int protocol)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        // Before protocol 29 the pulling client names "./" when the directory it just made differs in time from the
        // module's top directory, in whole seconds: with the top's time "now" that depends on whether a second ticked
        // between the push and the pull. An old time makes both pulls name it.
        foreach (string dir in new[] { src, Path.Combine(src, "sub"), Path.Combine(src, "sub", "deeper") })
            Directory.SetLastWriteTimeUtc(dir, new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        var push = await BothAsync(d => ["-av", "--delete", $"--protocol={protocol}", src + "/", Url(d, $"open/{_id}/")]);
        // Known difference before protocol 29: stock's receiving server sends the client a name line for each entry it
        // makes without a transfer (generator.c: itemize without write_ndx_and_attrs, "./", symlinks); mrsync's
        // generator does not yet, so only the trees and exit codes are compared there.
        AssertSame(push, output: protocol >= 29);
        Assert.Equal(0, push.Ours.ExitCode);
        // Before protocol 31 times travel in whole seconds: both daemons drop the nanoseconds alike.
        AssertSameTrees(protocol >= 31 ? src : null);
        var pull = await BothAsync(d => ["-av", $"--protocol={protocol}", Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        // Before protocol 29 stock's client prints the names in an order that depends on the sender's list order
        // (the receiver's own sort of that era): the same lines are compared as a set there.
        AssertSame(pull, output: protocol >= 29);
        if (protocol < 29)
            Assert.Equal(Normalize(pull.Stock.Stdout).Split('\n').Order(StringComparer.Ordinal), Normalize(pull.Ours.Stdout).Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal(0, pull.Ours.ExitCode);
        AssertSamePulledTrees();
    }

    // -s: stock's client ends the clear list after the letters and sends the rest as protected args; the daemon reads
    // them under the module's handshake deadline and takes them unescaped (clientserver.c: rsync_module, read_args).
    [Fact]
    public async Task Secluded_args_push_and_pull_as_with_stock()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        var push = await BothAsync(d => ["-av", "-s", "--chmod=Fu+x", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        AssertSameTrees(null);
        var pull = await BothAsync(d => ["-av", "-s", Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        AssertSamePulledTrees();
    }

    [Theory]
    [InlineData("--zc=zlib")]
    [InlineData("--zc=zlibx")]
    [InlineData("--zc=lz4")]
    [InlineData("--zc=zstd")]
    [InlineData("--cc=md4")]
    [InlineData("--cc=md5")]
    [InlineData("--cc=xxh64")]
    [InlineData("--cc=xxh3")]
    [InlineData("--cc=xxh128")]
    public async Task Every_compression_and_checksum_pushes_and_pulls(string choice)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        var push = await BothAsync(d => ["-az", "--no-W", choice, src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        AssertSameTrees(src);
        var pull = await BothAsync(d => ["-az", choice, Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        AssertSamePulledTrees();
    }

    [Fact]
    public async Task Filters_protect_and_select_as_stock()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        string seed = Path.Combine(_work, "seed");
        Directory.CreateDirectory(Path.Combine(seed, "sub"));
        File.WriteAllText(Path.Combine(seed, "keep.bin"), "protected by the exclude");
        File.WriteAllText(Path.Combine(seed, "gone.txt"), "deleted");
        Seed(seed);
        var push = await BothAsync(d => ["-av", "--delete", "--exclude=*.bin", "--exclude=sub/deeper/", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(push);
        AssertSameTrees();
        Assert.True(File.Exists(Path.Combine(Module(ours), "keep.bin")));
        Assert.False(File.Exists(Path.Combine(Module(ours), "gone.txt")));
        var pull = await BothAsync(d => ["-av", "--include=sub/", "--include=sub/**", "--exclude=*", Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(pull);
        AssertSamePulledTrees();
    }

    [Fact]
    public async Task A_large_file_goes_as_a_delta_both_ways()
    {
        var rng = new Random(7);
        string src = Path.Combine(_work, "big");
        Directory.CreateDirectory(src);
        byte[] data = SourceTree.Bytes(rng, 16 << 20);
        File.WriteAllBytes(Path.Combine(src, "data.bin"), data);
        File.SetLastWriteTimeUtc(Path.Combine(src, "data.bin"), DateTime.UtcNow.AddHours(-1));
        var first = await BothAsync(d => ["-a", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(first);
        rng.NextBytes(data.AsSpan(8 << 20, 4096));
        File.WriteAllBytes(Path.Combine(src, "data.bin"), data);
        var delta = await BothAsync(d => ["-a", "--stats", src + "/", Url(d, $"open/{_id}/")]);
        AssertSame(delta, output: false);
        AssertSameTrees(src);
        string Line(string output, string name) => output.Split('\n').Single(l => l.StartsWith(name, StringComparison.Ordinal));
        Assert.Equal(Line(delta.Stock.Stdout, "Matched data"), Line(delta.Ours.Stdout, "Matched data"));
        Assert.Equal(Line(delta.Stock.Stdout, "Literal data"), Line(delta.Ours.Stdout, "Literal data"));

        // And back: a pull of the edited file into the old copy.
        foreach (RsyncDaemonFixture d in Both)
        {
            Directory.CreateDirectory(Path.Combine(_work, d == stock ? "stock" : "ours"));
            File.WriteAllBytes(Path.Combine(_work, d == stock ? "stock" : "ours", "data.bin"), File.ReadAllBytes(Path.Combine(src, "data.bin")));
        }
        rng.NextBytes(data.AsSpan(1 << 20, 4096));
        foreach (RsyncDaemonFixture d in Both)
        {
            // A different mtime than the local copy's, so that the quick check does not skip it.
            File.WriteAllBytes(Path.Combine(Module(d), "data.bin"), data);
            File.SetLastWriteTimeUtc(Path.Combine(Module(d), "data.bin"), DateTime.UtcNow.AddHours(-2));
        }
        var pull = await BothAsync(d => ["-a", "--stats", "--no-W", Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(pull, output: false);
        Assert.Equal(Line(pull.Stock.Stdout, "Matched data"), Line(pull.Ours.Stdout, "Matched data"));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_work, "ours", "data.bin")));
    }
}
