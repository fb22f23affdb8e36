using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -O/--omit-dir-times and -J/--omit-link-times beside stock rsync 3.5.0 doing the same: a push to the stock daemon
/// (our client sends 'O' and 'J' as options.c server_options does, 'O' not when -b without --backup-dir implies it), a
/// pull from it and a local copy (our generator and receiver leave a directory's or a symlink's time as it is and do
/// not itemize it: generator.c itemize's keep_time, rsync.c set_file_attrs). The destination holds directories and
/// symlinks that match the source but for their times (the destination's root too), a symlink with another target
/// and a directory whose file changes; the source adds a new directory and a new symlink. Trees with every time (the
/// root's, directories', symlinks'; a time the run itself left is shown as RECENT), -i/-v output, first stderr line and
/// exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class OmitTimesTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-omit-times-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-rlti", "-rlti -O", "-rlti -J", "-rlti -OJ", "-rlt -v -O --delete", "-rlt -ii -O -J", "-rlti -O --no-O -J --no-J",
        "-rltib -O", "-rlti --omit-dir-times --omit-link-times -n", "-rli -O -J", "-rlti -O --protocol=29");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        await WriteDestinationAsync(Path.Combine(places.StockRoot, "dest"));
        await WriteDestinationAsync(Path.Combine(places.OursRoot, "dest"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, "exit codes\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(OptionScenario.Output(stock, places.StockRoot), OptionScenario.Output(ours, places.OursRoot));
        string tree = Snapshot(Path.Combine(places.OursRoot, "dest"));
        Assert.Equal(Snapshot(Path.Combine(places.StockRoot, "dest")), tree);

        // What the options are there for is to see: the destination's own times stay where they are omitted.
        bool dry = options.Split(' ').Contains("-n");
        bool omitDirs = !dry && Regex.IsMatch(options, @"(^| )-\w*[Ob]|--omit-dir") && !options.Contains("--no-O", StringComparison.Ordinal);
        bool omitLinks = !dry && Regex.IsMatch(options, @"(^| )-\w*J|--omit-link") && !options.Contains("--no-J", StringComparison.Ordinal);
        bool times = options.Contains('t');
        bool dirKeepsNew = Regex.IsMatch(tree, $@"^same-dir dir \d+ uid=\d+ gid=\d+ mtime={New}\.", RegexOptions.Multiline);
        Assert.Equal(omitDirs || dry || !times, dirKeepsNew);
        bool linkKeepsNew = Regex.IsMatch(tree, $@"^same-link link \d+ uid=\d+ gid=\d+ mtime={New}\.", RegexOptions.Multiline);
        Assert.Equal(omitLinks || dry || !times, linkKeepsNew);
    }

    private static readonly long New = new DateTimeOffset(OptionScenario.New).ToUnixTimeSeconds();

    /// <summary>TreeSnapshot with every time; one later than the scenarios' fixed times is the run's own moment (RECENT).</summary>
    internal static string Snapshot(string root) =>
        Regex.Replace(TreeSnapshot.Of(root, times: true, rootTimes: true), @"mtime=(\d+)\.\d+",
            m => long.Parse(m.Groups[1].Value) > New + 86_400 ? "mtime=RECENT" : m.Value);

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "same-dir/file.txt", "the same\n", OptionScenario.Old);
        OptionScenario.Write(root, "changing-dir/file.txt", "the sender's version\n", OptionScenario.Mid);
        OptionScenario.Write(root, "new-dir/file.txt", "new\n", OptionScenario.Mid);
        OptionScenario.Write(root, "top.txt", "top\n", OptionScenario.Old);
        await LinkAsync(root, "same-link", "top.txt", OptionScenario.Old);
        await LinkAsync(root, "retargeted-link", "same-dir/file.txt", OptionScenario.Old);
        await LinkAsync(root, "new-link", "top.txt", OptionScenario.Mid);
        foreach (string dir in new[] { "same-dir", "changing-dir", "new-dir", "." })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), OptionScenario.Old);
    }

    private static async Task WriteDestinationAsync(string root)
    {
        OptionScenario.Write(root, "same-dir/file.txt", "the same\n", OptionScenario.Old);
        OptionScenario.Write(root, "changing-dir/file.txt", "the receiver's older version\n", OptionScenario.Old);
        OptionScenario.Write(root, "top.txt", "top\n", OptionScenario.Old);
        OptionScenario.Write(root, "extra.txt", "only here\n", OptionScenario.Old);
        await LinkAsync(root, "same-link", "top.txt", OptionScenario.New);
        await LinkAsync(root, "retargeted-link", "top.txt", OptionScenario.New);
        foreach (string dir in new[] { "same-dir", "changing-dir", "." })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), OptionScenario.New);
    }

    // A symlink with a time of its own (touch -h), so that two preparations are equal entry for entry.
    private static async Task LinkAsync(string root, string name, string target, DateTime time)
    {
        string path = Path.Combine(root, name);
        File.CreateSymbolicLink(path, target);
        ProcessResult touch = await ToolProcess.RunAsync("touch", ["-h", "-d", time.ToString("yyyy-MM-dd HH:mm:ss") + "Z", path]);
        Assert.True(touch.ExitCode == 0, touch.Stderr);
    }
}
