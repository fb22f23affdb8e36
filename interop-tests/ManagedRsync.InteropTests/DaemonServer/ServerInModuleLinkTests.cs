using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// The directories a stock client names when it pushes to a daemon (the destination, --backup-dir, the basis
/// directories) may go through a symlink the module holds. Stock 3.5.0 follows such a link while it stays inside the
/// module (util1.c: change_dir into the destination and the basis lookups go through syscall.c:
/// secure_relative_open, anchored at the module: a relative target, never above the module, at most 40 links), and
/// refuses one that leads out: the destination with ELOOP (exit 3), a basis directory by finding nothing in it (the
/// file is sent whole, exit 0). `rsync --daemon` and `mrsync daemon` serve the same tree side by side: the client's
/// output and exit code and the module's tree must be the same, and nothing outside the module is written or linked.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerInModuleLinkTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime New = new(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc);
    private const string Secret = "OUT-OF-MODULE\n";
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-inmodlinks-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d, string path) => $"{d.Url}{OptionModules.Writable}/{_id}/{path}";

    // Outside every module: what a link out of the module leads to (one per daemon, so each run is checked alone).
    private string Outside(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "outside-stock" : "outside-ours");

    private static void Write(string root, string name, string text, DateTime time)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, time);
    }

    private string Source()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "changed", "new contents of changed\n", New);
        Write(src, "same", "unchanged\n", Old);
        Write(src, "dir/inner", "new inner contents\n", New);
        return src;
    }

    // In each module: real/ (a destination with an old file), yesterday/ (a basis matching the source), backups/, links to them
    // (relative, inside), links out (absolute; relative climbing above the module), and outside a basis that also
    // matches the source.
    private void Seed()
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            string mine = Mine(d), outside = Outside(d);
            Write(Path.Combine(mine, "real"), "changed", "old\n", Old);
            Write(Path.Combine(mine, "yesterday"), "changed", "new contents of changed\n", New);
            Write(Path.Combine(mine, "yesterday"), "same", "unchanged\n", Old);
            Write(outside, "changed", "new contents of changed\n", New);
            Write(outside, "same", "unchanged\n", Old);
            File.CreateSymbolicLink(Path.Combine(mine, "blink"), "real");
            File.CreateSymbolicLink(Path.Combine(mine, "ylink"), "yesterday/");
            Directory.CreateDirectory(Path.Combine(mine, "backups"));
            File.CreateSymbolicLink(Path.Combine(mine, "bklink"), "backups");
            File.CreateSymbolicLink(Path.Combine(mine, "abs_out"), outside);
            File.CreateSymbolicLink(Path.Combine(mine, "rel_out"), Path.GetRelativePath(mine, outside));
            foreach (string dir in Directory.GetDirectories(mine, "*", SearchOption.AllDirectories))
                Directory.SetLastWriteTimeUtc(dir, Old);
        }
    }

    private async Task<(ProcessResult Stock, ProcessResult Ours)> PushBothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args) =>
        (await stock.RunRsyncAsync(args(stock)), await ours.RunRsyncAsync(args(ours)));

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r)
    {
        string context = $"{r.Stock}\n{r.Ours}\n--- mrsync log ---\n{ours.DaemonLog}";
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, "exit codes differ\n" + context);
        Assert.Equal(Normalize(r.Stock.Stdout), Normalize(r.Ours.Stdout));
        Assert.Equal(NonBlank(r.Stock.Stderr), NonBlank(r.Ours.Stderr));
        // Directory times are not compared: a directory written through a link gets the moment of the push.
        string stockTree = Normalize(TreeSnapshot.Of(Mine(stock), rootTimes: false, directoryTimes: false));
        string ourTree = Normalize(TreeSnapshot.Of(Mine(ours), rootTimes: false, directoryTimes: false));
        Assert.True(stockTree == ourTree, $"trees differ\n{stockTree}\n{ourTree}\n{context}");
        // Nothing outside was written, and nothing in the module is the outside's file (a hard link to it).
        foreach (RsyncDaemonFixture d in Both)
        {
            Assert.Equal(["changed", "same"], Directory.GetFileSystemEntries(Outside(d)).Select(Path.GetFileName).Order());
            Assert.Equal("new contents of changed\n", File.ReadAllText(Path.Combine(Outside(d), "changed")));
            Assert.DoesNotContain("links=", TreeSnapshot.Of(Outside(d)));
        }
    }

    private string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root)
        .Replace("outside-stock", "outside-X", StringComparison.Ordinal).Replace("outside-ours", "outside-X", StringComparison.Ordinal)
        .Replace(_id, "ID", StringComparison.Ordinal);

    // Stock's daemon ends an error with its own "rsync error: ... at FILE(LINE)" line; blank lines are not compared.
    private string NonBlank(string text) => string.Join('\n', Normalize(text).Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal) && !l.Contains("read error: Connection reset", StringComparison.Ordinal)));

    [Theory]
    [InlineData("blink/")]
    [InlineData("blink")]
    [InlineData("blink/deeper/")]
    public async Task A_destination_through_a_link_inside_the_module_is_where_the_link_leads(string destination)
    {
        string src = Source();
        Seed();
        var r = await PushBothAsync(d => ["-av", src + "/", Url(d, destination)]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        string landed = Path.Combine(Mine(ours), "real", destination.StartsWith("blink/deeper", StringComparison.Ordinal) ? "deeper" : "");
        Assert.Equal("new contents of changed\n", File.ReadAllText(Path.Combine(landed, "changed")));
        Assert.True(File.GetAttributes(Path.Combine(Mine(ours), "blink")).HasFlag(FileAttributes.ReparsePoint));
    }

    [Theory]
    [InlineData("abs_out/")]
    [InlineData("rel_out/")]
    [InlineData("abs_out")]
    public async Task A_destination_through_a_link_out_of_the_module_is_refused(string destination)
    {
        string src = Source();
        Seed();
        var r = await PushBothAsync(d => ["-av", src + "/", Url(d, destination)]);
        AssertSame(r);
        Assert.Equal(3, r.Ours.ExitCode);
        Assert.Contains("Too many levels of symbolic links (40)", r.Ours.Stderr);
    }

    // Known difference, on purpose: a missing destination below a link out of the module is made by stock 3.5.0's
    // get_local_name with a plain mkdir that follows the link (main.c: do_mkdir), so stock's daemon creates a directory
    // outside its module before its change_dir#2 refuses it; mrsync's daemon refuses the destination and makes nothing.
    [Fact]
    public async Task A_missing_destination_below_a_link_out_of_the_module_is_not_made_outside()
    {
        string src = Source();
        Seed();
        var r = await PushBothAsync(d => ["-av", src + "/", Url(d, "abs_out/deeper/")]);
        Assert.Equal(r.Stock.ExitCode, r.Ours.ExitCode);
        Assert.Equal(3, r.Ours.ExitCode);
        Assert.True(Directory.Exists(Path.Combine(Outside(stock), "deeper")), "stock 3.5.0 no longer makes it: drop this difference\n" + r.Stock);
        Assert.Equal(["changed", "same"], Directory.GetFileSystemEntries(Outside(ours)).Select(Path.GetFileName).Order());
        Assert.Contains("Too many levels of symbolic links (40)", r.Ours.Stderr);
    }

    [Theory]
    [InlineData("--link-dest=../ylink")]
    [InlineData("--copy-dest=/ID/ylink")]
    [InlineData("--compare-dest=../ylink/")]
    [InlineData("--link-dest=../abs_out")]
    [InlineData("--copy-dest=/ID/rel_out")]
    [InlineData("--compare-dest=../abs_out")]
    public async Task A_basis_directory_through_a_link_is_used_only_inside_the_module(string option)
    {
        string src = Source();
        Seed();
        option = option.Replace("/ID/", $"/{_id}/", StringComparison.Ordinal);
        var r = await PushBothAsync(d => ["-av", option, src + "/", Url(d, "today/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        bool inside = option.Contains("ylink", StringComparison.Ordinal);
        if (inside && option.StartsWith("--link-dest", StringComparison.Ordinal))
            Assert.Contains("links=", TreeSnapshot.Of(Mine(ours)));
        // Out of the module nothing is a basis: every file is sent (its name is listed).
        if (!inside)
            Assert.Contains("changed", r.Ours.Stdout);
    }

    [Fact]
    public async Task A_backup_directory_through_a_link_inside_the_module_is_where_the_link_leads()
    {
        string src = Source();
        Seed();
        var r = await PushBothAsync(d => ["-av", "-b", $"--backup-dir=/{_id}/bklink", src + "/", Url(d, "real/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(Mine(ours), "backups", "changed")));
    }

    // -K (generator.c: recv_generator with keep_dirlinks): a link in the module where the source has a directory stands
    // for the directory it leads to: kept, itemized against it, the source's files written into it; the module's rules
    // are names ("/ID/yesterday/changed" does not exclude "ylink/changed"). Its time goes to the link itself, and a mode
    // that differs cannot be set through the link (stock: "failed to set permissions on ...", exit 23).
    [Theory]
    [InlineData("700")]
    [InlineData("755")]
    public async Task Keep_dirlinks_writes_through_a_link_to_a_directory_inside_the_module(string mode)
    {
        Seed();
        string src = Path.Combine(_work, "ksrc");
        Write(src, "ylink/changed", "pushed through the in-module link\n", New);
        Write(src, "blink/added", "a new file\n", New);
        Write(src, "fresh/f", "fresh\n", New);
        File.SetUnixFileMode(Path.Combine(src, "ylink"), (UnixFileMode)Convert.ToInt32(mode, 8));
        foreach (string dir in (string[])["ylink", "blink", "fresh", "."])
            Directory.SetLastWriteTimeUtc(Path.Combine(src, dir), Old);
        var r = await PushBothAsync(d => ["-aiK", src + "/", Url(d, "")]);
        AssertSame(r);
        Assert.Equal(mode == "755" ? 0 : 23, r.Ours.ExitCode);
        Assert.Equal("pushed through the in-module link\n", File.ReadAllText(Path.Combine(Mine(ours), "yesterday", "changed")));
        Assert.True(File.GetAttributes(Path.Combine(Mine(ours), "ylink")).HasFlag(FileAttributes.ReparsePoint));
        if (mode == "700")
            Assert.Contains("failed to set permissions on \"/ID/ylink\" (in wr): Too many levels of symbolic links (40)", Normalize(r.Ours.Stderr));
    }

    // A link out of the module is never written through: stock's stat follows it (a directory), then its writes below
    // it fail with ELOOP; mrsync's generator refuses the entry. Both end with exit 23 and write nothing outside.
    [Fact]
    public async Task Keep_dirlinks_never_writes_through_a_link_out_of_the_module()
    {
        Seed();
        string src = Path.Combine(_work, "ksrc");
        Write(src, "abs_out/changed", "must not land outside\n", New);
        Write(src, "rel_out/same", "must not land outside\n", New);
        var r = await PushBothAsync(d => ["-aK", src + "/", Url(d, "")]);
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}");
        Assert.Equal(23, r.Ours.ExitCode);
        foreach (RsyncDaemonFixture d in Both)
        {
            Assert.Equal(["changed", "same"], Directory.GetFileSystemEntries(Outside(d)).Select(Path.GetFileName).Order());
            Assert.Equal("new contents of changed\n", File.ReadAllText(Path.Combine(Outside(d), "changed")));
            Assert.Equal("unchanged\n", File.ReadAllText(Path.Combine(Outside(d), "same")));
        }
        Assert.Contains("Too many levels of symbolic links", r.Ours.Stderr);
    }

    // clientserver.c: rsync_module reads a module's rules with XFLG_DIR2WILD3: "exclude = /secret/" excludes the whole
    // subtree, so a push naming a destination beneath it ends with "daemon has excluded destination", exit 3.
    [Theory]
    [InlineData("secret/ID-x2.tx")]
    [InlineData("secret/ID/")]
    public async Task A_destination_beneath_an_excluded_directory_is_refused_as_stock_refuses_it(string destination)
    {
        string src = Source();
        destination = destination.Replace("ID", _id, StringComparison.Ordinal);
        var r = await PushBothAsync(d => ["-a", Path.Combine(src, "changed"), $"{d.Url}{OptionModules.Excluding}/{destination}"]);
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}");
        Assert.Equal(3, r.Ours.ExitCode);
        Assert.Equal(NonBlank(r.Stock.Stderr), NonBlank(r.Ours.Stderr));
        foreach (RsyncDaemonFixture d in Both)
            Assert.False(Path.Exists(Path.Combine(d.ModulePath(OptionModules.Excluding), destination.TrimEnd('/'))), d.DaemonPath);
    }
}
