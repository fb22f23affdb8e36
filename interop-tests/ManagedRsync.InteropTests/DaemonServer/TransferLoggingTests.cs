using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// rsyncd.conf "transfer logging" with the default "log format" and with one that has %i (log.c: log_item,
/// maybe_log_item and log_delete with FLOG): the lines `mrsync daemon` writes to its log file for pushes, pulls and
/// deletions must be stock's, side by side with `rsync --daemon` serving the same config. Only the byte counts of the
/// closing "sent N bytes  received N bytes" line are masked: they count each implementation's own wire bytes.
/// </summary>
[Collection(ModuleParameterCollection.Name)]
public sealed partial class TransferLoggingTests(StockParameterDaemonFixture stock, MrsyncParameterDaemonFixture ours) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-xferlog-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Modules => [ParameterModules.TransferLog, ParameterModules.TransferLogItemized];

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task A_push_with_deletions_logs_what_stock_logs(string module)
    {
        string src = SourceTree();
        foreach (RsyncDaemonFixture d in Both)
        {
            string old = Path.Combine(d.ModulePath(module), _id, "old");
            Directory.CreateDirectory(old);
            File.WriteAllText(Path.Combine(old, "z"), "gone");
        }
        await AssertSameLogAsync(d => ["-a", "--delete", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);

        // A changed file and a directory whose time moved: with %i the unchanged-but-touched entries are logged too.
        File.AppendAllText(Path.Combine(src, "a"), "more");
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "sub"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await AssertSameLogAsync(d => ["-a", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);

        // Into a subdirectory of the module: %f is the path beneath the module ("ID/deeper/." for the top).
        await AssertSameLogAsync(d => ["-a", src + "/sub/", $"{d.Url}{module}/{_id}/deeper/"], ordered: false);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task A_pull_logs_each_file_sent_as_stock_does(string module)
    {
        string src = SourceTree();
        foreach (RsyncDaemonFixture d in Both)
        {
            var push = await d.RunRsyncAsync(["-a", src + "/", $"{d.Url}{module}/{_id}/"]);
            Assert.True(push.ExitCode == 0, push.ToString());
            Directory.CreateDirectory(Local(d, ""));
        }
        await AssertSameLogAsync(d => ["-a", $"{d.Url}{module}/{_id}/", Local(d, "whole") + "/"], ordered: true);
        await AssertSameLogAsync(d => ["-a", $"{d.Url}{module}/{_id}/sub", Local(d, "part") + "/"], ordered: true);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task A_dry_run_logs_no_entries(string module)
    {
        string src = SourceTree();
        string lines = await AssertSameLogAsync(d => ["-a", "-n", "--delete", src + "/", $"{d.Url}{module}/{_id}/"], ordered: true);
        Assert.DoesNotContain("recv", lines);
        Assert.DoesNotContain("++", lines);
        Assert.Contains("receiving file list", lines);
    }

    // log.c %C on a daemon: the whole-file transfer checksum of each file sent or received, with -c the file list's
    // checksum of every regular file logged (main.c: start_server's sender_keeps_checksum), blanks as wide as the
    // session's checksum for the rest and for deletions (csum_len_for_type: 16 spaces with xxh64).
    public static TheoryData<string[]> ChecksumRuns =>
    [
        [],
        ["-c"],
        ["--checksum-choice=xxh64"],
        ["--checksum-choice=md5", "-c"],
        ["--checksum-choice=sha1"],
        // The file list's sums in the second kind (checksum.c: file_sum_nni), as long as it is (flist.c: flist_csum_len),
        // also below protocol 30.
        ["--checksum-choice=md5,xxh64", "-c"],
        ["--protocol=29", "--checksum-choice=xxh3", "-c"],
    ];

    [Theory]
    [MemberData(nameof(ChecksumRuns))]
    public async Task C_shows_the_checksum_stock_logs(string[] options)
    {
        const string module = ParameterModules.TransferLogChecksum;
        string src = SourceTree();
        foreach (RsyncDaemonFixture d in Both)
        {
            string old = Path.Combine(d.ModulePath(module), _id, "old");
            Directory.CreateDirectory(old);
            File.WriteAllText(Path.Combine(old, "z"), "gone");
        }
        await AssertSameLogAsync(d => [.. options, "-a", "--delete", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);
        // A changed file beside unchanged ones: with -c every regular file's list checksum is shown where %i logs it.
        File.AppendAllText(Path.Combine(src, "a"), "more");
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "sub"), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await AssertSameLogAsync(d => [.. options, "-a", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Local(d, ""));
        string lines = await AssertSameLogAsync(d => [.. options, "-a", $"{d.Url}{module}/{_id}/", Local(d, "pulled") + "/"], ordered: true);
        Assert.Matches(@"send \[[0-9a-f]{16,40}\] ", lines);
    }

    // log.c %b and %c on a daemon (io.c: total_data_written / total_data_read between remember_initial_stats and the
    // file's end): what the server's side wrote and read of each file's transfer, compressed bytes with -z.
    public static TheoryData<string[]> ByteRuns => [.. ChecksumRuns, ["-z"], ["--zc=zstd"], ["--protocol=29"]];

    [Theory]
    [MemberData(nameof(ByteRuns))]
    public async Task B_and_c_show_the_bytes_stock_logs(string[] options)
    {
        const string module = ParameterModules.TransferLogBytes;
        string src = SourceTree();
        File.WriteAllBytes(Path.Combine(src, "big"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray());
        string pushed = await AssertSameLogAsync(d => [.. options, "-a", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);
        Assert.Matches(@"recv [1-9]\d* 0 [^\n]*big", pushed);
        // A delta: the big file changed in the middle.
        using (FileStream f = File.OpenWrite(Path.Combine(src, "big")))
        {
            f.Position = 150_000;
            f.Write("changed in the middle"u8);
        }
        File.SetLastWriteTimeUtc(Path.Combine(src, "big"), new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await AssertSameLogAsync(d => [.. options, "-a", src + "/", $"{d.Url}{module}/{_id}/"], ordered: false);
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Local(d, ""));
        await AssertSameLogAsync(d => [.. options, "-a", $"{d.Url}{module}/{_id}/", Local(d, "pulled") + "/"], ordered: true);
        File.WriteAllText(Path.Combine(src, "a"), "a new a");
        foreach (RsyncDaemonFixture d in Both)
            File.SetLastWriteTimeUtc(Path.Combine(Local(d, "pulled"), "big"), new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        string delta = await AssertSameLogAsync(d => [.. options, "-a", "--no-W", $"{d.Url}{module}/{_id}/", Local(d, "pulled") + "/"], ordered: true);
        // The sender's %b is what it wrote (tokens), its %c the block sums it read: both more than nothing here (with -c
        // the contents match, and only the time is set).
        if (!options.Contains("-c"))
            Assert.Matches(@"send [1-9]\d* [1-9]\d* [^\n]*big", delta);
    }

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Local(RsyncDaemonFixture d, string name) => Path.Combine(_work, d == stock ? "stock" : "ours", name);

    // A file, a nested file, a symlink and a directory.
    private string SourceTree()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "sub", "deep"));
        File.WriteAllText(Path.Combine(src, "a"), "hello");
        File.WriteAllText(Path.Combine(src, "sub", "b"), "there, a longer one");
        File.WriteAllText(Path.Combine(src, "sub", "deep", "c"), new string('c', 5000));
        File.CreateSymbolicLink(Path.Combine(src, "ln"), "a");
        foreach (string p in Directory.GetFileSystemEntries(src, "*", SearchOption.AllDirectories).Append(src))
            File.SetLastWriteTimeUtc(p, new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        return src;
    }

    // Runs stock's client against both daemons and compares what each daemon logged about that connection from its
    // file list on; returns our lines.
    private async Task<string> AssertSameLogAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args, bool ordered)
    {
        var logs = new List<List<string>>();
        foreach (RsyncDaemonFixture d in Both)
        {
            int mark = d.LogMark();
            ProcessResult r = await d.RunRsyncAsync(args(d));
            Assert.True(r.ExitCode == 0, r + "\n--- log ---\n" + d.DaemonLogSince(mark));
            logs.Add(await LinesAfterAsync(d, mark));
        }
        string Shown(List<string> l) => string.Join('\n', l);
        if (ordered)
        {
            Assert.Equal(Shown(logs[0]), Shown(logs[1]));
        }
        else
        {
            // Stock's generator (deletions) and receiver (received files) are two processes writing one log: between
            // the first and the last line, compare the lines, not their interleaving.
            Assert.Equal(logs[0][0], logs[1][0]);
            Assert.Equal(logs[0][^1], logs[1][^1]);
            Assert.Equal(Shown(logs[0].Order(StringComparer.Ordinal).ToList()), Shown(logs[1].Order(StringComparer.Ordinal).ToList()));
        }
        return Shown(logs[1]);
    }

    // The connection's lines from "building/receiving file list" to the totals, without time and pid; the totals'
    // byte counts masked. The log is written as the connection ends: wait for its last line.
    private static async Task<List<string>> LinesAfterAsync(RsyncDaemonFixture d, int mark)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            List<string> lines = d.DaemonLogSince(mark).Split('\n')
                .Select(l => Prefix().Replace(l, ""))
                .SkipWhile(l => l is not ("receiving file list" or "building file list"))
                .Where(l => l.Length > 0)
                .Select(l => Totals().Replace(l, "sent N bytes  received N bytes  total size $1"))
                .ToList();
            if (lines.Count > 0 && lines[^1].StartsWith("sent N bytes", StringComparison.Ordinal))
                return lines;
            Assert.True(DateTime.UtcNow < deadline, "the daemon logged no totals for the connection:\n" + d.DaemonLogSince(mark));
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\d+\] ")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^sent \d+ bytes  received \d+ bytes  total size (\d+)$")]
    private static partial Regex Totals();
}
