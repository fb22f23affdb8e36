using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// An absolute --partial-dir where our own receiver writes (a pull from the stock daemon and a local copy), beside
/// stock rsync doing the same: one directory for every file (util1.c: partial_dir_fname joins it with the leaf), made
/// 0700 only when a file is kept there and never removed, a partial copy an earlier run left there used as the basis
/// and removed, one of an up-to-date file removed; a symlink in its place is replaced by a directory when a file is
/// kept (handle_partial_dir's lstat), never written through; two files of one leaf meet there as they do in stock's.
/// The receiving root (destination and partial directory), the itemized output, the first error and the exit code
/// must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullAndLocalAbsolutePartialDirTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-abspartial-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>What the receiving root holds at PD before the run.</summary>
    public enum Before
    {
        /// <summary>Nothing: the directory is made when a file is kept there.</summary>
        Missing,

        /// <summary>A directory with the first half of big.bin, a copy of the up-to-date same.txt and an unrelated file.</summary>
        Seeded,

        /// <summary>A symlink to a seeded directory elsewhere in the root (ours, so stock's walk follows it).</summary>
        Symlink,
    }

    public static TheoryData<string, Before, bool> Rows()
    {
        var rows = new TheoryData<string, Before, bool>();
        (string, Before)[] cases =
        [
            ("-a -i --partial-dir=PD", Before.Seeded), ("-a -i --partial-dir=PD --no-W", Before.Seeded),
            ("-a -i --partial-dir=PD/ --delete", Before.Seeded), ("-a -i --partial-dir=PD", Before.Missing),
            ("-a -i --delay-updates --partial-dir=PD", Before.Missing), ("-a -i --delay-updates --partial-dir=PD", Before.Seeded),
            ("-a -i --delay-updates --partial-dir=PD -b", Before.Seeded), ("-aH -i --delay-updates --partial-dir=PD", Before.Missing),
            ("-a -i -n --delay-updates --partial-dir=PD", Before.Seeded), ("-a -i --partial-dir=PD", Before.Symlink),
            ("-a -i --delay-updates --partial-dir=PD", Before.Symlink), ("-a -i --delay-updates --partial-dir=PD/./x/../", Before.Missing),
        ];
        foreach ((string options, Before before) in cases)
        {
            rows.Add(options, before, true);
            rows.Add(options, before, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, Before before, bool pull)
    {
        (string source, string from) = OptionScenario.WriteSourceFor(daemon, _work, pull, hardLink: options.Contains('H'));
        byte[] big = File.ReadAllBytes(Path.Combine(source, "big.bin"));
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            OptionScenario.WriteReceiver(root);
            string seeded = Path.Combine(root, before == Before.Symlink ? "elsewhere" : "pd");
            if (before != Before.Missing)
            {
                OptionScenario.WriteBytes(seeded, "big.bin", big[..150_000], OptionScenario.New);
                OptionScenario.Write(seeded, "same.txt", "left over\n", OptionScenario.Old);
                OptionScenario.Write(seeded, "unrelated.txt", "not in the list\n", OptionScenario.Old);
                Directory.SetLastWriteTimeUtc(seeded, OptionScenario.Old);
            }
            if (before == Before.Symlink)
                await OptionScenario.SymlinkAsync(root, "pd", "elsewhere");
        }

        string[] Args(string root) =>
            [.. options.Replace("PD", Path.Combine(root, "pd"), StringComparison.Ordinal).Split(' '), from, Path.Combine(root, "dest") + "/"];
        ProcessResult stock = await daemon.RunRsyncAsync(Args(stockRoot));
        ProcessResult ours = await daemon.RunMrsyncAsync(Args(oursRoot));

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock).Replace(stockRoot, "ROOT", StringComparison.Ordinal),
            OptionScenario.FirstError(ours).Replace(oursRoot, "ROOT", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
        // A directory the run made has the run's time, which Snapshot leaves out: its mode is compared here.
        Assert.Equal(Mode(Path.Combine(stockRoot, "pd")), Mode(Path.Combine(oursRoot, "pd")));
    }

    /// <summary>
    /// Two files of one leaf (x.txt and sub/x.txt) with --delay-updates: both are held in the one directory, the
    /// second replacing the first, so the first renamed into place holds the second's data and the second's rename
    /// fails (stock's "rename failed for ... (from PD/x.txt)", exit 23).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OneLeafTwiceMeetsAsInStock(bool pull)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        OptionScenario.Write(source, "x.txt", "top\n", OptionScenario.Old);
        OptionScenario.Write(source, "sub/x.txt", "inner, longer\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "sub"), OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        Directory.CreateDirectory(stockRoot);
        Directory.CreateDirectory(oursRoot);
        string[] Args(string root) => ["-a", "-i", "--delay-updates", "--partial-dir=" + Path.Combine(root, "pd"), from, Path.Combine(root, "dest") + "/"];
        ProcessResult stock = await daemon.RunRsyncAsync(Args(stockRoot));
        ProcessResult ours = await daemon.RunMrsyncAsync(Args(oursRoot));

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == 23 && ours.ExitCode == 23, "exit codes\n" + explain);
        Assert.Contains($"rename failed for \"{stockRoot}/dest/sub/x.txt\" (from {stockRoot}/pd/x.txt): No such file or directory (2)", stock.Stderr);
        Assert.Contains($"rename failed for \"{oursRoot}/dest/sub/x.txt\" (from {oursRoot}/pd/x.txt): No such file or directory (2)", ours.Stderr);
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }

    private static string Mode(string path) =>
        Directory.Exists(path) && !new DirectoryInfo(path).Attributes.HasFlag(FileAttributes.ReparsePoint)
            ? File.GetUnixFileMode(path).ToString() : File.Exists(path) || Path.Exists(path) ? "not a directory" : "missing";
}
