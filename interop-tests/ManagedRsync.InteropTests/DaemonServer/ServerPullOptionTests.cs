using System.Globalization;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Options a stock client sends a daemon on a pull that stock 3.5.0's daemon accepts: --skip-compress=LIST (token.c:
/// the client's list reaches only compiled-out code; a module's "dont compress" with a "*" word deflates zlib and zlibx
/// at level 0), --ignore-missing-args and --delete-missing-args (flist.c: send_file_list), and --files-from (the list
/// over the socket as "--files-from=- --from0", or a list file in the module as "--files-from FILE"; every name
/// sanitized). Stock's client pulling from `rsync --daemon` and from `mrsync daemon` with the same rsyncd.conf: exit
/// code, output, the errors' causes, the tree; a canary outside the module is never sent.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed partial class ServerPullOptionTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private const int TextSize = 200_000;
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvpull-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        foreach (RsyncDaemonFixture d in Both)
        {
            foreach (string dir in (string[])[Mine(d, OptionModules.Writable), Mine(d, OptionModules.DontCompressAll), Canary(d)])
            {
                if (Directory.Exists(dir))
                    Directory.Delete(dir, recursive: true);
            }
        }
    }

    private string Mine(RsyncDaemonFixture d, string module) => Path.Combine(d.ModulePath(module), _id);

    // Outside the module, beside the daemon's modules directory; "lnk" in the module leads to it.
    private string Canary(RsyncDaemonFixture d) => Path.Combine(d.Root, "canary-" + _id);

    private string Local(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "stock" : "ours");

    // This test's tree in the module: compressible text, a .gz, a directory, a link out of the module, a list file.
    private void Seed(RsyncDaemonFixture d, string module)
    {
        string mine = Mine(d, module);
        Directory.CreateDirectory(Path.Combine(mine, "d"));
        Directory.CreateDirectory(Path.Combine(mine, "sub", "deep"));
        string line = string.Concat(Enumerable.Range(0, TextSize / 30).Select(i => string.Create(CultureInfo.InvariantCulture, $"line {i,8} of a compressible file\n")));
        File.WriteAllText(Path.Combine(mine, "one.txt"), line[..TextSize]);
        File.WriteAllText(Path.Combine(mine, "two.txt"), line[..TextSize]);
        File.WriteAllText(Path.Combine(mine, "d", "x.gz"), line[..TextSize]);
        File.WriteAllText(Path.Combine(mine, "d", "y"), "y\n");
        File.WriteAllText(Path.Combine(mine, "sub", "s1"), "s1\n");
        File.WriteAllText(Path.Combine(mine, "sub", "deep", "t"), "t\n");
        Directory.CreateDirectory(Canary(d));
        File.WriteAllText(Path.Combine(Canary(d), "secret"), "outside the module\n");
        File.CreateSymbolicLink(Path.Combine(mine, "lnk"), "../../../canary-" + _id);
        File.CreateSymbolicLink(Path.Combine(mine, "canlink"), "../../../canary-" + _id + "/secret");
        File.WriteAllText(Path.Combine(mine, "list.txt"), ListText('\n'));
        foreach (string p in Directory.GetFileSystemEntries(mine, "*", SearchOption.AllDirectories).Where(p => !new FileInfo(p).Attributes.HasFlag(FileAttributes.ReparsePoint)).Append(mine))
            File.SetLastWriteTimeUtc(p, Old);
    }

    // Names in and out of the module: '..' and absolute names are sanitized beneath the module (flist.c:
    // send_file_list, sanitize_path), a link out of the module is not followed; "#" is a comment in a list file only.
    // The names are relative to the module's root (see Files_from_below_the_module_root_is_refused).
    private string ListText(char end) => string.Join(end, (string[])
    [
        $"{_id}/one.txt", $"{_id}/d/y", $"../canary-{_id}/secret", $"/../../canary-{_id}/secret", $"{_id}/sub/./deep/t", $"{_id}/lnk/secret",
        $"{_id}/nope", "#not a comment over the socket", "",
    ]);

    public static TheoryData<string, string> Compressions => new()
    {
        { "zlib", OptionModules.Writable }, { "zlib", OptionModules.DontCompressAll },
        { "zlibx", OptionModules.Writable }, { "zlibx", OptionModules.DontCompressAll },
        { "zstd", OptionModules.Writable }, { "zstd", OptionModules.DontCompressAll },
        { "lz4", OptionModules.Writable }, { "lz4", OptionModules.DontCompressAll },
    };

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Skip_compress_on_a_pull_compresses_as_stocks_daemon_does(string codec, string module)
    {
        var received = new List<long>();
        foreach (RsyncDaemonFixture d in Both)
        {
            Seed(d, module);
            ProcessResult r = await d.RunRsyncAsync(["-r", "-z", "--zc=" + codec, "--skip-compress=txt/gz", "--stats",
                "--exclude=lnk", "--exclude=canlink", $"{d.Url}{module}/{_id}/", Local(d) + "/"]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Match m = Received().Match(r.Stdout);
            Assert.True(m.Success, r.ToString());
            received.Add(long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture));
        }
        // The client's list changes nothing; only a "*" in the module's list does, and only for zlib and zlibx: every
        // byte of the three large files then goes as stored deflate blocks. (Our deflate is zlib-ng's, so the
        // compressed figures differ from stock's zlib; which kind of figure it is does not.)
        bool stored = module == OptionModules.DontCompressAll && codec is "zlib" or "zlibx";
        foreach (long bytes in received)
            Assert.True(stored ? bytes > 3 * TextSize : bytes < TextSize, $"{codec} {module}: stock {received[0]}, ours {received[1]}");
        Assert.Equal(TreeSnapshot.Of(Local(stock), times: false), TreeSnapshot.Of(Local(ours), times: false));
    }

    public static TheoryData<string> MissingArgs => new() { "", "-v", "--ignore-missing-args", "-v --ignore-missing-args", "-v --delete-missing-args", "--delete-missing-args" };

    [Theory]
    [MemberData(nameof(MissingArgs))]
    public async Task A_missing_source_on_a_pull_is_what_stocks_daemon_makes_of_it(string options)
    {
        var runs = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            Seed(d, OptionModules.Writable);
            Directory.CreateDirectory(Local(d));
            File.WriteAllText(Path.Combine(Local(d), "nope"), "deleted with --delete-missing-args\n");
            string url = $"{d.Url}{OptionModules.Writable}/{_id}";
            runs.Add(await d.RunRsyncAsync([.. Words(options), "-rt", url + "/one.txt", url + "/nope", url + "/d", Local(d) + "/"]));
        }
        AssertSame(runs[0], runs[1], options.Contains("-missing-args", StringComparison.Ordinal) ? 0 : 23, times: false);
    }

    /// <summary>
    /// How a pull that ends with an error ends on the wire (main.c: read_final_goodbye sets shutting_down; cleanup.c:
    /// _exit_cleanup sends MSG_ERROR_EXIT only while !shutting_down): after the client's goodbye NDX_DONE the daemon
    /// sends nothing more, and stock's client prints its summary and exits 23 on what it was told before (MSG_IO_ERROR).
    /// Ours sent MSG_ERROR_EXIT there, and stock's receiver, when it read that before its generator's SIGUSR2, exited
    /// without the summary (about one run in seven under load; protocol-notes §89). Recorded through a relay, so the
    /// check does not wait for that race.
    /// </summary>
    [Fact]
    public async Task A_pull_with_errors_ends_after_the_goodbye_as_with_stocks_daemon()
    {
        var runs = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            Seed(d, OptionModules.Writable);
            await using var relay = new RecordingRelay(d.Port);
            string url = $"rsync://{d.Host}:{relay.Port}/{OptionModules.Writable}/{_id}";
            ProcessResult r = await d.RunRsyncAsync(["-rtv", url + "/one.txt", url + "/nope", Local(d) + "/"]);
            IReadOnlyList<(bool FromClient, byte[] Bytes)> chunks = await relay.RecordingAsync(TimeSpan.FromSeconds(20));
            int last = chunks.Select((c, i) => c.FromClient ? i : -1).Max();
            // The client's last bytes: MSG_DATA of one byte, NDX_DONE (io.c: write_ndx's 0 from protocol 30).
            Assert.True(last >= 0 && chunks[last].Bytes.AsSpan().EndsWith((byte[])[1, 0, 0, 7, 0]), $"{d.GetType().Name}\n{r}");
            byte[] after = [.. chunks.Skip(last + 1).SelectMany(c => c.Bytes)];
            Assert.True(after.Length == 0, $"{d.GetType().Name} sent {Convert.ToHexString(after)} after the goodbye\n{r}");
            Assert.Contains("\ntotal size is ", r.Stdout, StringComparison.Ordinal);
            runs.Add(r);
        }
        AssertSame(runs[0], runs[1], 23, times: false);
    }

    /// <summary>
    /// The rows: the client's options and its --files-from (FILE: the list on the client's side, with line breaks or
    /// NULs for -0; ":NAME": a file on the daemon's side, beneath the module), and the exit code. Every row's list
    /// names the canary outside the module three ways; none may reach it.
    /// </summary>
    public static TheoryData<string, string, int> FilesFromRows => new()
    {
        { "-a", "FILE", 23 },
        { "-av", "FILE", 23 },
        { "-ai", "FILE", 23 },
        { "-ar", "FILE", 23 },
        { "-av --no-R", "FILE", 23 },
        { "-av --ignore-missing-args", "FILE", 23 },
        { "-av -0", "FILE", 23 },
        { "-a", ":ID/list.txt", 23 },
        { "-av", ":/ID/list.txt", 23 },
        { "-av", ":/ID/nolist", 4 },
        // options.c: parse_arguments — the daemon's list file is opened beneath the module only: refused at start.
        { "-a", ":../../../canary-ID/secret", 4 },
        { "-a", ":canlink", 4 },
        { "-a", ":nolist", 4 },
    };

    [Theory]
    [MemberData(nameof(FilesFromRows))]
    public async Task Files_from_on_a_pull_sends_what_stocks_daemon_sends(string options, string list, int exit)
    {
        string listFile = Path.Combine(_work, "list");
        File.WriteAllText(listFile, ListText(options.Contains("-0", StringComparison.Ordinal) ? '\0' : '\n'));
        string from = list == "FILE" ? listFile : list.Replace("ID", _id, StringComparison.Ordinal);
        var runs = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            Seed(d, OptionModules.Writable);
            runs.Add(await d.RunRsyncAsync([.. Words(options), "--files-from=" + from, $"{d.Url}{OptionModules.Writable}/", Local(d) + "/"]));
        }
        AssertSame(runs[0], runs[1], exit);
        foreach (RsyncDaemonFixture d in Both)
        {
            Assert.Equal(["secret"], Directory.GetFileSystemEntries(Canary(d)).Select(Path.GetFileName));
            if (Directory.Exists(Local(d)))
                Assert.DoesNotContain(Directory.GetFiles(Local(d), "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("outside the module", StringComparison.Ordinal));
        }
        if (exit == 23)
            Assert.True(File.Exists(Path.Combine(Local(ours), options.Contains("--no-R", StringComparison.Ordinal) ? "t" : "deep/t")), runs[1].ToString());
    }

    /// <summary>
    /// A listed name the module's own rules exclude ("keep*/" in <see cref="OptionModules.Excluding"/>), at it or below
    /// it, is not there (flist.c: path_is_daemon_excluded, ENOENT; with --no-R its directory's change_dir fails the
    /// same way), and nothing below it is sent. Every name is checked by its own place in the module, as stock's sender
    /// checks it where it is (exclude.c: rule_matches): with -r --no-R, "ID/sub/secret" is no "/secret/" of the module's
    /// though "ID" is listed from the top too, and its contents are sent (EXTRA: more names, '|' between them).
    /// </summary>
    [Theory]
    [InlineData("-a", 23, "")]
    [InlineData("-ar", 23, "")]
    [InlineData("-a --no-R", 23, "")]
    [InlineData("-a --ignore-missing-args", 0, "")]
    [InlineData("-ar --no-R", 23, "ID|ID/sub/secret")]
    [InlineData("-ar --no-R --no-i-r", 23, "ID/sub/secret|ID/d")]
    public async Task Files_from_names_the_module_excludes_are_not_there(string options, int exit, string extra)
    {
        string listFile = Path.Combine(_work, "list");
        File.WriteAllText(listFile, $"{_id}/one.txt\n{_id}/keep1/x\n{_id}/keep1\n{_id}/keep1/\n{_id}/d\n"
            + string.Concat(extra.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Replace("ID", _id, StringComparison.Ordinal) + "\n")));
        var runs = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            string mine = Mine(d, OptionModules.Excluding);
            Directory.CreateDirectory(Path.Combine(mine, "keep1"));
            Directory.CreateDirectory(Path.Combine(mine, "d"));
            File.WriteAllText(Path.Combine(mine, "one.txt"), "one\n");
            File.WriteAllText(Path.Combine(mine, "keep1", "x"), "excluded by the module\n");
            File.WriteAllText(Path.Combine(mine, "d", "y"), "y\n");
            Directory.CreateDirectory(Path.Combine(mine, "sub", "secret"));
            File.WriteAllText(Path.Combine(mine, "sub", "secret", "t"), "t\n");
            runs.Add(await d.RunRsyncAsync([.. Words(options), "--files-from=" + listFile, $"{d.Url}{OptionModules.Excluding}/", Local(d) + "/"]));
        }
        try
        {
            AssertSame(runs[0], runs[1], exit, times: false);
            Assert.DoesNotContain(Directory.GetFiles(Local(ours), "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("excluded", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(Local(ours), options.Contains("--no-R", StringComparison.Ordinal) ? "one.txt" : $"{_id}/one.txt")), runs[1].ToString());
            if (extra.Length > 0)
                Assert.True(File.Exists(Path.Combine(Local(ours), "secret", "t")), runs[1].ToString());
        }
        finally
        {
            foreach (RsyncDaemonFixture d in Both)
                Directory.Delete(Mine(d, OptionModules.Excluding), recursive: true);
        }
    }

    /// <summary>
    /// Stock 3.5.0's daemon opens each file it sends by its listed name beneath the module's root (sender.c), while a
    /// --files-from name is relative to the source directory: pulled from a directory below the root, a name is
    /// "file has vanished" (exit 24), or, where the root has a file of that name, that file's data goes out under the
    /// listed name. Ours refuses such a pull at start, by name (exit 4).
    /// </summary>
    [Fact]
    public async Task Files_from_below_the_module_root_is_refused()
    {
        string listFile = Path.Combine(_work, "list");
        File.WriteAllText(listFile, "one.txt\nsub/deep/t\n");
        var runs = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            Seed(d, OptionModules.Writable);
            runs.Add(await d.RunRsyncAsync(["-a", "--files-from=" + listFile, $"{d.Url}{OptionModules.Writable}/{_id}/", Local(d) + "/"]));
        }
        Assert.True(runs[0].ExitCode == 24 && runs[0].Stderr.Contains($"file has vanished: \"/{_id}/one.txt\" (in wr)", StringComparison.Ordinal), runs[0].ToString());
        Assert.False(File.Exists(Path.Combine(Local(stock), "one.txt")));
        Assert.True(runs[1].ExitCode == 4, runs[1].ToString());
        Assert.Equal("rsync: The server does not support --files-from with a source directory below the module's root", runs[1].Stderr.Split('\n').First(l => l.Length > 0));
    }

    private static string[] Words(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // Exit code, output (times and rates masked), the errors' causes and the trees. A refusal at start is exit 4 from
    // ours; stock's daemon closes the socket right after it, and its client then sometimes reads a reset first and ends
    // with exit 10 (RefuseOptionsTests says the same).
    private void AssertSame(ProcessResult theirs, ProcessResult mine, int exit, bool times = true)
    {
        string explain = $"{theirs}\n{mine}";
        Assert.True(exit == 4 ? theirs.ExitCode is 4 or 10 : theirs.ExitCode == exit, explain);
        Assert.True(mine.ExitCode == exit, explain);
        // The summary too on an error row (A_pull_with_errors_ends_after_the_goodbye_as_with_stocks_daemon).
        Assert.True(Normalize(theirs.Stdout) == Normalize(mine.Stdout), explain);
        Assert.True(Causes(theirs.Stderr) == Causes(mine.Stderr), explain);
        if (exit == 4)
        {
            Assert.False(Directory.Exists(Local(ours)), explain);
            return;
        }
        Assert.Equal(TreeSnapshot.Of(Local(stock), times, rootTimes: false, directoryTimes: false), TreeSnapshot.Of(Local(ours), times, rootTimes: false, directoryTimes: false));
    }

    private string Normalize(string text) => Rates().Replace(
        DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root).Replace(_work, "WORK", StringComparison.Ordinal)
            .Replace("WORK/stock", "WORK/DEST", StringComparison.Ordinal).Replace("WORK/ours", "WORK/DEST", StringComparison.Ordinal), "RATE");

    // What each error line says went wrong, in order: "failed: CAUSE" (how a daemon names the path is a wording of its
    // own: stock's "NAME" (in MODULE), and a change_dir for a --no-R name's directory), and the refusal at start whole;
    // not stock's "rsync error: ... at FILE(LINE)" trailers nor the read error of the reset.
    private string Causes(string stderr) => string.Join('\n', Normalize(stderr).Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal) && !l.Contains("read error: Connection reset", StringComparison.Ordinal))
        .Select(l => l.Contains("failed to open files-from", StringComparison.Ordinal) ? l : l.Contains(" failed: ", StringComparison.Ordinal) ? l[l.IndexOf(" failed: ", StringComparison.Ordinal)..] : l));

    [GeneratedRegex(@"Total bytes received: ([\d,]+)")]
    private static partial Regex Received();

    [GeneratedRegex(@"sent [\d,]+ bytes  received [\d,]+ bytes  [\d,.]+ bytes/sec")]
    private static partial Regex Rates();
}
