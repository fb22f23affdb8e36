using System.Text;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Platform;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -U/--atimes beside stock rsync 3.5.0 doing the same: a push to the stock daemon (our sender lists each non-directory's
/// access time, XMIT_SAME_ATIME for a repeat), a pull from it (our receiver reads and sets them) and a local copy (both).
/// Each side reads its own copy of the source, whose access times are older than its modification times so that a
/// plain read moves them (relatime) and -UU's O_NOATIME shows. Compared: every non-directory's access time in the
/// destination (to the second) and whether the source's moved, then the -i output with its 'u' column, the first
/// error, the exit code and the tree.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class AtimesTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-atimes-").FullName;

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _work]).GetAwaiter().GetResult();

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -i -U", "-a -i -UU", "-a -i -U --no-U", "-rlt -i -U -J", "-rl -i -U", "-a -i -U --inplace --no-W", "-aH -i -U",
        "-a -i -U -c", "-a -v -U --delete", "-a -i -U --no-open-noatime -UU");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        string stockSource = places.Source + "-stock", oursSource = places.Source + "-ours";
        foreach (string source in new[] { stockSource, oursSource })
            await WriteSourceAsync(source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            await WriteDestinationAsync(Path.Combine(root, "dest"));

        string From(string which) => places.From() is var from && places.Pull
            ? from.Replace("/src/", $"/src-{which}/", StringComparison.Ordinal) : Path.Combine(places.Source + "-" + which) + "/";
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, From("stock"), places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, From("ours"), places.To(stock: false)]);

        // The access times first: the snapshot reads every file.
        string destTimes = AccessTimes(Path.Combine(places.OursRoot, "dest"));
        Assert.Equal(AccessTimes(Path.Combine(places.StockRoot, "dest")), destTimes);
        string sourceTimes = SourceReads(oursSource);
        Assert.Equal(SourceReads(stockSource), sourceTimes);
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, "exit codes\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        string output = OptionScenario.Output(ours, places.OursRoot).Replace("-ours", "", StringComparison.Ordinal);
        Assert.Equal(OptionScenario.Output(stock, places.StockRoot).Replace("-stock", "", StringComparison.Ordinal), output);
        // Without -t (or for a symlink with -J) a written entry's modification time is the run's own.
        bool times = args.Any(a => a.StartsWith("-a", StringComparison.Ordinal) || (a.StartsWith("-r", StringComparison.Ordinal) && a.Contains('t')));
        bool linkTimes = times && !args.Contains("-J");
        Assert.Equal(LocalCopy.TreeSnapshot.Of(Path.Combine(places.StockRoot, "dest"), times, rootTimes: false, linkTimes, directoryTimes: false),
            LocalCopy.TreeSnapshot.Of(Path.Combine(places.OursRoot, "dest"), times, rootTimes: false, linkTimes, directoryTimes: false));

        // What the option is there for: the sender's access times arrived (not with --no-U).
        bool atimes = !options.EndsWith("--no-U", StringComparison.Ordinal);
        Assert.True(atimes == destTimes.Contains($"new.txt {Accessed.AddDays(2).ToUnixTimeSeconds()}\n", StringComparison.Ordinal), destTimes);
        if (options.Contains("-i", StringComparison.Ordinal) && atimes)
            Assert.Contains(".f......u.. same.txt", output, StringComparison.Ordinal);
    }

    private static readonly DateTimeOffset Accessed = new(2023, 5, 6, 7, 8, 9, TimeSpan.Zero);

    // Files older-accessed than modified: two with one access time (the second sent as "the same"), a symlink, a hard
    // link pair (-H), a directory.
    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "same.txt", "the same on both sides\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "the sender's version, longer than the receiver's\n", OptionScenario.Mid);
        OptionScenario.Write(root, "new.txt", "only on the sender\n", OptionScenario.Mid);
        OptionScenario.Write(root, "twin.txt", "accessed when new.txt was\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/inner.txt", "inner, new\n", OptionScenario.Mid);
        LocalCopy.LocalSource.Run("ln", Path.Combine(root, "sub/inner.txt"), Path.Combine(root, "sub/inner-link.txt"));
        await OptionScenario.SymlinkAsync(root, "link", "new.txt");
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
        await TouchAccessAsync(Path.Combine(root, "same.txt"), Accessed);
        await TouchAccessAsync(Path.Combine(root, "changed.txt"), Accessed.AddDays(1));
        await TouchAccessAsync(Path.Combine(root, "new.txt"), Accessed.AddDays(2));
        await TouchAccessAsync(Path.Combine(root, "twin.txt"), Accessed.AddDays(2));
        await TouchAccessAsync(Path.Combine(root, "sub/inner.txt"), Accessed.AddDays(3));
        await TouchAccessAsync(Path.Combine(root, "link"), Accessed.AddDays(4));
    }

    private static async Task WriteDestinationAsync(string root)
    {
        OptionScenario.Write(root, "same.txt", "the same on both sides\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "the receiver's older version\n", OptionScenario.Old);
        OptionScenario.Write(root, "extra/gone.txt", "only on the receiver\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "extra"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
        await TouchAccessAsync(Path.Combine(root, "same.txt"), Accessed.AddDays(-10));
        await TouchAccessAsync(Path.Combine(root, "changed.txt"), Accessed.AddDays(-10));
    }

    private static async Task TouchAccessAsync(string path, DateTimeOffset when)
    {
        ProcessResult touch = await ToolProcess.RunAsync("touch", ["-a", "-h", "-d", "@" + when.ToUnixTimeSeconds(), path]);
        Assert.True(touch.ExitCode == 0, touch.Stderr);
    }

    // Each non-directory's access time in seconds (a directory's is the listing's and not -U's business).
    private static string AccessTimes(string root)
    {
        var text = new StringBuilder();
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Assert.Equal(0, NativeStat.TryLstat(entry, out NativeStat.Info st));
            // One the run's own reads moved (a sender's -c read of a hard link's other name, listed after it) is
            // RECENT: its value is the moment of that read, which two runs do not share.
            if (!Directory.Exists(entry) || File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                text.Append(Path.GetRelativePath(root, entry)).Append(' ')
                    .Append(st.ATime > Accessed.AddDays(30).ToUnixTimeSeconds() ? "RECENT" : st.ATime.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    // Whether each source file was read without O_NOATIME (its access time moved past the scenario's).
    private static string SourceReads(string root)
    {
        var text = new StringBuilder();
        foreach (string entry in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Assert.Equal(0, NativeStat.TryLstat(entry, out NativeStat.Info st));
            text.Append(Path.GetRelativePath(root, entry)).Append(st.ATime > Accessed.AddDays(30).ToUnixTimeSeconds() ? " READ" : " KEPT").Append('\n');
        }
        return text.ToString();
    }
}
