using ManagedRsync.Cli.Commands;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

public sealed class JournalAndBatchingTests : IDisposable
{
    private readonly TempTree _dir = new();

    public void Dispose() => _dir.Dispose();

    private static KeyValuePair<RawPath, PendingOp> Op(string path, PendingOp op) => new(RawPath.FromText(path), op);

    [Fact]
    public void JournalReplaysAndDropsATornTail()
    {
        string path = _dir["t.journal"];
        using (var j = new ChangeJournal(path))
        {
            j.Append(false, [Op("a", PendingOp.Send), Op("b", PendingOp.Send)]);
            j.Append(false, [Op("a", PendingOp.Delete), Op("dir", PendingOp.SendTree)]);
        }
        long whole = new FileInfo(path).Length;
        using (var f = new FileStream(path, FileMode.Append))
            f.Write([9, 0, 0, 0, 1, 2]); // a crash mid-append
        var pending = new Dictionary<RawPath, PendingOp>();
        using (var j = new ChangeJournal(path))
            Assert.False(j.Load(pending));
        Assert.Equal(whole, new FileInfo(path).Length);
        Assert.Equal(PendingOp.Delete, pending[RawPath.FromText("a")]);
        Assert.Equal(PendingOp.Send, pending[RawPath.FromText("b")]);
        Assert.Equal(PendingOp.SendTree, pending[RawPath.FromText("dir")]);
    }

    [Fact]
    public void JournalRejectsACorruptRecordAndKeepsRawBytes()
    {
        string path = _dir["c.journal"];
        RawPath raw = RawPath.FromBytes([0xff, (byte)'\n', (byte)'x']);
        using (var j = new ChangeJournal(path))
            j.Append(true, [new(raw, PendingOp.Send), Op("later", PendingOp.Send)]);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x55; // corrupt the last record's payload: its CRC no longer matches
        File.WriteAllBytes(path, bytes);
        var pending = new Dictionary<RawPath, PendingOp>();
        using (var j = new ChangeJournal(path))
            Assert.True(j.Load(pending));
        Assert.Equal([raw], pending.Keys);
    }

    [Fact]
    public void RewriteCompactsToThePendingSet()
    {
        string path = _dir["r.journal"];
        using (var j = new ChangeJournal(path))
        {
            for (int i = 0; i < 100; i++)
                j.Append(false, [Op("f" + i, PendingOp.Send)]);
            j.Rewrite(false, [Op("only", PendingOp.Delete)]);
            j.Append(false, [Op("after", PendingOp.Send)]);
        }
        var pending = new Dictionary<RawPath, PendingOp>();
        using (var j = new ChangeJournal(path))
            j.Load(pending);
        Assert.Equal(["after", "only"], pending.Keys.Select(k => k.Text).Order());
    }

