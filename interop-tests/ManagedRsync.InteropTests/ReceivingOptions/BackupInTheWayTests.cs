using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -b where a directory arrives and a non-directory is in its way (a file, a symlink, a file named like a backup), on
/// a pull and a local copy beside stock: delete_item (delete.c, DEL_FOR_DIR) keeps it under its backup name (or in
/// --backup-dir) before the directory is made, but not a name that already is a backup without --backup-dir. The
/// trees after, the output and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class BackupInTheWayTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-backup-way-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[] { "-ab", "-ab --backup-dir=BK", "-ab --suffix=.bak -i", "-rtb -i --delete", "-ab -n -i" })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_non_directory_in_the_way_is_backed_up_as_stock(string options, bool pull)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        foreach (string dir in new[] { "x", "y", "z~" })
            OptionScenario.Write(source, $"{dir}/f", $"in {dir}\n", OptionScenario.Mid);
        foreach (string dir in new[] { "x", "y", "z~" })
            Directory.SetLastWriteTimeUtc(Path.Combine(source, dir), OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(source, OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        var results = new List<ProcessResult>();
        var dests = new List<string>();
        foreach (string who in new[] { "stock", "ours" })
        {
            string dest = Path.Combine(_work, who, "dest");
            OptionScenario.Write(dest, "x", "a file\n", OptionScenario.Old);
            await OptionScenario.SymlinkAsync(dest, "y", "nowhere");
            OptionScenario.Write(dest, "z~", "a backup's name\n", OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
            string[] args = [.. options.Split(' '), from, dest + "/"];
            results.Add(who == "stock" ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args));
            dests.Add(dest);
        }
        Assert.True(results[0].ExitCode == results[1].ExitCode, daemon.Explain([.. results]));
        Assert.Equal(results[0].Stdout, results[1].Stdout);
        TreeAssert.Equal(dests[0], dests[1], nanoseconds: false, hardLinks: false);
        if (!options.Contains("-n", StringComparison.Ordinal))
        {
            string kept = options.Contains("--backup-dir", StringComparison.Ordinal) ? Path.Combine(dests[1], "BK", "x")
                : Path.Combine(dests[1], options.Contains(".bak", StringComparison.Ordinal) ? "x.bak" : "x~");
            Assert.Equal("a file\n", File.ReadAllText(kept));
        }
    }
}
