using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -H with the rules that leave a file alone (-u, --existing, --ignore-existing, --append, --max-size, --min-size)
/// where our own generator does them (a pull from the stock daemon and a local copy), beside stock rsync doing the
/// same: a member a rule skips is no leader and no prior for the others, and when it is its group's last name, the
/// member put off before it is generated again and transferred (generator.c: handle_skipped_hlink, hlink.c:
/// skip_hard_link); the others wait for a member being transferred in stock's order (finish_hard_link's chain). The
/// trees after (hard-link groups included), the -i/-v output and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullAndLocalSkippedHardLinkTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-skiphlink-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool, bool> Rows()
    {
        var rows = new TheoryData<string, bool, bool>();
        foreach (string options in new[]
                 {
                     "-aH -u", "-aH --existing", "-aH --ignore-existing", "-aH --append", "-aH -u --no-W", "-aH -u -n",
                     "-aH --ignore-existing -n", "-aH --max-size=10k", "-aH --min-size=10k", "-aH --ignore-existing -v",
                     "-aH --existing --ignore-existing", "-aH -u --delete",
                 })
        {
            foreach (bool pull in new[] { true, false })
            {
                rows.Add(options, pull, true);
                rows.Add(options, pull, false);
            }
        }
        return rows;
    }

    /// <param name="options">The command line's options.</param>
    /// <param name="pull">A pull from stock's daemon, else a local copy.</param>
    /// <param name="lastOnly">The receiver has only the last name of the big group (newer), else also its first (older).</param>
    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, bool pull, bool lastOnly)
    {
        string[] args = [.. options.Split(' '), "-i"];
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        // Two groups (a1 a2 d/a3; b1 b2) and files between them in the list.
        OptionScenario.WriteBytes(source, "a1", Pull.PullTree.RandomBytes(50_000, 31), OptionScenario.Mid);
        LocalCopy.LocalSource.Run("ln", Path.Combine(source, "a1"), Path.Combine(source, "a2"));
        Directory.CreateDirectory(Path.Combine(source, "d"));
        LocalCopy.LocalSource.Run("ln", Path.Combine(source, "a1"), Path.Combine(source, "d", "a3"));
        OptionScenario.WriteBytes(source, "b1", Pull.PullTree.RandomBytes(3_000, 32), OptionScenario.Mid);
        LocalCopy.LocalSource.Run("ln", Path.Combine(source, "b1"), Path.Combine(source, "b2"));
        OptionScenario.Write(source, "c", "solo\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "d"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(source, OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            string dest = Path.Combine(root, "dest");
            // The group's last name is newer and longer here (-u, --append and --ignore-existing skip it).
            OptionScenario.WriteBytes(dest, "d/a3", Pull.PullTree.RandomBytes(60_000, 33), OptionScenario.New);
            OptionScenario.Write(dest, "b1", "old\n", OptionScenario.Old);
            if (!lastOnly)
                OptionScenario.Write(dest, "a1", "older first name\n", OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(Path.Combine(dest, "d"), OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
        }

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, "dest") + "/"]);

        OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot);
    }
}