    [Fact]
    public void CoalescerMergesPerPathAndHoldsFilesStillOpen()
    {
        var batches = new List<(bool Full, List<KeyValuePair<RawPath, PendingOp>> Items)>();
        var c = new ChangeCoalescer(new CoalescerOptions { Delay = TimeSpan.FromMilliseconds(10), MaxOpenWait = TimeSpan.FromSeconds(100) },
            (full, items) => batches.Add((full, items)));
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("a"), false));
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("a"), false));
        c.Add(new WatchChange(ChangeKind.Writing, RawPath.FromText("open"), false));
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("gone/x"), false));
        c.Add(new WatchChange(ChangeKind.Deleted, RawPath.FromText("gone"), true));
        c.Add(new WatchChange(ChangeKind.Deleted, RawPath.FromText("re"), false));
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("re"), true));
        long now = Environment.TickCount64 + 1000; // past the quiet window
        c.CutIfDue(now, force: false);
        var items = Assert.Single(batches).Items.ToDictionary(kv => kv.Key.Text, kv => kv.Value);
        Assert.Equal(new Dictionary<string, PendingOp> { ["a"] = PendingOp.Send, ["gone"] = PendingOp.Delete, ["re"] = PendingOp.SendTree }, items);
        Assert.Equal(1, c.Depth); // "open" waits for IN_CLOSE_WRITE
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("open"), false));
        c.CutIfDue(now + 1000, force: false);
        Assert.Equal("open", Assert.Single(batches[1].Items).Key.Text);
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("b"), false));
        c.Add(new WatchChange(ChangeKind.FullRescan, RawPath.Root, true));
        c.CutIfDue(now + 2000, force: false);
        Assert.True(batches[2].Full);
        Assert.Empty(batches[2].Items);
    }

    [Fact]
    public void FirstCompleteChangeAfterAQuietWindowIsCutAtOnce()
    {
        var batches = new List<List<KeyValuePair<RawPath, PendingOp>>>();
        var c = new ChangeCoalescer(new CoalescerOptions { Delay = TimeSpan.FromMilliseconds(10), MaxOpenWait = TimeSpan.FromSeconds(5) },
            (_, items) => batches.Add(items));
        long t0 = Environment.TickCount64;
        // Right after the start: the window applies.
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("early"), false), t0 + 1);
        Assert.True(c.CutIfDue(t0 + 2, force: false) > 0);
        Assert.Empty(batches);
        c.CutIfDue(t0 + 12, force: false);
        Assert.Equal("early", Assert.Single(batches[0]).Key.Text);

        // After 10 ms of quiet a complete change goes at once; the next, within the window, waits for it.
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("a"), false), t0 + 100);
        c.CutIfDue(t0 + 100, force: false);
        Assert.Equal("a", Assert.Single(batches[1]).Key.Text);
        c.Add(new WatchChange(ChangeKind.Deleted, RawPath.FromText("b"), false), t0 + 101);
        Assert.True(c.CutIfDue(t0 + 102, force: false) > 0);
        Assert.Equal(2, batches.Count);
        c.CutIfDue(t0 + 111, force: false);
        Assert.Equal(PendingOp.Delete, Assert.Single(batches[2]).Value);

        // A file just created may still be written: it starts the batch when its close arrives.
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("new"), false, Created: true), t0 + 200);
        Assert.True(c.CutIfDue(t0 + 200, force: false) > 0);
        c.Add(new WatchChange(ChangeKind.Writing, RawPath.FromText("new"), false), t0 + 201);
        Assert.True(c.CutIfDue(t0 + 201, force: false) > 0);
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("new"), false), t0 + 202);
        c.CutIfDue(t0 + 202, force: false);
        Assert.Equal("new", Assert.Single(batches[3]).Key.Text);

        // Created and never closed (a hard link, a fifo): sent after the window, as before.
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("link"), false, Created: true), t0 + 300);
        Assert.True(c.CutIfDue(t0 + 305, force: false) > 0);
        c.CutIfDue(t0 + 310, force: false);
        Assert.Equal("link", Assert.Single(batches[4]).Key.Text);
    }

    [Fact]
    public void FileThatNeverClosesIsSentAfterTheBound()
    {
        var batches = new List<List<KeyValuePair<RawPath, PendingOp>>>();
        var c = new ChangeCoalescer(new CoalescerOptions { Delay = TimeSpan.FromMilliseconds(10), MaxOpenWait = TimeSpan.FromSeconds(2) },
            (_, items) => batches.Add(items));
        c.Add(new WatchChange(ChangeKind.Writing, RawPath.FromText("log"), false));
        long t0 = Environment.TickCount64;
        c.CutIfDue(t0 + 500, force: false);
        Assert.Empty(batches);
        c.CutIfDue(t0 + 2500, force: false);
        Assert.Equal("log", Assert.Single(Assert.Single(batches)).Key.Text);
    }

    [Fact]
    public void ConfigFileInTheSpiritOfRsyncdConf()
    {
        string path = _dir["watch.conf"];
        File.WriteAllText(path, """
            # comment
            source = /data
            state dir = /var/lib/x
            delay = 75ms
            max_delay = 2s
            exclude = *.swp .cache/
            filter = - /top/*.tmp

            [backup]
            dest = rsync_backup@172.16.1.41::nfsbackup
            password file = /etc/rsync.password
            options = -az --delete

            [mirror]
            dest = /srv/mirror
            """);
        WatchConfig c = WatchConfig.Load(path);
        Assert.Equal("/data", c.Source);
        Assert.Equal(TimeSpan.FromMilliseconds(75), c.Delay);
        Assert.Equal(TimeSpan.FromSeconds(2), c.MaxDelay);
        Assert.Equal([new(FilterOptionKind.Exclude, "*.swp"), new(FilterOptionKind.Exclude, ".cache/"), new(FilterOptionKind.Filter, "- /top/*.tmp")], c.Filters);
        Assert.Equal(2, c.Targets.Count);
        Assert.Equal(["-az", "--delete"], c.Targets[0].RsyncOptions);
        Assert.Equal("/etc/rsync.password", c.Targets[0].PasswordFile);
        Assert.False(c.Targets[1].Delete);
        File.WriteAllText(path, "bogus key = 1\n");
        RsyncException ex = Assert.Throws<RsyncException>(() => WatchConfig.Load(path));
        Assert.Contains(":1:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WatchFilterFollowsRsyncRules()
    {
        var c = new WatchConfig { Source = _dir.Root };
        foreach (string p in new[] { "*.tmp", "/top-only", "build/", "a/**/z" })
            c.Filters.Add(new(FilterOptionKind.Exclude, p));
        c.Filters.Add(new(FilterOptionKind.Include, "keep.log"));
        c.Filters.Add(new(FilterOptionKind.Filter, "- *.log"));
        Func<RawPath, bool, bool> g = c.BuildFilter().CreatePredicate();
        Assert.True(g(RawPath.FromText("x/y/file.tmp"), false));
        Assert.True(g(RawPath.FromText("top-only"), false));
        Assert.False(g(RawPath.FromText("sub/top-only"), false));
        Assert.True(g(RawPath.FromText("src/build"), true));
        Assert.False(g(RawPath.FromText("src/build"), false));
        Assert.True(g(RawPath.FromText("a/b/c/z"), false));
        Assert.False(g(RawPath.FromText("file.tmpx"), false));
        Assert.False(g(RawPath.FromText("d/keep.log"), false));
        Assert.True(g(RawPath.FromText("d/other.log"), false));
    }

    [Fact]
    public void UnreadableDirectoriesAreHiddenFromPushesAndProtectedOnTheReplica()
    {
        var c = new WatchConfig { Source = _dir.Root };
        c.Filters.Add(new(FilterOptionKind.Include, "*"));
        WatchFilter f = c.BuildFilter();
        Assert.Same(f.List, f.Current());
        f.SetDenied(RawPath.FromText("a/lo*ck"), true);
        FilterList now = f.Current();
        // In front of the user's "+ *", so they win; the wildcard in the name is escaped.
        var wire = now.GetWireRules(32, localIsSender: true, deleteMode: true)!.Select(System.Text.Encoding.UTF8.GetString).ToList();
        Assert.Contains(@"-r /a/lo\*ck/", wire); // protect travels as a receiver-side exclude (exclude.c: get_rule_prefix)
        FilterMatcher sender = now.CreateMatcher(FilterSide.Sender);
        Assert.True(sender.IsExcluded("a/lo*ck", isDirectory: true));
        Assert.False(sender.IsExcluded("a/loXck", isDirectory: true));
        Assert.True(now.CreateMatcher(FilterSide.Receiver).IsExcluded("a/lo*ck", isDirectory: true));
        f.SetDenied(RawPath.FromText("a/lo*ck"), false);
        Assert.Same(f.List, f.Current());
    }

    [Fact]
    public void DoctorCountsTheWatchesATreeNeeds()
    {
        Directory.CreateDirectory(_dir["t/a/b"]);
        Directory.CreateDirectory(_dir["t/c"]);
        File.WriteAllText(_dir["t/a/f"], "");
        File.CreateSymbolicLink(_dir["t/link"], "/usr");
        var o = new StringWriter();
        int rc = DoctorCommand.Run(["--backend", "inotify", _dir["t"]], o);
        string text = o.ToString();
        Assert.Contains("backend inotify", text, StringComparison.Ordinal);
        Assert.Contains("max_user_watches", text, StringComparison.Ordinal);
        Assert.Contains("max_user_instances", text, StringComparison.Ordinal);
        Assert.Contains("max_queued_events", text, StringComparison.Ordinal);
        Assert.Contains("4 directories, 2 other entries -> needs 4 watches", text, StringComparison.Ordinal);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void DoctorSaysWhichBackendWatchWouldUse()
    {
        // As root (CI) the temp directory's file system takes a fanotify mark; ramfs cannot (no file handles).
        Directory.CreateDirectory(_dir["t/a"]);
        var o = new StringWriter();
        Assert.Equal(0, DoctorCommand.Run([_dir["t"]], o));
        Assert.Contains("backend auto -> fanotify (one file-system mark on ", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("max_user_marks", o.ToString(), StringComparison.Ordinal);

        using ScratchMount ramfs = ScratchMount.Of("ramfs");
        o = new StringWriter();
        Assert.Equal(0, DoctorCommand.Run([ramfs.Point], o));
        Assert.Contains("backend auto -> inotify, not fanotify: the ramfs file system does not give the file handles", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 directories, 0 other entries -> needs 1 watches", o.ToString(), StringComparison.Ordinal);
        o = new StringWriter();
        Assert.Equal(1, DoctorCommand.Run(["--backend=fanotify", ramfs.Point], o));
        Assert.Contains("backend fanotify is not possible", o.ToString(), StringComparison.Ordinal);
    }
}
