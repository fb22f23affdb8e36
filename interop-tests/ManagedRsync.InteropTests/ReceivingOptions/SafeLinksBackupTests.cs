using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --safe-links with -b/--backup-dir where our own receiving side keeps backups (a pull from the stock daemon and a
/// local copy), beside stock rsync doing the same: a symlink in the destination that leads out of it is replaced or
/// deleted without a backup ("not backing up unsafe symlink" with -v; backup.c make_backup_inner), a safe one is
/// backed up as any entry. The trees after, the -i/-v output and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class SafeLinksBackupTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-safebackup-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a -b --safe-links -v", "-a -b --safe-links --delete -i", "-a --backup-dir=../bak --safe-links --delete -v",
                     "-a -b --safe-links --delete -i -n", "-a -b --safe-links --delete-after -v", "-rt -b --safe-links --delete -v",
                 })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, bool pull)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        OptionScenario.Write(source, "link", "now a file\n", OptionScenario.Mid);
        OptionScenario.Write(source, "ok", "now a file too\n", OptionScenario.Mid);
        OptionScenario.Write(source, "same.txt", "same\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(source, OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            string dest = Path.Combine(root, "dest");
            Directory.CreateDirectory(dest);
            // Unsafe (out of the destination, absolute) and safe links, replaced by files or deleted.
            await OptionScenario.SymlinkAsync(dest, "link", "../../outside");
            await OptionScenario.SymlinkAsync(dest, "ok", "same.txt");
            await OptionScenario.SymlinkAsync(dest, "gone", "/etc/passwd");
            await OptionScenario.SymlinkAsync(dest, "gone2", "same.txt");
            await OptionScenario.SymlinkAsync(dest, "gone3", "sub/../../x");
            Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
        }

        ProcessResult stock = await daemon.RunRsyncAsync([.. options.Split(' '), from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. options.Split(' '), from, Path.Combine(oursRoot, "dest") + "/"]);

        string snapshot = OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot);
        // Without -l stock backs up any symlink (make_backup_inner checks only with preserve_links).
        if (options.StartsWith("-a", StringComparison.Ordinal))
            Assert.DoesNotContain("link~", snapshot, StringComparison.Ordinal);
        else
            Assert.Contains("link~", snapshot, StringComparison.Ordinal);
    }
}
