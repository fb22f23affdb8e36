using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -y/--fuzzy (and -yy with a basis directory) where our own generator picks the basis of a file missing from the
/// destination (a pull from the stock daemon and a local copy; generator.c find_fuzzy), beside stock rsync doing the
/// same: a re-versioned name, a ".old" copy, an exact size-and-mtime match under another name, a name too far from any,
/// and a file updated in the same run that may no longer serve as a basis. The basis stock chose shows in --stats'
/// "Matched data" and "Literal data"; those, the -i output, the trees and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class PullAndLocalFuzzyTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-fuzzy-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a --no-W -y", "-a -y", "-a --no-W -yy --compare-dest=../yesterday", "-a --no-W -y --compare-dest=../yesterday",
                     "-a --no-W -yy --link-dest=../yesterday", "-a --no-W -y --delete-after", "-a --no-W -y -n", "-a --no-W",
                     "-a --no-W -y -I", "-rt --no-W -y --modify-window=5",
                 })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task PicksStocksBasis(string options, bool pull)
    {
        string[] args = [.. options.Split(' '), "-i", "--stats"];
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        byte[] report = Pull.PullTree.RandomBytes(300_000, 21), movie = Pull.PullTree.RandomBytes(200_000, 22);
        byte[] log = Pull.PullTree.RandomBytes(120_000, 23), other = Pull.PullTree.RandomBytes(90_000, 24);
        // The source: new names whose content the receiver has under other names.
        OptionScenario.WriteBytes(source, "report-2025.bin", [.. report, .. "tail"u8], OptionScenario.Mid);
        OptionScenario.WriteBytes(source, "zzz.dat", report, OptionScenario.Mid);
        OptionScenario.WriteBytes(source, "unlike-anything-here.txt", other, OptionScenario.Mid);
        OptionScenario.WriteBytes(source, "sub/movie.mkv", movie, OptionScenario.Old);
        OptionScenario.WriteBytes(source, "logs/a.log", log, OptionScenario.Mid);
        OptionScenario.WriteBytes(source, "logs/b.log", [.. log, .. "b changed"u8], OptionScenario.Mid);
        OptionScenario.WriteBytes(source, "logs/b2.log", [.. log, .. "b2"u8], OptionScenario.Mid);
        foreach (string dir in new[] { "sub", "logs", "." })
            Directory.SetLastWriteTimeUtc(Path.Combine(source, dir), OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            string dest = Path.Combine(root, "dest");
            OptionScenario.WriteBytes(dest, "report-2024.bin", report, OptionScenario.Old);
            OptionScenario.WriteBytes(dest, "other.txt", report, OptionScenario.Old);
            OptionScenario.WriteBytes(dest, "zzz.dat.old", report, OptionScenario.Old);
            // Same size and mtime as the source's movie.mkv: chosen before any name.
            OptionScenario.WriteBytes(dest, "sub/film.mkv", movie, OptionScenario.Old);
            OptionScenario.WriteBytes(dest, "sub/movie.mkv.part", movie[..1000], OptionScenario.Old);
            // b.log is updated before b2.log is looked at: it is then no basis (FLAG_FILE_SENT), c.log is.
            OptionScenario.WriteBytes(dest, "logs/b.log", log[..50_000], OptionScenario.Old);
            OptionScenario.WriteBytes(dest, "logs/c.log", log, OptionScenario.Old);
            string yesterday = Path.Combine(root, "yesterday");
            OptionScenario.WriteBytes(yesterday, "unlike-anything-her.txt", other, OptionScenario.Old);
            OptionScenario.WriteBytes(yesterday, "logs/a.log.1", log, OptionScenario.Old);
        }

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, "dest") + "/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, "exit codes\n" + explain);
        Assert.Equal(DataLines(stock.Stdout), DataLines(ours.Stdout));
        Assert.Equal(Items(stock.Stdout), Items(ours.Stdout));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }

    /// <summary>--stats' "Literal data" and "Matched data" lines: how much of each file came from the basis.</summary>
    private static string DataLines(string stdout) =>
        string.Join('\n', stdout.Split('\n').Where(l => l.StartsWith("Literal data:", StringComparison.Ordinal) || l.StartsWith("Matched data:", StringComparison.Ordinal)));

    /// <summary>The itemized lines, in order.</summary>
    private static string Items(string stdout) =>
        string.Join('\n', stdout.Split('\n').Where(l => ItemLine().IsMatch(l)));

    [GeneratedRegex(@"^([<>ch.*][fdLDS+][^ ]* |\*deleting )")]
    private static partial Regex ItemLine();
}
