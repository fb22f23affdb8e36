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

    /// <summary>
    /// A push into a directory the module does not have yet: stock's receiving server makes it (main.c: get_local_name,
    /// one mkdir) and, with -v, -i or --info=name1 (INFO_GTE(NAME, 1) or stdout_format_has_i), says "created directory
    /// ID" (a dry run says it and makes nothing). The line goes to the client as MSG_INFO before any entry's, and, as every
    /// line a daemon's server says (log.c: rwrite calls logit when am_daemon), into the daemon's log after "receiving
    /// file list", with transfer logging on or off; so do, with -v and a log format without %i, the generator's lines
    /// for what it makes ("DIR/", "LINK -> TARGET": FLOG, generator.c: generate_files). (--mkpath into a daemon:
    /// <see cref="ServerMkpathTests"/>.) Stock's client into `mrsync daemon` beside stock's daemon: the
    /// client's output line for line (byte counts masked), the daemon's lines (the entries' as a set between the first
    /// line and the totals, <see cref="AssertSameLogAsync"/>), the tree.
    /// </summary>
    [Theory]
    [InlineData("-a", ParameterModules.TransferLogItemized)]
    [InlineData("-av", ParameterModules.TransferLogItemized)]
    [InlineData("-ai", ParameterModules.TransferLogItemized)]
    [InlineData("-a --info=name1", ParameterModules.TransferLog)]
    [InlineData("-a --out-format=%n", ParameterModules.TransferLog)]
    [InlineData("-av --no-i-r", ParameterModules.Plain)]
    [InlineData("-avn", ParameterModules.TransferLogItemized)]
    public async Task A_push_into_a_missing_directory_says_and_logs_what_stocks_daemon_does(string options, string module)
    {
        string src = SourceTree();
        var outputs = new List<string>();
        string lines = await AssertSameLogAsync(d => [.. options.Split(' '), src + "/", $"{d.Url}{module}/{_id}/"], ordered: false,
            (d, run) => outputs.Add(Pull.StockOutput.Normalize(run.Stdout, src)));
        Assert.Equal(outputs[0], outputs[1]);
        string letters = options.Split(' ')[0];
        string[] dests = [.. Both.Select(d => Path.Combine(d.ModulePath(module), _id))];
        if (letters.Contains('n'))
            Assert.All(dests, d => Assert.False(Directory.Exists(d)));
        else
            Assert.Equal(LocalCopy.TreeSnapshot.Of(dests[0], rootTimes: false), LocalCopy.TreeSnapshot.Of(dests[1], rootTimes: false));
        // What the rows are for: the line is there exactly where stock's rule says, in the log and the output alike.
        string said = $"created directory {_id}";
        bool says = letters.Contains('v') || letters.Contains('i') || options.Contains("name1", StringComparison.Ordinal);
        Assert.Equal(says, lines.Contains(said, StringComparison.Ordinal));
        Assert.Equal(says, outputs[1].Contains(said, StringComparison.Ordinal));
    }

    /// <summary>
    /// Below protocol 29 no item flags travel, and stock's receiving daemon says what its generator makes itself
    /// ("DIR/", "LINK -> TARGET") with another code (generator.c: generate_files): FCLIENT, to the client only, when
    /// its log format has %i (it itemizes itself) or in a dry run; FINFO otherwise, to the client and its log (log.c:
    /// rwrite when am_daemon). Stock's client at --protocol=28 and 27 into `mrsync daemon` beside stock's daemon: the
    /// client's lines (as a set: the generator's lines come as messages while the client sends), the daemon's lines,
    /// the tree; and that the lines are there as the rule says.
    /// </summary>
    [Theory]
    [InlineData("--protocol=28 -av", ParameterModules.Plain)]
    [InlineData("--protocol=27 -av", ParameterModules.TransferLog)]
    [InlineData("--protocol=28 -av", ParameterModules.TransferLogItemized)]
    [InlineData("--protocol=27 -avi", ParameterModules.TransferLog)]
    [InlineData("--protocol=28 -avn", ParameterModules.TransferLog)]
    [InlineData("--protocol=27 -avn", ParameterModules.TransferLogItemized)]
    [InlineData("--protocol=28 -a", ParameterModules.TransferLog)]
    public async Task Below_protocol_29_a_daemons_generator_says_what_it_makes_as_stocks_does(string options, string module)
    {
        string src = SourceTree();
        var outputs = new List<string>();
        string lines = await AssertSameLogAsync(d => [.. options.Split(' '), src + "/", $"{d.Url}{module}/{_id}/"], ordered: false,
            (d, run) => outputs.Add(string.Join('\n', Pull.StockOutput.Normalize(run.Stdout, src).Split('\n').Order(StringComparer.Ordinal))));
        Assert.Equal(outputs[0], outputs[1]);
        bool dry = options.Contains("-avn", StringComparison.Ordinal);
        string[] dests = [.. Both.Select(d => Path.Combine(d.ModulePath(module), _id))];
        if (!dry)
            Assert.Equal(LocalCopy.TreeSnapshot.Of(dests[0], rootTimes: false), LocalCopy.TreeSnapshot.Of(dests[1], rootTimes: false));
        // What the rows are for: with -v the client sees "sub/" and "ln -> a"; the log has them only under FINFO.
        bool verbose = options.Contains('v');
        Assert.Equal(verbose, outputs[1].Contains("sub/deep/\n", StringComparison.Ordinal) && outputs[1].Contains("ln -> a", StringComparison.Ordinal));
        bool logged = verbose && !dry && module != ParameterModules.TransferLogItemized;
        Assert.Equal(logged, lines.Split('\n').Contains("sub/deep/"));
    }

    /// <summary>
    /// An absolute -R source without "/./" (issue 16, protocol-notes §70): stock's sender lists its names with their
    /// leading '/' (flist.c: send_file_list), which a daemon without chroot drops as it reads them (recv_file_entry:
    /// sanitize_path) and a chrooted one after sorting (flist_sort_and_clean with strip_root). What a peer sees of the
    /// '/' would be bytes alone, and the daemon's totals for one command line vary from run to run: what is compared is
    /// what is determined, mrsync's client beside stock's pushing into stock's daemon: the daemon's lines for the
    /// connection (totals masked), the tree, the client's lines. With --files-from the list's lines lose their '/' in
    /// the sender (send_file_list: sanitize_path): no name has one.
    /// </summary>
    [Theory]
    [InlineData("-aR")]
    [InlineData("-aR --no-implied-dirs")]
    [InlineData("-aRi --stats")]
    [InlineData("-aRv --no-implied-dirs --stats")]
    [InlineData("-ai --stats --files-from=LIST")]
    public async Task Mrsyncs_absolute_relative_push_sends_what_stocks_client_sends(string options)
    {
        string src = OrderFreeTree();
        string[] args = AbsoluteRelativeArgs(options, src);
        var theirs = await PushAbsoluteAsync(stock, mrsync: false, args, src);
        var mine = await PushAbsoluteAsync(stock, mrsync: true, args, src);
        Assert.Equal(theirs.Log, mine.Log);
        Assert.Equal(theirs.Tree, mine.Tree);
        Assert.Equal(Pull.StockOutput.Normalize(theirs.Run.Stdout, src), Pull.StockOutput.Normalize(mine.Run.Stdout, src));
        Assert.Equal(theirs.Run.Stderr, mine.Run.Stderr);
        // Not the bytes: the totals the daemon logs for one command line of stock's own client vary from run to run
        // (320, 305 and 321 bytes received seen for -aR; the multiplexed frames follow the timing of the writes), so the
        // '/' (a byte or so) cannot be told from them.
    }

    /// <summary>
    /// Stock's client pushing an absolute -R source into `mrsync daemon` beside stock's daemon: our receiving server
    /// takes the names without their '/' as stock's daemon does (it refused them as unsafe names before). The lines
    /// logged (totals masked: each daemon counts its own bytes), the tree and the client's output must be the same.
    /// </summary>
    [Theory]
    [InlineData("-aR")]
    [InlineData("-aRi --stats")]
    [InlineData("-aRi --no-i-r")]
    public async Task Stocks_absolute_relative_push_is_taken_as_stocks_daemon_takes_it(string options)
    {
        string src = OrderFreeTree();
        string[] args = AbsoluteRelativeArgs(options, src);
        var intoStock = await PushAbsoluteAsync(stock, mrsync: false, args, src);
        var intoOurs = await PushAbsoluteAsync(ours, mrsync: false, args, src);
        Assert.Equal(intoStock.Log, intoOurs.Log);
        Assert.Equal(intoStock.Tree, intoOurs.Tree);
        Assert.Equal(Pull.StockOutput.Normalize(intoStock.Run.Stdout, src), Pull.StockOutput.Normalize(intoOurs.Run.Stdout, src));
        Assert.Equal(intoStock.Run.Stderr, intoOurs.Run.Stderr);
    }

    // The options, then the source: the tree's absolute path, or "/" with a --files-from list naming its files by
    // their absolute paths.
    private string[] AbsoluteRelativeArgs(string options, string src)
    {
        string list = Path.Combine(_work, "list");
        File.WriteAllText(list, $"{src}/d/f\n{src}/d/g\n");
        bool filesFrom = options.Contains("--files-from", StringComparison.Ordinal);
        return [.. options.Replace("LIST", list, StringComparison.Ordinal).Split(' '), filesFrom ? "/" : src];
    }

    // A tree whose file list has the same bytes in whatever order a sender lists a directory's entries (stock's in
    // readdir order, mrsync's sorted; a name shares its prefix with the one before it): one directory holding two files
    // of one size, time and mode whose names differ in their last byte.
    private string OrderFreeTree()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "d", "f"), "the same length");
        File.WriteAllText(Path.Combine(src, "d", "g"), "the same length");
        foreach (string p in Directory.GetFileSystemEntries(src, "*", SearchOption.AllDirectories).Append(src))
            File.SetLastWriteTimeUtc(p, new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        return src;
    }

    // One push of the source into ID/ of the %i/%n module, which is not there before the run (with -i or -v the
    // daemon makes it and says "created directory ID" to the client and its log): the daemon's lines for the
    // connection (totals masked), the bytes it received, the tree, the client's result. The implied parents (/tmp
    // and down) have the times they have when each run reads them (other processes change /tmp's): a directory's %M is
    // masked in the log, and the tree is compared without directory times but for the source's own part.
    private async Task<(List<string> Log, long Received, string Tree, ProcessResult Run)> PushAbsoluteAsync(RsyncDaemonFixture d,
        bool mrsync, string[] args, string src)
    {
        const string module = ParameterModules.TransferLogItemized;
        string dest = Path.Combine(d.ModulePath(module), _id);
        if (Directory.Exists(dest))
            Directory.Delete(dest, recursive: true);
        int mark = d.LogMark();
        string[] all = [.. args, $"{d.Url}{module}/{_id}/"];
        ProcessResult r = mrsync ? await d.RunMrsyncAsync(all) : await d.RunRsyncAsync(all);
        Assert.True(r.ExitCode == 0, r + "\n--- log ---\n" + d.DaemonLogSince(mark));
        List<string> lines = await LinesAfterAsync(d, mark, maskTotals: false);
        long received = long.Parse(ReceivedTotal().Match(lines[^1]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        List<string> log = [.. lines.Select(l => DirectoryTime().Replace(Totals().Replace(l, "sent N bytes  received N bytes  total size $1"), "${1}TIME"))];
        string tree = LocalCopy.TreeSnapshot.Of(dest, rootTimes: false, directoryTimes: false) + LocalCopy.TreeSnapshot.Of(dest + src);
        return (log, received, tree, r);
    }

    [GeneratedRegex(@"^([c.]d\S* .*?)\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d")]
    private static partial Regex DirectoryTime();

    [GeneratedRegex(@"^sent \d+ bytes  received (\d+) bytes")]
    private static partial Regex ReceivedTotal();

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
    // file list on; returns our lines. Each client's run goes to seen, if given.
    private async Task<string> AssertSameLogAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args, bool ordered,
        Action<RsyncDaemonFixture, ProcessResult>? seen = null)
    {
        var logs = new List<List<string>>();
        foreach (RsyncDaemonFixture d in Both)
        {
            int mark = d.LogMark();
            ProcessResult r = await d.RunRsyncAsync(args(d));
            Assert.True(r.ExitCode == 0, r + "\n--- log ---\n" + d.DaemonLogSince(mark));
            seen?.Invoke(d, r);
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
    // byte counts masked unless asked not to. The log is written as the connection ends: wait for its last line.
    private static async Task<List<string>> LinesAfterAsync(RsyncDaemonFixture d, int mark, bool maskTotals = true)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            List<string> lines = d.DaemonLogSince(mark).Split('\n')
                .Select(l => Prefix().Replace(l, ""))
                .SkipWhile(l => l is not ("receiving file list" or "building file list"))
                .Where(l => l.Length > 0)
                .Select(l => maskTotals ? Totals().Replace(l, "sent N bytes  received N bytes  total size $1") : l)
                .ToList();
            if (lines.Count > 0 && lines[^1].StartsWith("sent ", StringComparison.Ordinal) && lines[^1].Contains(" total size ", StringComparison.Ordinal))
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
