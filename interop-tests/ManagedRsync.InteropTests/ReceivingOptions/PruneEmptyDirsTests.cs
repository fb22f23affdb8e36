using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -m/--prune-empty-dirs beside stock rsync 3.5.0 doing the same: a push to the stock daemon (our client sends 'm' and
/// the filter list, which a pruning receiver wants even without --delete; the daemon prunes), a pull from it and a local
/// copy (our receiver prunes its sorted list). The source holds directories with files, a chain of directories with
/// nothing in them, one holding only a symlink, one whose only file the backup-script filters
/// (<c>--include='*/' --include='*.conf' --exclude='*'</c>) leave out, and an empty directory a "protect" rule keeps;
/// the destination holds empty directories of its own for --delete. Trees, itemized output, first stderr line and exit
/// code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PruneEmptyDirsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-prune-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -m -i", "-rlt -m -v", "-a -m --include=*/ --include=*.conf --exclude=* -i", "-a --prune-empty-dirs --delete -i",
        "-a -m --filter=P_keep/ -i", "-a -m --filter=P_keep/ --delete -i", "-a -m --include=*/ --include=*.conf --exclude=* --delete -i",
        "-a -m -n --delete -i", "-a -m --no-m -i", "-rlt -m --stats", "-a -m --protocol=28 -i");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        WriteDestination(Path.Combine(places.StockRoot, "dest"));
        WriteDestination(Path.Combine(places.OursRoot, "dest"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);

        // compat.c: setup_protocol — "--prune-empty-dirs requires protocol 29 or higher" (RERR_PROTOCOL).
        int expected = options.Contains("--protocol=28", StringComparison.Ordinal) ? 2 : 0;
        string tree = OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot, exitCode: expected);
        // The pruning is there to see (the list had it, the destination never did).
        bool prunes = !options.Contains("--no-m", StringComparison.Ordinal);
        Assert.Equal(!prunes && !options.Contains(" -n ", StringComparison.Ordinal) && expected == 0, tree.Contains("hollow/deeper/deepest", StringComparison.Ordinal));
    }

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "top.conf", "top\n", OptionScenario.Mid);
        OptionScenario.Write(root, "etc/app/app.conf", "setting=1\n", OptionScenario.Mid);
        OptionScenario.Write(root, "etc/app/notes.txt", "not a .conf\n", OptionScenario.Mid);
        OptionScenario.Write(root, "logs/today.log", "only a log\n", OptionScenario.Mid);
        OptionScenario.Write(root, "data/files/a.txt", "a\n", OptionScenario.Mid);
        Directory.CreateDirectory(Path.Combine(root, "hollow/deeper/deepest"));
        Directory.CreateDirectory(Path.Combine(root, "data/empty"));
        Directory.CreateDirectory(Path.Combine(root, "keep/inner"));
        Directory.CreateDirectory(Path.Combine(root, "linkonly"));
        await OptionScenario.SymlinkAsync(root, "linkonly/to-top", "../top.conf");
        foreach (string dir in new[] { "hollow/deeper/deepest", "hollow/deeper", "hollow", "data/empty", "data/files", "data", "keep/inner", "keep",
                     "linkonly", "logs", "etc/app", "etc" })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static void WriteDestination(string root)
    {
        OptionScenario.Write(root, "etc/app/old.conf", "an old setting\n", OptionScenario.Old);
        Directory.CreateDirectory(Path.Combine(root, "hollow/deeper"));
        Directory.CreateDirectory(Path.Combine(root, "keep"));
        Directory.CreateDirectory(Path.Combine(root, "stale/empty"));
        foreach (string dir in new[] { "etc/app", "etc", "hollow/deeper", "hollow", "keep", "stale/empty", "stale" })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
