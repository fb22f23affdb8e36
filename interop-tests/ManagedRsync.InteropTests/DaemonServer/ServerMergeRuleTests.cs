using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Merge rules a stock client sends in a daemon's own argument vector (-M--filter=RULE; options.c: OPT_FILTER,
/// exclude.c: parse_filter_file), and per-directory merge files on a daemon's side (protocol-notes §86). A '.' file is
/// read while the daemon parses its arguments, beneath the module (sanitized: "/x" and "../x" are MODULE/x); one that
/// cannot be opened ends the daemon there, before any protocol byte: its log says "failed to open exclude file NAME"
/// and the client sees the connection close (exit 12); so does a malformed rule. A ':' file is read in each directory,
/// beneath the module only: a link to another file of the module is followed ('.' files' too, syscall.c: ona_open), a
/// link to a file outside reads as absent (a canary outside the module must not be read). A bad rule read out of a file
/// is named by its file and line, never shown (exclude.c: rule_text).
/// Each run is a stock client against `rsync --daemon` and `mrsync daemon` serving the same rsyncd.conf.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerMergeRuleTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-mfilter-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d) => $"{d.Url}{OptionModules.Writable}/{_id}/";

    private string Local(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "stock" : "ours");

    // A file outside every module: its text must never reach a client, nor its rules act.
    private string Canary => Path.Combine(_work, "canary.rules");

    private static void Write(string root, string name, string text)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, Old);
    }

    // What each module holds: files the rules name, a root rules file, a per-directory one in sub/, and (LINKED) a
    // per-directory merge name at the top that is a symlink to the canary; sub/.inner is a symlink to sub/.rules (in
    // the module: followed).
    private void Seed(bool linked)
    {
        File.WriteAllText(Canary, "SECRET line\n- a\n");
        foreach (RsyncDaemonFixture d in Both)
        {
            string root = Mine(d);
            Write(root, "a", "a\n");
            Write(root, "b.tmp", "b\n");
            Write(root, "sub/s", "s\n");
            Write(root, "sub/x.tmp", "x\n");
            Write(root, "rules", "- *.tmp\n");
            Write(root, "sub/.rules", "- s\n");
            Write(root, "sub/.cvsignore", "x.tmp\n");
            // Bad rules whose text must never be shown: the place is (file and line, every line counted).
            Write(root, "bad", "- a\nx SECRET\n");
            Write(root, "sub/.bad", "- a\n\n# c\n-E SECRET\n");
            File.CreateSymbolicLink(Path.Combine(root, "sub", ".inner"), ".rules");
            // Links a '.' or ':' file may be named by (syscall.c: ona_open follows them while they stay in the module):
            // relative, absolute, through ".." and back; and one out of it (ELOOP).
            File.CreateSymbolicLink(Path.Combine(root, "rules-link"), "rules");
            File.CreateSymbolicLink(Path.Combine(root, "rules-abs"), Path.Combine(root, "rules"));
            File.CreateSymbolicLink(Path.Combine(root, "sub", "up-rules"), "../rules");
            File.CreateSymbolicLink(Path.Combine(root, "sub", ".absr"), Path.Combine(root, "sub", ".rules"));
            File.CreateSymbolicLink(Path.Combine(root, "outside-link"), Canary);
            if (linked)
                File.CreateSymbolicLink(Path.Combine(root, ".rules"), Canary);
            else
                Write(root, ".rules", "- b.tmp\n");
            foreach (string dir in Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root))
                Directory.SetLastWriteTimeUtc(dir, Old);
        }
    }

    private string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root)
        .Replace(Local(stock), "LOCAL", StringComparison.Ordinal).Replace(Local(ours), "LOCAL", StringComparison.Ordinal)
        .Replace(_work, "WORK", StringComparison.Ordinal);

    // The client's stderr without the "rsync error: ... at FILE(LINE)" line of the side that ended.
    private string Errors(string text) => string.Join('\n', Normalize(text).Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal)));

    // This test's log lines after MARK, without time, pid and the connection's opening lines; the closing "rsync error"
    // line without stock's source line and role (" at exclude.c(1719) [sender=3.5.0]"), which are not ours to copy.
    private string LogLines(RsyncDaemonFixture d, int mark) => string.Join('\n', Normalize(d.DaemonLogSince(mark)).Split('\n')
        .Select(l => Regex.Replace(l, @"^\S+ \S+ \[\d+\] ", ""))
        .Select(l => Regex.Replace(l, @"^(rsync error: .*\(code \d+\)) at \S+ \[\w+=[\d.]+\]$", "$1"))
        // The fixture's readiness probe (it connects and hangs up) ends in the socket's failure, logged as stock logs
        // it (io.c: safe_write, safe_read; RERR_STREAMIO) whenever the daemon gets to it: the first test after the
        // daemon starts may see it.
        .Where(l => l.Length > 0 && !l.StartsWith("connect from ", StringComparison.Ordinal)
            && !Regex.IsMatch(l, @"^rsync: \[Receiver\] safe_(write|read) failed to (write|read) \d+ bytes")
            && l != "rsync error: error in rsync protocol data stream (code 12)"
            && !l.StartsWith("rsync allowed access ", StringComparison.Ordinal)));

    private void AssertSame(ProcessResult s, ProcessResult o, string stockTree, string ourTree)
    {
        Assert.True(s.ExitCode == o.ExitCode, $"exit codes differ\n{s}\n{o}\n--- mrsync log ---\n{ours.DaemonLog}");
        Assert.Equal(Normalize(s.Stdout), Normalize(o.Stdout));
        Assert.Equal(Errors(s.Stderr), Errors(o.Stderr));
        // The absolute links the seed made point into each daemon's own module.
        stockTree = stockTree.Replace(Mine(stock), "MINE", StringComparison.Ordinal);
        ourTree = ourTree.Replace(Mine(ours), "MINE", StringComparison.Ordinal);
        Assert.True(stockTree == ourTree, $"trees differ\n{stockTree}\n{ourTree}");
        Assert.DoesNotContain("SECRET", s.Stderr + s.Stdout + o.Stderr + o.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A '.' merge file that cannot be opened, on a pull (the sending daemon) and a push (the receiving one): the
    /// client's "connection unexpectedly closed (0 bytes received so far)", exit 12, and the daemon's log line naming
    /// the file as exclude.c: parse_merge_name made it (a name without '/' as given, else beneath the module's path).
    /// A malformed rule ends it at the same point (options.c: parse_arguments, exclude.c: filter_rule_err, code 1),
    /// its text shown in the log when it is the vector's own, its file and line when it came out of a '.' file.
    /// Nothing is received.
    /// </summary>
    [Theory]
    [InlineData(true, "bogus rule")]
    [InlineData(false, "bogus rule")]
    [InlineData(false, "-$ a")]
    [InlineData(true, "merge")]
    [InlineData(true, ". /ID/bad")]
    [InlineData(false, ". ID/bad")]
    [InlineData(true, ". /nonexist-ID")]
    [InlineData(true, ". nonexist-ID")]
    [InlineData(true, "merge,+ ID/sub/../nonexist")]
    [InlineData(true, ". ../../outside-ID")]
    [InlineData(false, ". /nonexist-ID")]
    [InlineData(false, ". ../outside-ID")]
    [InlineData(false, "merge,+ nonexist-ID")]
    [InlineData(true, ". ID/outside-link")]
    public async Task A_merge_file_that_cannot_be_opened_or_a_malformed_rule_ends_the_daemon_before_setup_as_stocks(bool pull, string rule)
    {
        Seed(linked: false);
        string option = "-M--filter=" + rule.Replace("ID", _id, StringComparison.Ordinal);
        string src = Path.Combine(_work, "src");
        Write(src, "new", "n\n");
        int stockMark = stock.LogMark(), ourMark = ours.LogMark();
        ProcessResult s = await stock.RunRsyncAsync(pull ? ["-av", option, Url(stock), Local(stock) + "/"] : ["-av", "--delete", option, src + "/", Url(stock)]);
        ProcessResult o = await ours.RunRsyncAsync(pull ? ["-av", option, Url(ours), Local(ours) + "/"] : ["-av", "--delete", option, src + "/", Url(ours)]);
        AssertSame(s, o, TreeSnapshot.Of(Mine(stock), rootTimes: false, symlinkTimes: false), TreeSnapshot.Of(Mine(ours), rootTimes: false, symlinkTimes: false));
        Assert.Equal(12, o.ExitCode);
        Assert.Contains("connection unexpectedly closed (0 bytes received so far)", o.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Local(ours)));
        Assert.False(File.Exists(Path.Combine(Mine(ours), "new")));
        string stockLog = LogLines(stock, stockMark), ourLog = LogLines(ours, ourMark);
        Assert.True(stockLog == ourLog, $"logs differ\n{stockLog}\n---\n{ourLog}\n--- mrsync log ---\n{ours.DaemonLog}");
        bool malformed = !rule.Contains("nonexist", StringComparison.Ordinal) && !rule.Contains("outside", StringComparison.Ordinal);
        Assert.Contains(malformed ? "filter rule: " : "failed to open ", ourLog, StringComparison.Ordinal);
        Assert.Contains(malformed ? "rsync error: syntax or usage error (code 1)" : "rsync error: error in file IO (code 11)", ourLog, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", stockLog + ourLog, StringComparison.Ordinal);
        if (!malformed)
            Assert.Contains(pull ? "[sender]" : "[Receiver]", ourLog, StringComparison.Ordinal);
        Assert.DoesNotContain("rsync on ", ourLog, StringComparison.Ordinal);
        Assert.DoesNotContain("rsync to ", ourLog, StringComparison.Ordinal);
    }

    /// <summary>
    /// Merge files that exist, for the sending daemon (a pull): '.' beneath the module (a leading '/' or '..' stays in
    /// it), ':' read in each directory; a ':' name that is a symlink to a file outside the module reads as absent, its
    /// text never shown. The client's own ':' rule (sent in the filter list) is read the same way.
    /// </summary>
    [Theory]
    [InlineData(false, "-M--filter=. /ID/rules")]
    [InlineData(false, "-M--filter=. ID/sub/.rules")]
    [InlineData(false, "-M--filter=: .rules")]
    [InlineData(false, "-M--filter=dir-merge,- .rules")]
    [InlineData(false, "-M--filter=:C")]
    [InlineData(false, "-M--filter=: .inner")]
    [InlineData(false, "-M--filter=: .absr")]
    [InlineData(false, "-M--filter=. ID/rules-link")]
    [InlineData(false, "-M--filter=. ID/rules-abs")]
    [InlineData(false, "-M--filter=. /ID/sub/up-rules")]
    [InlineData(true, "-M--filter=: .rules")]
    [InlineData(true, "--filter=: .rules")]
    public async Task Merge_rules_for_the_sending_daemon_act_as_on_stocks(bool linked, string option)
    {
        Seed(linked);
        option = option.Replace("ID", _id, StringComparison.Ordinal);
        ProcessResult s = await stock.RunRsyncAsync(["-av", option, Url(stock), Local(stock) + "/"]);
        ProcessResult o = await ours.RunRsyncAsync(["-av", option, Url(ours), Local(ours) + "/"]);
        AssertSame(s, o, TreeSnapshot.Of(Local(stock), rootTimes: false, symlinkTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false, symlinkTimes: false));
        Assert.Equal(0, o.ExitCode);
    }

    /// <summary>
    /// Merge files that exist, for the receiving daemon (a push with --delete): a '.' file's rules keep names from
    /// deletion as the vector's own rules do (protocol-notes §82); a ':' file is read in each directory the generator
    /// deletes in, beneath the module only (a symlink to the canary reads as absent: its "- a" keeps nothing).
    /// </summary>
    [Theory]
    [InlineData(false, "-M--filter=. /ID/rules")]
    [InlineData(false, "-M--filter=. ../ID/rules")]
    [InlineData(false, "-M--filter=. ID/sub/.rules")]
    [InlineData(false, "-M--filter=: .rules")]
    [InlineData(false, "-M--filter=: /.rules")]
    [InlineData(false, "-M--filter=:C")]
    [InlineData(false, "-M--filter=: .inner")]
    [InlineData(false, "-M--filter=. ID/rules-link")]
    [InlineData(true, "-M--filter=: .rules")]
    [InlineData(true, "--filter=: .rules")]
    public async Task Merge_rules_for_the_receiving_daemon_act_as_on_stocks(bool linked, string option)
    {
        Seed(linked);
        option = option.Replace("ID", _id, StringComparison.Ordinal);
        string src = Path.Combine(_work, "src");
        Write(src, "sub/new", "n\n");
        File.SetLastWriteTimeUtc(Path.Combine(src, "sub"), Old);
        File.SetLastWriteTimeUtc(src, Old);
        ProcessResult s = await stock.RunRsyncAsync(["-av", "--delete", option, src + "/", Url(stock)]);
        ProcessResult o = await ours.RunRsyncAsync(["-av", "--delete", option, src + "/", Url(ours)]);
        AssertSame(s, o, TreeSnapshot.Of(Mine(stock), rootTimes: false, symlinkTimes: false), TreeSnapshot.Of(Mine(ours), rootTimes: false, symlinkTimes: false));
        Assert.Equal(0, o.ExitCode);
    }

    /// <summary>
    /// A bad rule in a per-directory merge file on the daemon's side (exclude.c 3.5.0: rule_text): the client and the
    /// log get "invalid modifier in filter rule: &lt;rule from /MODULE/ID/sub/.bad line 4&gt;" (every line counted), never
    /// the text, and exit 1: on a pull from the sender listing sub/, on a push from the generator deleting in it.
    /// Where the transfer stood when it ended is timing (stock's client may or may not have made its destination), so
    /// the lines that name the rule are compared, with the exit code.
    /// </summary>
    [Theory]
    [InlineData(true, "-M--filter=: .bad")]
    [InlineData(true, "--filter=: .bad")]
    [InlineData(false, "-M--filter=: .bad")]
    public async Task A_bad_rule_in_a_daemons_merge_file_is_named_by_its_place_as_stocks(bool pull, string option)
    {
        Seed(linked: false);
        string src = Path.Combine(_work, "src");
        Write(src, "sub/new", "n\n");
        int ourMark = ours.LogMark();
        ProcessResult s = await stock.RunRsyncAsync(pull ? ["-av", option, Url(stock), Local(stock) + "/"] : ["-av", "--delete", option, src + "/", Url(stock)]);
        ProcessResult o = await ours.RunRsyncAsync(pull ? ["-av", option, Url(ours), Local(ours) + "/"] : ["-av", "--delete", option, src + "/", Url(ours)]);
        string Named(ProcessResult r) => string.Join('\n', Normalize(r.Stderr).Split('\n').Where(l => l.Contains("filter rule", StringComparison.Ordinal)));
        Assert.True(s.ExitCode == o.ExitCode, $"exit codes differ\n{s}\n{o}");
        Assert.Equal(1, o.ExitCode);
        Assert.Equal(Named(s), Named(o));
        Assert.Equal($"invalid modifier in filter rule: <rule from ROOT/modules/{OptionModules.Writable}/{_id}/sub/.bad line 4>", Named(o));
        Assert.DoesNotContain("SECRET", s.Stderr + s.Stdout + o.Stderr + o.Stdout + ours.DaemonLogSince(ourMark), StringComparison.Ordinal);
    }
}
