using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Modules a root daemon serves as another user (clientserver.c: rsync_module's setgid/setgroups/setuid in the
/// connection's forked child), and a module path naming %RSYNC_MODULE_NAME% (loadparm.c: a string is expanded when it
/// is read, after rsync_module has set the variable). The modules sit beneath the fixture's root, which only root may
/// search (0700): stock changes into the module before it drops its rights, and so must mrsync.
/// </summary>
public static class IdentityModules
{
    public const string Nobody = "asnobody";
    public const string ByName = "byname";
    /// <summary>Unchrooted; its path is a symlink another user (65534) planted, leading to a directory beside it.</summary>
    public const string Planted = "planted";
    /// <summary>Unchrooted; its path is a symlink root owns, leading to the same directory (the "/srv -> /mnt/disk" case).</summary>
    public const string RootLinked = "rootlinked";
    public const string Canary = "escape-canary";

    public static readonly IReadOnlyList<DaemonModule> All =
    [
        new(Nobody, Comment: "served as uid/gid 65534", Extra: ["uid = 65534", "gid = 65534"]),
        new(ByName, Comment: "path named by the module", Extra: ["path = {root}/modules/%RSYNC_MODULE_NAME%-real"]),
        new(Planted, Comment: "path through a planted link", ReadOnly: true, Extra: ["path = {root}/links/planted", "use chroot = no"]),
        new(RootLinked, Comment: "path through root's link", ReadOnly: true, Extra: ["path = {root}/links/rootlinked", "use chroot = no"]),
    ];

    internal static void Prepare(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "modules", ByName + "-real"));
        File.WriteAllText(Path.Combine(root, "modules", ByName + "-real", "named"), "by name\n");
        string escape = Path.Combine(root, "escape");
        Directory.CreateDirectory(escape);
        File.WriteAllText(Path.Combine(escape, Canary), "served only through a trusted link\n");
        // Fixed times: the two fixtures' listings of it are compared.
        File.SetLastWriteTimeUtc(Path.Combine(escape, Canary), new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(escape, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Directory.CreateDirectory(Path.Combine(root, "links"));
        File.CreateSymbolicLink(Path.Combine(root, "links", RootLinked), escape);
        string planted = Path.Combine(root, "links", Planted);
        File.CreateSymbolicLink(planted, escape);
        if (Environment.UserName == "root")
            using (var chown = System.Diagnostics.Process.Start("chown", ["-h", "65534:65534", planted]))
                chown.WaitForExit();
        // The module itself is open to its user (as an operator would chown it); its parent is not.
        string nobody = Path.Combine(root, "modules", Nobody);
        Directory.CreateDirectory(nobody);
        File.SetUnixFileMode(nobody, (UnixFileMode)Convert.ToInt32("777", 8));
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

/// <summary>A daemon serving <see cref="IdentityModules"/>: stock's, or mrsync's in <see cref="MrsyncIdentityDaemonFixture"/>.</summary>
public class StockIdentityDaemonFixture : RsyncDaemonFixture
{
    public StockIdentityDaemonFixture() => IdentityModules.Prepare(Root);

    protected override IReadOnlyList<DaemonModule> Modules => IdentityModules.All;
}

public sealed class MrsyncIdentityDaemonFixture : StockIdentityDaemonFixture
{
    public override string DaemonPath => MrsyncDaemonFixture.Executable;
}

[CollectionDefinition(Name)]
public sealed class ModuleIdentityCollection : ICollectionFixture<StockIdentityDaemonFixture>, ICollectionFixture<MrsyncIdentityDaemonFixture>
{
    public const string Name = "module identity daemons";
}

/// <summary>
/// Stock rsync 3.5.0's client pushes to and pulls from `mrsync daemon` and, with the same commands, `rsync --daemon`
/// serving the same rsyncd.conf (<see cref="IdentityModules"/>): exit codes, output, trees and owners must match.
/// </summary>
[Collection(ModuleIdentityCollection.Name)]
public sealed class ModuleIdentityTests(StockIdentityDaemonFixture stock, MrsyncIdentityDaemonFixture ours) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-identity-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Local(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "stock" : "ours");

    private async Task<(ProcessResult Stock, ProcessResult Ours)> BothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args) =>
        (await stock.RunRsyncAsync(args(stock)), await ours.RunRsyncAsync(args(ours)));

    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{ours.Explain(r.Ours)}");
        Assert.Equal(DaemonOutput.Normalize(r.Stock.Stdout, "LOCAL", Local(stock), Local(ours)),
            DaemonOutput.Normalize(r.Ours.Stdout, "LOCAL", Local(stock), Local(ours)));
    }

    [Fact]
    public async Task A_root_daemon_writes_and_reads_a_module_as_its_uid_and_gid()
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: only a root daemon changes to a module's uid/gid");
        string id = Guid.NewGuid().ToString("N")[..8];
        string source = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(source, "dir"));
        File.WriteAllText(Path.Combine(source, "dir", "file"), "pushed\n");
        File.WriteAllText(Path.Combine(source, "top"), "top\n");

        var push = await BothAsync(d => ["-rtv", source + "/", $"{d.Url}{IdentityModules.Nobody}/{id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        foreach (RsyncDaemonFixture d in new RsyncDaemonFixture[] { stock, ours })
        {
            string landed = Path.Combine(d.ModulePath(IdentityModules.Nobody), id);
            foreach (string entry in new[] { landed, Path.Combine(landed, "dir"), Path.Combine(landed, "dir", "file"), Path.Combine(landed, "top") })
            {
                ProcessResult owner = await ToolProcess.RunAsync("stat", ["-c", "%u:%g", entry]);
                Assert.True(owner.Stdout.Trim() == "65534:65534", $"{entry}: {owner}\n{d.Explain()}");
            }
        }

        var pull = await BothAsync(d => ["-rtv", $"{d.Url}{IdentityModules.Nobody}/{id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        // Directory times are left out: stock's receiver running as the module's user leaves a new subdirectory with the
        // time its last entry was written (seen with 3.5.0 here), where mrsync sets the sender's time.
        string stockTree = TreeSnapshot.Of(Local(stock), rootTimes: false, directoryTimes: false),
            oursTree = TreeSnapshot.Of(Local(ours), rootTimes: false, directoryTimes: false);
        Assert.True(stockTree == oursTree, $"{stockTree}\n---\n{oursTree}\n{ours.Explain(pull.Ours)}");
        Assert.Equal("pushed\n", File.ReadAllText(Path.Combine(Local(ours), "dir", "file")));
    }

    /// <summary>
    /// A pull from the module served as 65534 of a tree with a file only root may read (sender.c: send_files, "send_files
    /// failed to open", FERROR_XFER; log.c: rwrite sends a server's errors as MSG_ERROR_XFER below protocol 30, where no
    /// MSG_IO_ERROR tells the client): exit 23, the error and the summary, as from stock's daemon, at protocol 32, 29 and
    /// 27 (protocol-notes §89).
    /// </summary>
    [Theory]
    [InlineData(32)]
    [InlineData(29)]
    [InlineData(27)]
    public async Task A_pull_of_a_file_the_modules_user_cannot_read_ends_as_with_stocks_daemon(int protocol)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: a file only root may read, served as 65534");
        string id = Guid.NewGuid().ToString("N")[..8];
        foreach (RsyncDaemonFixture d in new RsyncDaemonFixture[] { stock, ours })
        {
            string mine = Path.Combine(d.ModulePath(IdentityModules.Nobody), id);
            Directory.CreateDirectory(mine);
            File.WriteAllText(Path.Combine(mine, "readable"), "for anyone\n");
            File.WriteAllText(Path.Combine(mine, "locked"), "for root\n");
            File.SetUnixFileMode(Path.Combine(mine, "locked"), UnixFileMode.None);
        }
        var pull = await BothAsync(d => [$"--protocol={protocol}", "-rv", $"{d.Url}{IdentityModules.Nobody}/{id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.True(pull.Ours.ExitCode == 23, ours.Explain(pull.Ours));
        Assert.Contains("send_files failed to open", pull.Ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(pull.Stock.Stderr.Replace(Local(stock), "LOCAL", StringComparison.Ordinal),
            pull.Ours.Stderr.Replace(Local(ours), "LOCAL", StringComparison.Ordinal));
        Assert.Contains("\ntotal size is ", pull.Ours.Stdout, StringComparison.Ordinal);
        Assert.Equal("for anyone\n", File.ReadAllText(Path.Combine(Local(ours), "readable")));
    }

    /// <summary>
    /// util1.c: change_dir — an unchrooted daemon walks the module's path refusing a symlink owned by neither root nor
    /// itself (syscall.c: open_no_attacker_symlinks): the planted link is refused ("@ERROR: chdir failed", exit 5),
    /// root's own link is followed (upstream daemon-module-chdir-symlink).
    /// </summary>
    [Fact]
    public async Task An_unchrooted_module_path_through_another_users_symlink_is_refused_and_roots_is_followed()
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: only root can plant a symlink owned by another user");
        var planted = await BothAsync(d => [$"{d.Url}{IdentityModules.Planted}/"]);
        AssertSame(planted);
        Assert.Equal(5, planted.Ours.ExitCode);
        Assert.DoesNotContain(IdentityModules.Canary, planted.Ours.Stdout);
        Assert.Contains("@ERROR: chdir failed", planted.Ours.Stderr);

        var trusted = await BothAsync(d => [$"{d.Url}{IdentityModules.RootLinked}/"]);
        AssertSame(trusted);
        Assert.Equal(0, trusted.Ours.ExitCode);
        Assert.Contains(IdentityModules.Canary, trusted.Ours.Stdout);
    }

    [Fact]
    public async Task A_module_path_may_name_the_module()
    {
        var pull = await BothAsync(d => ["-rv", $"{d.Url}{IdentityModules.ByName}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        Assert.Equal("by name\n", File.ReadAllText(Path.Combine(Local(ours), "named")));
    }
}
