using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -A/--acls with mrsync as the client, beside stock rsync 3.5.0 doing the same (acls.c: send_acl / receive_acl, the
/// access ACL of every entry but a symlink and a directory's default ACL after each file-list entry; set_acl_fdat on
/// the receiving side; the 'a' column of -i): a push into the stock daemon, a pull from it and a local copy of one
/// tree of named users and groups, masks and default ACLs (<see cref="AclTrees"/>), then a second run after the ACLs
/// alone changed. getfacl's dumps of both results, the -i output and the exit code must be equal; with and without
/// incremental recursion (the names travel in the entries, or in the id lists after the list) and --numeric-ids.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class AclTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-acls-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (string way in new[] { "push", "pull", "local" })
        {
            foreach (string options in new[] { "-aiA", "-aiA --no-inc-recursive", "-aiA --numeric-ids", "-rlDtiA", "-aiHA", "-aiHA --no-inc-recursive" })
                rows.Add(way, options);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Gives_stocks_acls_itemizing_and_exit_code(string way, string options)
    {
        var (source, from, stockDest, oursDest, stockTo, oursTo) = PlacesFor(way, root => AclTrees.Write(root));
        string[] args = options.Split(' ');

        // (Compared with stock's result, not the source: a new sticky directory's group entry ends with none there.)
        await RunBothAsync([.. args, from], stockTo, oursTo, stockDest, oursDest);
        Assert.Contains("# file: named\n", AclTrees.Dump(oursDest));

        // The ACLs alone change: 'a' (and 'p' where the mask moved the mode) as stock itemizes them.
        AclTrees.Change(source);
        string changed = await RunBothAsync([.. args, from], stockTo, oursTo, stockDest, oursDest);
        Assert.Contains("a. named", changed);

        // Nothing left to do.
        await RunBothAsync([.. args, from], stockTo, oursTo, stockDest, oursDest);
    }

    [Theory]
    [InlineData("push")]
    [InlineData("pull")]
    [InlineData("local")]
    public async Task Below_protocol_30_is_refused_as_stock_refuses_it_except_in_a_local_copy(string way)
    {
        var (_, from, stockDest, oursDest, stockTo, oursTo) = PlacesFor(way, root => AclTrees.Write(root));

        ProcessResult stock = await daemon.RunRsyncAsync(["-aiA", "--protocol=29", from, stockTo]);
        ProcessResult ours = await daemon.RunMrsyncAsync(["-aiA", "--protocol=29", from, oursTo]);
        Assert.True(stock.ExitCode == ours.ExitCode, daemon.Explain(stock, ours));
        if (way == "local")
        {
            Assert.Equal(0, ours.ExitCode);
            Assert.Equal(AclTrees.Dump(stockDest), AclTrees.Dump(oursDest));
        }
        else
        {
            Assert.Equal(2, ours.ExitCode);
            Assert.Contains("--acls requires protocol 30 or higher (negotiated 29).", ours.Stderr);
            Assert.Contains("--acls requires protocol 30 or higher (negotiated 29).", stock.Stderr);
        }
    }

    [Fact]
    public async Task A_pull_into_a_fake_super_tree_keeps_the_acls_in_xattrs_as_stock()
    {
        string id = Guid.NewGuid().ToString("N");
        AclTrees.Write(Path.Combine(daemon.ModulePath(DaemonModules.Open), id));
        string from = $"{daemon.Url}{DaemonModules.Open}/{id}/";
        string stockDest = Path.Combine(_work, "stock"), oursDest = Path.Combine(_work, "ours");
        // (Without times: stock's fake-super receiver does not always set a fake symlink's, protocol-notes §45.)
        await RunBothAsync(["-aiA", "--fake-super", from], stockDest + "/", oursDest + "/", stockDest, oursDest, times: false);
        string xattrs = AclTrees.FakeSuperAcls(oursDest);
        Assert.Equal(AclTrees.FakeSuperAcls(stockDest), xattrs);
        Assert.Contains("user.rsync.%dacl", xattrs);
        // Pushed with --fake-super into a module (a real receiver), each client's sender sends what the xattrs say:
        // the module gets the ACLs stock's push gives it (the original's, but a new sticky directory's group entry).
        string module = daemon.ModulePath(DaemonModules.Open);
        ProcessResult s = await daemon.RunRsyncAsync(["-aA", "--fake-super", stockDest + "/", $"{daemon.Url}{DaemonModules.Open}/{id}-stock-back/"]);
        ProcessResult o = await daemon.RunMrsyncAsync(["-aA", "--fake-super", oursDest + "/", $"{daemon.Url}{DaemonModules.Open}/{id}-ours-back/"]);
        Assert.True(s.ExitCode == 0 && o.ExitCode == 0, daemon.Explain(s, o));
        string back = AclTrees.Dump(Path.Combine(module, $"{id}-ours-back"));
        Assert.Equal(AclTrees.Dump(Path.Combine(module, $"{id}-stock-back")), back);
        Assert.Contains("user:nobody:rw-", back);
    }

    /// <summary>
    /// Without -p (and without -A) a new entry keeps what its parent's default ACL allows, not what the umask does
    /// (acls.c: default_perms_for_dir, rsync.c: dest_mode): a pull and a local copy into a destination that has one,
    /// with another for a subdirectory made in the run (inherited), beside stock.
    /// </summary>
    [Theory]
    [InlineData("pull", "-rti")]
    [InlineData("local", "-rti")]
    [InlineData("local", "-rti --no-inc-recursive")]
    [InlineData("local", "-rlDti --chmod=Fu+x")]
    public async Task Without_perms_a_new_entry_keeps_what_its_parents_default_acl_allows(string way, string options)
    {
        var (_, from, stockDest, oursDest, stockTo, oursTo) = PlacesFor(way, source =>
        {
            foreach (string f in new[] { "open.txt", "sub/tool", "sub/deeper/data" })
                LocalSource.Write(source, f, "content of " + f);
            File.SetUnixFileMode(Path.Combine(source, "open.txt"), (UnixFileMode)0x1B6); // 0666
            File.SetUnixFileMode(Path.Combine(source, "sub/tool"), (UnixFileMode)0x1ED); // 0755
            File.SetUnixFileMode(Path.Combine(source, "sub"), (UnixFileMode)0x1FF); // 0777
            LocalSource.SetTimes(source);
        });
        foreach (string dest in new[] { stockDest, oursDest })
        {
            Directory.CreateDirectory(dest);
            AclTrees.SetFacl("-d", "-m", "u::rwx,g::r-x,o::---,u:bin:rwx,m::rwx", dest);
        }

        await RunBothAsync([.. options.Split(' '), from], stockTo, oursTo, stockDest, oursDest);
        // 0666 less the default ACL's other bits: 0660 (0760 with u+x), where the umask (022) would have left 0644.
        var kept = (UnixFileMode)(options.Contains("--chmod", StringComparison.Ordinal) ? 0x1F0 : 0x1B0);
        Assert.Equal(kept, File.GetUnixFileMode(Path.Combine(oursDest, "open.txt")) & (UnixFileMode)0x1FF);
    }

    /// <summary>
    /// With -X an entry without a transfer whose xattrs differ gets its attributes set twice by stock: by the generator
    /// (the ACL first goes on without group and other access when a directory's sticky bit comes on or a file's setuid
    /// bit goes, acls.c: change_sacl_perms) and again by the receiver (receiver.c: recv_files calls set_file_attrs for
    /// ITEM_REPORT_XATTR), which finds the mode already changed and gives the group entry the mode's bits back: a new
    /// 1777 directory with a named entry and an xattr, and an up-to-date file that loses its setuid bit while its xattr
    /// changes, end with group::rwx where -A alone leaves group::--- (upstream variety's sticky directories).
    /// </summary>
    [Theory]
    [InlineData("pull", "-aiAX")]
    [InlineData("pull", "-aiAX --no-inc-recursive")]
    [InlineData("local", "-aiAX")]
    [InlineData("local", "-aiAX --no-inc-recursive")]
    [InlineData("push", "-aiAX")]
    public async Task With_xattrs_the_receiver_sets_an_entrys_acls_again_as_stocks_does(string way, string options)
    {
        var (source, from, stockDest, oursDest, stockTo, oursTo) = PlacesFor(way, root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "sticky"));
            File.SetUnixFileMode(Path.Combine(root, "sticky"), (UnixFileMode)Convert.ToInt32("1777", 8));
            AclTrees.SetFacl("-m", "u:bin:rwx", Path.Combine(root, "sticky"));
            File.WriteAllText(Path.Combine(root, "kept"), "kept");
            File.SetUnixFileMode(Path.Combine(root, "kept"), (UnixFileMode)Convert.ToInt32("775", 8));
            AclTrees.SetFacl("-m", "u:bin:rwx", Path.Combine(root, "kept"));
        });
        await XattrTrees.SetAsync(Path.Combine(source, "sticky"), "user.note", "sticky");
        await XattrTrees.SetAsync(Path.Combine(source, "kept"), "user.note", "new");
        foreach (string dest in new[] { stockDest, oursDest })
        {
            // The same file, setuid and with another xattr value.
            Directory.CreateDirectory(dest);
            File.WriteAllText(Path.Combine(dest, "kept"), "kept");
            File.SetUnixFileMode(Path.Combine(dest, "kept"), (UnixFileMode)Convert.ToInt32("4775", 8));
            await XattrTrees.SetAsync(Path.Combine(dest, "kept"), "user.note", "old");
        }
        foreach (string p in new[] { source, Path.Combine(source, "sticky"), Path.Combine(source, "kept"), Path.Combine(stockDest, "kept"), Path.Combine(oursDest, "kept") })
            File.SetLastWriteTimeUtc(p, AclTrees.Stamp);

        await RunBothAsync([.. options.Split(' '), from], stockTo, oursTo, stockDest, oursDest);
        string dump = AclTrees.Dump(oursDest);
        Assert.Contains("# file: sticky\n# owner: root\n# group: root\n# flags: --t\nuser::rwx\nuser:bin:rwx\ngroup::rwx\n", dump);
        Assert.Contains("# file: kept\n# owner: root\n# group: root\nuser::rwx\nuser:bin:rwx\ngroup::rwx\n", dump);
        Assert.Equal(await XattrTrees.DumpAsync(stockDest), await XattrTrees.DumpAsync(oursDest));
    }

    /// <summary>
    /// An entry whose ACLs its sender cannot read is left out of the list, a directory with what it holds, and the
    /// transfer ends with 23 (flist.c: send_file_name returns NULL after get_acl fails). The reproduction without
    /// privileges: a fake-super sender whose user.rsync.%aacl / %dacl value has a length other than 16 + 8n, which
    /// acls.c: get_rsync_acl refuses without a word. A local copy and a push, beside stock.
    /// </summary>
    [Theory]
    [InlineData("local")]
    [InlineData("push")]
    public async Task An_entry_whose_acls_cannot_be_read_is_left_out_as_stock_leaves_it(string way)
    {
        var (source, from, stockDest, oursDest, stockTo, oursTo) = PlacesFor(way, root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "baddir"));
            Directory.CreateDirectory(Path.Combine(root, "ok"));
            foreach (string f in new[] { "bad", "good", "baddir/inside" })
                File.WriteAllText(Path.Combine(root, f), "content of " + f);
        });
        await XattrTrees.SetAsync(Path.Combine(source, "bad"), "user.rsync.%aacl", "0x0102030405");
        await XattrTrees.SetAsync(Path.Combine(source, "baddir"), "user.rsync.%dacl", "0x01020304");
        foreach (string p in new[] { source, Path.Combine(source, "baddir"), Path.Combine(source, "ok"), Path.Combine(source, "bad"), Path.Combine(source, "good"), Path.Combine(source, "baddir/inside") })
            File.SetLastWriteTimeUtc(p, AclTrees.Stamp);

        ProcessResult stock = await daemon.RunRsyncAsync(["-aiA", "--fake-super", from, stockTo]);
        ProcessResult ours = await daemon.RunMrsyncAsync(["-aiA", "--fake-super", from, oursTo]);
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.True(23 == ours.ExitCode, explain);
        Assert.Equal(OptionScenario.Output(stock, stockDest).Replace("/stock", "/DEST", StringComparison.Ordinal),
            OptionScenario.Output(ours, oursDest).Replace("/ours", "/DEST", StringComparison.Ordinal));
        Assert.DoesNotContain("get_acl", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(TreeSnapshot.Of(stockDest, true, symlinkTimes: false), TreeSnapshot.Of(oursDest, true, symlinkTimes: false));
        Assert.Equal(["good", "ok"], Directory.GetFileSystemEntries(oursDest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    // Where a run goes: a push into the stock daemon's module, a pull from it, a local copy within the work directory;
    // `write` makes the source tree at the path it is given.
    private Places PlacesFor(string way, Action<string> write)
    {
        string id = Guid.NewGuid().ToString("N");
        string module = daemon.ModulePath(DaemonModules.Open);
        string url = $"{daemon.Url}{DaemonModules.Open}/{id}/";
        Directory.CreateDirectory(Path.Combine(module, id));
        string source = way == "pull" ? Path.Combine(module, id, "src") : Path.Combine(_work, "src");
        write(source);
        string Dest(string side) => way == "push" ? Path.Combine(module, id, side) : Path.Combine(_work, side);
        string To(string side) => way == "push" ? url + side + "/" : Dest(side) + "/";
        return new Places(source, way == "pull" ? url + "src/" : source + "/", Dest("stock"), Dest("ours"), To("stock"), To("ours"));
    }

    private sealed record Places(string Source, string From, string StockDest, string OursDest, string StockTo, string OursTo);

    private async Task<string> RunBothAsync(string[] args, string stockTo, string oursTo, string stockDest, string oursDest,
        bool times = true)
    {
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, stockTo]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, oursTo]);
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.True(0 == ours.ExitCode, explain);
        // A push's "created directory" line names the module path.
        string output = OptionScenario.Output(ours, oursDest).Replace("/ours", "/DEST", StringComparison.Ordinal);
        Assert.Equal(OptionScenario.Output(stock, stockDest).Replace("/stock", "/DEST", StringComparison.Ordinal), output);
        Assert.Equal(AclTrees.Dump(stockDest), AclTrees.Dump(oursDest));
        // A new symlink is re-timed only when it differs in whole seconds (the source's is made in the same second).
        Assert.Equal(TreeSnapshot.Of(stockDest, times, symlinkTimes: false), TreeSnapshot.Of(oursDest, times, symlinkTimes: false));
        return output;
    }
}
