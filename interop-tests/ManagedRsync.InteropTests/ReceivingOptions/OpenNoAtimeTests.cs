using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.Platform;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --open-noatime beside stock rsync 3.5.0 doing the same: a push to the stock daemon (our sender opens the files it
/// sends and the directories it lists with O_NOATIME; the option is sent to the daemon as options.c server_options
/// sends it), a pull from it (sent to the daemon's sender) and a local copy (both halves). Every entry of the source
/// and of the destination starts with an access time older than its modification time, which a plain read would move
/// to now (relatime); each side gets its own copy of both. The access times after the run (the scenario's, or RECENT),
/// the destination tree, -i/-v output, first stderr line and exit code must be stock's. A run as a user who does not own
/// the source (EPERM: stock does not fall back to a plain open) fails as stock's does.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class OpenNoAtimeTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-noatime-").FullName;

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _work]).GetAwaiter().GetResult();

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -i", "-a -i --open-noatime", "-a -i -c --open-noatime", "-a -i --open-noatime --no-open-noatime",
        "-av --open-noatime --delete --no-W", "-rlt -i --open-noatime --inplace -I --no-W");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        // Each run reads its own source (in the module for a pull): a read by one must not show in the other's.
        string stockSource = places.Source + "-stock", oursSource = places.Source + "-ours";
        foreach (string source in new[] { stockSource, oursSource })
            WriteSource(source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            WriteDestination(Path.Combine(root, "dest"));
        await AgeAccessTimesAsync(stockSource, oursSource, Path.Combine(places.StockRoot, "dest"), Path.Combine(places.OursRoot, "dest"));

        string From(string which) => places.From() is var from && places.Pull
            ? from.Replace("/src/", $"/src-{which}/", StringComparison.Ordinal) : Path.Combine(places.Source + "-" + which) + "/";
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, From("stock"), places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, From("ours"), places.To(stock: false)]);

        // The access times first: a snapshot reads every file.
        string sourceTimes = AccessTimes(oursSource);
        Assert.Equal(AccessTimes(stockSource), sourceTimes);
        string destTimes = AccessTimes(Path.Combine(places.OursRoot, "dest"));
        Assert.Equal(AccessTimes(Path.Combine(places.StockRoot, "dest")), destTimes);
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == 0 && ours.ExitCode == 0, "exit codes\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(OptionScenario.Output(stock, places.StockRoot).Replace("-stock", "", StringComparison.Ordinal),
            OptionScenario.Output(ours, places.OursRoot).Replace("-ours", "", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Snapshot(Path.Combine(places.StockRoot, "dest")), OptionScenario.Snapshot(Path.Combine(places.OursRoot, "dest")));

        // What the option is there for: without it the files sent were read and their access times moved.
        bool noAtime = options.Contains("--open-noatime", StringComparison.Ordinal) && !options.Contains("--no-open-noatime", StringComparison.Ordinal);
        Assert.True(noAtime != sourceTimes.Contains("new.txt RECENT", StringComparison.Ordinal), sourceTimes);
        // And the destination's files read for a checksum (-c) or as the basis written in place (--inplace) likewise
        // (any other file written is a new one, with an access time of its own).
        if (options.Contains("--inplace", StringComparison.Ordinal) || options.Contains("-c", StringComparison.Ordinal))
            Assert.True(noAtime != destTimes.Contains((options.Contains("-c", StringComparison.Ordinal) ? "same.txt" : "changed.txt") + " RECENT", StringComparison.Ordinal), destTimes);
    }

    [Fact]
    public async Task Without_the_right_to_it_the_open_fails_as_stocks_does()
    {
        Assert.True(Environment.UserName == "root", "the test needs root: it runs both clients as nobody over files root owns");
        File.SetUnixFileMode(_work, (UnixFileMode)Convert.ToInt32("777", 8));
        foreach (string which in new[] { "stock", "ours" })
        {
            WriteSource(Path.Combine(_work, "src-" + which));
            foreach (string entry in Directory.EnumerateFileSystemEntries(Path.Combine(_work, "src-" + which), "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(entry, (UnixFileMode)Convert.ToInt32(Directory.Exists(entry) ? "755" : "644", 8));
        }
        async Task<ProcessResult> RunAsync(string which, string program, string[] options) =>
            await ToolProcess.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", program, .. options,
                Path.Combine(_work, "src-" + which) + "/", Path.Combine(_work, string.Join("", options) + "-" + which) + "/"]);
        foreach (string[] options in new[] { new[] { "-rt", "--open-noatime" }, ["-t", "--open-noatime", "-d"] })
        {
            ProcessResult stock = await RunAsync("stock", "rsync", options);
            ProcessResult ours = await RunAsync("ours", MrsyncDaemonFixture.Executable, options);
            Assert.True(stock.ExitCode == ours.ExitCode, $"exit codes differ\n{stock}\n{ours}");
            Assert.Equal(23, ours.ExitCode);
            string Plain(ProcessResult r, string which) => string.Join('\n', r.Stderr.Replace("-" + which, "", StringComparison.Ordinal).Split('\n')
                .Where(l => !l.StartsWith("rsync error:", StringComparison.Ordinal) && !l.StartsWith("mrsync error:", StringComparison.Ordinal)))
                .Replace("mrsync:", "rsync:", StringComparison.Ordinal);
            Assert.Equal(Plain(stock, "stock"), Plain(ours, "ours"));
            Assert.Contains("Operation not permitted (1)", ours.Stderr, StringComparison.Ordinal);
            Assert.Equal(TreeSnapshot.Of(Path.Combine(_work, string.Join("", options) + "-stock"), rootTimes: false),
                TreeSnapshot.Of(Path.Combine(_work, string.Join("", options) + "-ours"), rootTimes: false));
        }
    }

    // sender.c: send_files — a file the sender may not read (EACCES, not the O_NOATIME case above) is reported with
    // the errno's words and number, the rest is sent, exit 23; before, mrsync printed .NET's untranslated resource key.
    [Fact]
    public async Task A_file_the_sender_may_not_read_is_reported_as_stock_reports_it()
    {
        Assert.True(Environment.UserName == "root", "the test needs root: it runs both clients as nobody over files root owns");
        File.SetUnixFileMode(_work, (UnixFileMode)Convert.ToInt32("777", 8));
        var results = new Dictionary<string, ProcessResult>();
        foreach ((string which, string program) in new[] { ("stock", "rsync"), ("ours", MrsyncDaemonFixture.Executable) })
        {
            string src = Path.Combine(_work, "unreadable-src");
            if (Directory.Exists(src))
                Directory.Delete(src, recursive: true);
            WriteSource(src);
            foreach (string entry in Directory.EnumerateFileSystemEntries(src, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(entry, (UnixFileMode)Convert.ToInt32(Directory.Exists(entry) ? "755" : "644", 8));
            File.SetUnixFileMode(Path.Combine(src, "sub", "inner.txt"), (UnixFileMode)Convert.ToInt32("600", 8));
            results[which] = await ToolProcess.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", program, "-rt",
                src + "/", Path.Combine(_work, "unreadable-" + which) + "/"]);
        }
        ProcessResult stock = results["stock"], ours = results["ours"];
        Assert.True(stock.ExitCode == ours.ExitCode, $"exit codes differ\n{stock}\n{ours}");
        Assert.Equal(23, ours.ExitCode);
        static string Plain(ProcessResult r) => string.Join('\n', r.Stderr.Split('\n')
            .Where(l => !l.StartsWith("rsync error:", StringComparison.Ordinal) && !l.StartsWith("mrsync error:", StringComparison.Ordinal)))
            .Replace("mrsync:", "rsync:", StringComparison.Ordinal);
        Assert.Equal(Plain(stock), Plain(ours));
        Assert.Contains("/sub/inner.txt\": Permission denied (13)", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(TreeSnapshot.Of(Path.Combine(_work, "unreadable-stock"), rootTimes: false),
            TreeSnapshot.Of(Path.Combine(_work, "unreadable-ours"), rootTimes: false));
    }

    internal static void WriteSource(string root)
    {
        OptionScenario.Write(root, "same.txt", "the same on both sides\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "the sender's version, longer than the receiver's\n", OptionScenario.Mid);
        OptionScenario.Write(root, "new.txt", "only on the sender\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/inner.txt", "inner, new\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    internal static void WriteDestination(string root)
    {
        OptionScenario.Write(root, "same.txt", "the same on both sides\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "the receiver's older version\n", OptionScenario.Old);
        OptionScenario.Write(root, "extra/gone.txt", "only on the receiver\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "extra"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    // Every entry's access time one second after the epoch (older than any modification time, so that relatime updates
    // it on a read), its modification time kept.
    internal static async Task AgeAccessTimesAsync(params string[] roots)
    {
        foreach (string root in roots)
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            {
                ProcessResult touch = await ToolProcess.RunAsync("touch", ["-a", "-h", "-d", "@1", entry]);
                Assert.True(touch.ExitCode == 0, touch.Stderr);
            }
        }
    }

    // Each entry's name and access time: AGED (still as AgeAccessTimesAsync left it) or RECENT (moved by a read).
    internal static string AccessTimes(string root)
    {
        var text = new StringBuilder();
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root).Order(StringComparer.Ordinal))
        {
            Assert.Equal(0, NativeStat.TryLstat(entry, out NativeStat.Info st));
            string name = entry == root ? "." : Path.GetRelativePath(root, entry);
            // A file the run wrote anew has an access time of its own (the run's, or the sender's with -U): not a read.
            text.Append(name).Append(st.ATime <= 1 ? " AGED" : " RECENT").Append('\n');
        }
        return Regex.Replace(text.ToString(), "(?m)^$\n", "");
    }
}
