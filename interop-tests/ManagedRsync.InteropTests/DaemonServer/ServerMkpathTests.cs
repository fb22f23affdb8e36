using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// --mkpath from a stock client pushing into a daemon (options.c: server_options sends it to a receiving server):
/// stock's daemon makes the destination's missing parents before it enters it (main.c: get_local_name, util1.c:
/// make_path through syscall.c: do_mkdir_at, each mkdirat at a parent opened beneath the module), says "created N
/// directories for PATH" with -v or -i (FINFO: to the client and its log), only counts them in a dry run, and fails
/// with "mkdir PATH (in MODULE) failed" and exit 11 when a file or a link out of the module is on the way. Stock's
/// client into `rsync --daemon` and into `mrsync daemon` serving the same rsyncd.conf (<see cref="OptionModules"/>):
/// exit code, client output and errors, the daemon's lines about the destination, the module's tree; a canary
/// directory outside the module, reached by a link inside it, must stay as it was.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed partial class ServerMkpathTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvmkpath-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        foreach (RsyncDaemonFixture d in Both)
        {
            if (Directory.Exists(Canary(d)))
                Directory.Delete(Canary(d), recursive: true);
        }
    }

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    // Outside the module, beside the daemon's modules directory: reached from this test's directory by the same
    // relative link text in either daemon's tree.
    private string Canary(RsyncDaemonFixture d) => Path.Combine(d.Root, "canary-" + _id);

    private string CanaryLink => "../../../canary-" + _id;

    /// <summary>
    /// The rows: options, the source below the tree ("/" for its contents, "/small.txt" for a lone file), the
    /// destination below this test's directory in the module (a URL path, before the daemon sanitizes it), and whether
    /// the push fails (exit 11). In the module: "have" (a directory), "blocker" (a file), "in" (a link to "have"), "out"
    /// (a link to the canary outside the module, which holds "there").
    /// </summary>
    public static TheoryData<string, string, string, int> Rows => new()
    {
        { "-a", "/", "new/a/b/", 0 },
        { "-a", "/", "new/a/b", 0 },
        { "-av", "/", "new/a/b", 0 },
        { "-ai", "/", "new/a/b/", 0 },
        { "-a --info=name1", "/", "new/a/b/", 0 },
        { "-ai", "/", "have/x/y", 0 },
        { "-ai", "/small.txt", "new/a/file", 0 },
        { "-ai", "/small.txt", "new/a/", 0 },
        { "-ain", "/", "new/a/b/", 0 },
        { "-avn", "/small.txt", "new/a/file", 0 },
        // A link inside the module is followed (stock's secure walk follows in-tree links).
        { "-ai", "/", "in/x/y/", 0 },
        // A '..' never climbs: the daemon sanitizes the path first (clientserver.c: rsync_module, sanitize_path).
        { "-ai", "/", "../../ID/up/x/", 0 },
        // A file on the way: make_path's mkdirat fails, RERR_FILEIO: ENOTDIR when it is the parent, ELOOP when it is
        // further up (syscall.c: secure_relative_open turns a non-directory before the last component into ELOOP).
        { "-ai", "/", "blocker/x/y/", 11 },
        { "-ai", "/small.txt", "blocker/x/file", 11 },
        // A link out of the module on the way: never followed (ELOOP), nothing made in the canary.
        { "-ai", "/", "out/new/deeper/", 11 },
        { "-ai", "/small.txt", "out/new/file", 11 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_stock_client_pushing_with_mkpath_gets_what_stocks_daemon_does(string options, string leaf, string dest, int exit)
    {
        string src = Source();
        foreach (RsyncDaemonFixture d in Both)
            Seed(d);
        var runs = new List<(ProcessResult Run, List<string> Log)>();
        foreach (RsyncDaemonFixture d in Both)
        {
            int mark = d.LogMark();
            string path = dest.StartsWith("../", StringComparison.Ordinal) ? dest.Replace("ID", _id, StringComparison.Ordinal) : $"{_id}/{dest}";
            ProcessResult r = await d.RunRsyncAsync([.. options.Split(' '), "--mkpath", src + leaf, $"{d.Url}{OptionModules.Writable}/{path}"]);
            runs.Add((r, await DestinationLinesAsync(d, mark)));
        }
        (ProcessResult theirs, List<string> theirLog) = runs[0];
        (ProcessResult mine, List<string> myLog) = runs[1];
        string explain = $"{theirs}\n{mine}\n--- stock log ---\n{string.Join('\n', theirLog)}\n--- mrsync log ---\n{string.Join('\n', myLog)}";
        Assert.True(theirs.ExitCode == exit && mine.ExitCode == exit, explain);
        Assert.True(Normalize(theirs.Stdout) == Normalize(mine.Stdout), explain);
        Assert.True(Errors(theirs.Stderr) == Errors(mine.Stderr), explain);
        Assert.True(string.Join('\n', theirLog) == string.Join('\n', myLog), explain);
        Assert.Equal(TreeSnapshot.Of(Mine(stock), rootTimes: false, symlinkTimes: false, directoryTimes: false), TreeSnapshot.Of(Mine(ours), rootTimes: false, symlinkTimes: false, directoryTimes: false));
        foreach (RsyncDaemonFixture d in Both)
            Assert.Equal(["there"], Directory.GetFileSystemEntries(Canary(d)).Select(Path.GetFileName));
        // What the rows are for: the line is there with -v, -i or --info=name1 when something was (or would be) made.
        bool says = exit == 0 && options != "-a";
        Assert.Equal(says, mine.Stdout.Contains(" for ", StringComparison.Ordinal) && mine.Stdout.Contains("created ", StringComparison.Ordinal));
        if (options.Split(' ')[0].Contains('n'))
            Assert.False(Directory.Exists(Path.Combine(Mine(ours), "new")));
    }

    // This test's directory in each module, with its time set (the two were made at different moments).
    private void Seed(RsyncDaemonFixture d)
    {
        string mine = Mine(d);
        Directory.CreateDirectory(Path.Combine(mine, "have"));
        File.WriteAllText(Path.Combine(mine, "blocker"), "a file, not a directory\n");
        File.CreateSymbolicLink(Path.Combine(mine, "in"), "have");
        Directory.CreateDirectory(Path.Combine(Canary(d), "there"));
        File.CreateSymbolicLink(Path.Combine(mine, "out"), CanaryLink);
        foreach (string p in (string[])[Path.Combine(mine, "have"), Path.Combine(mine, "blocker"), mine])
            File.SetLastWriteTimeUtc(p, Old);
    }

    private string Source()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "small.txt"), "small\n");
        File.WriteAllText(Path.Combine(src, "sub", "b.txt"), "in a subdirectory\n");
        foreach (string p in Directory.GetFileSystemEntries(src, "*", SearchOption.AllDirectories).Append(src))
            File.SetLastWriteTimeUtc(p, Old);
        return src;
    }

    private string Normalize(string text) =>
        DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root).Replace(_work, "WORK", StringComparison.Ordinal);

    // The error lines but stock's "rsync error: ... at FILE(LINE)" trailers and the read error of the reset.
    private string Errors(string text) => string.Join('\n', Normalize(text).Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal)
            && !l.Contains("read error: Connection reset", StringComparison.Ordinal)));

    // What the daemon logged about the destination for this connection: "created ..." and the errors ("rsync: ..."),
    // without time and pid. The log is written as the connection ends: wait for its last line.
    private static async Task<List<string>> DestinationLinesAsync(RsyncDaemonFixture d, int mark)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            string since = d.DaemonLogSince(mark);
            bool ended = since.Contains(" total size ", StringComparison.Ordinal) || since.Contains("rsync error: ", StringComparison.Ordinal)
                || since.Contains("rsync: [Receiver] ", StringComparison.Ordinal);
            if (ended || DateTime.UtcNow > deadline)
            {
                // One more moment for the lines that follow the first.
                await Task.Delay(200);
                return [.. d.DaemonLogSince(mark).Split('\n').Select(l => Prefix().Replace(l, ""))
                    .Where(l => l.StartsWith("created ", StringComparison.Ordinal) || l.StartsWith("rsync: ", StringComparison.Ordinal))];
            }
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\d+\] ")]
    private static partial Regex Prefix();
}
