using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --info=backup (and -vv, which sets it) beside stock rsync 3.5.0 doing the same on a push, a pull and a local copy:
/// "(new) backup_dir is DIR" when the receiver starts (main.c: do_recv), "backed up NAME to BACKUP" for each entry kept
/// (backup.c: make_backup_inner; generator.c: the --inplace copy), also in a dry run, whose make_backup succeeds
/// without doing anything (syscall.c). Trees, exit code, first stderr line and every line of output must be stock's.
/// The lines of stock's generator (deletions and the backups it makes on the way) and of its receiver (the backups
/// of files it received) meet in one stream as its processes' pipes have them: each kind is compared in order.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class BackupInfoTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-backupinfo-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-rt --info=backup -b --delete",
        "-rtv --info=backup --backup-dir=bk --delete",
        "-rt --info=backup --backup-dir=./bk/ -n --delete",
        "-rt --info=backup --backup-dir=../bk --delete-after",
        "-rtv --info=backup -b --suffix=.old --inplace",
        "-rtv --info=backup,name2 -b --no-i-r --delete",
        "-rt --info=backup -b --dry-run --delete");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksLines(string options, InplaceAppendTests.Way way)
    {
        var (places, stock, ours) = await OptionScenario.RunSeededAsync(daemon, _work, way, options);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, daemon.Explain(stock, ours));
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        string[] stockLines = OptionScenario.Output(stock, places.StockRoot).Split('\n');
        string[] ourLines = OptionScenario.Output(ours, places.OursRoot).Split('\n');
        if (way != InplaceAppendTests.Way.Push)
            Assert.Contains(stockLines, IsBackup); // a stock daemon receiving says none of them to its client
        foreach (Func<string, bool> kind in new Func<string, bool>[] { IsBackup, IsDeletion, l => !IsBackup(l) && !IsDeletion(l) })
            Assert.Equal(stockLines.Where(kind), ourLines.Where(kind));
        Assert.Equal(OptionScenario.Snapshot(places.StockRoot), OptionScenario.Snapshot(places.OursRoot));
    }

    private static bool IsBackup(string line) =>
        line.StartsWith("backed up ", StringComparison.Ordinal) || line.Contains("backup_dir is ", StringComparison.Ordinal);

    private static bool IsDeletion(string line) => line.StartsWith("deleting ", StringComparison.Ordinal);
}
