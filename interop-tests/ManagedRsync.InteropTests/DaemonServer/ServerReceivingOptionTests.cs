using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// The receiving options a stock rsync 3.5.0 client sends a daemon it pushes to (options.c: server_options): -b,
/// --backup-dir, --suffix, --compare-dest/--copy-dest/--link-dest, --partial-dir, --delay-updates, --max-delete,
/// --force. Each push runs side by side into `rsync --daemon` and `mrsync daemon` serving the same rsyncd.conf
/// (<see cref="OptionModules"/>): the module trees (with their hard-link structure), the client's output and its exit
/// code must be the same; the directories the client names are confined beneath the module as stock's daemon confines
/// them (sanitize_path), checked against a canary outside the module.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerReceivingOptionTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime New = new(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvopts-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    // This test's directory in a module (each test its own, so that the shared daemons' modules do not interfere).
    private string Mine(RsyncDaemonFixture d, string module = OptionModules.Writable) => Path.Combine(d.ModulePath(module), _id);

    private string Url(RsyncDaemonFixture d, string path, string module = OptionModules.Writable) => $"{d.Url}{module}/{_id}/{path}";

    private async Task<(ProcessResult Stock, ProcessResult Ours)> PushBothAsync(Func<RsyncDaemonFixture, IEnumerable<string>> args)
    {
        // The seeded directories were made at different moments in the two modules: the same time for all of them
        // (what -v itemizes of a directory depends on it).
        foreach (string module in (string[])[OptionModules.Writable, OptionModules.Excluding])
        {
            foreach (RsyncDaemonFixture d in Both)
            {
                if (!Directory.Exists(Mine(d, module)))
                    continue;
                foreach (string dir in Directory.GetDirectories(Mine(d, module), "*", SearchOption.AllDirectories))
                    Directory.SetLastWriteTimeUtc(dir, Old);
            }
        }
        return (await stock.RunRsyncAsync(args(stock)), await ours.RunRsyncAsync(args(ours)));
    }

    // Directories' times are not compared (as in PullAndLocalReceivingOptionTests): stock sets a directory's time
    // before the backups of its files move out of it (or, with -b alone, never: TransferOptions.OmitDirTimes), so the
    // moment of the push is left there, which differs between the two runs by nature; mrsync sets it last.
    // With REDONE, files are sent twice (--append-verify's failed check): the lines are compared as a set
    // (OptionScenario.Unordered says why).
    // With DELETIONSAPART the deletion lines are compared in their order apart from the others: the daemon's generator
    // prints a deletion itself while a received entry's line is its receiver's, and where the two meet on the client is
    // timing, in stock too (OptionScenario.DeletionsApart).
    private void AssertSame((ProcessResult Stock, ProcessResult Ours) r, string module = OptionModules.Writable, bool directoryTimes = false, bool redone = false,
        bool deletionsApart = false, bool symlinkTimes = true)
    {
        Assert.True(r.Stock.ExitCode == r.Ours.ExitCode, $"exit codes differ\n{r.Stock}\n{r.Ours}\n--- mrsync log ---\n{ours.DaemonLog}");
        string stockOut = Normalize(r.Stock.Stdout), ourOut = Normalize(r.Ours.Stdout);
        if (redone)
            (stockOut, ourOut) = (ReceivingOptions.OptionScenario.Unordered(stockOut), ReceivingOptions.OptionScenario.Unordered(ourOut));
        if (deletionsApart)
            (stockOut, ourOut) = (ReceivingOptions.OptionScenario.DeletionsApart(stockOut), ReceivingOptions.OptionScenario.DeletionsApart(ourOut));
        Assert.True(stockOut == ourOut, $"outputs differ\n--- stock ---\n{stockOut}\n--- mrsync ---\n{ourOut}");
        Assert.Equal(NonBlank(r.Stock.Stderr), NonBlank(r.Ours.Stderr));
        string stockTree = TreeSnapshot.Of(Mine(stock, module), rootTimes: false, symlinkTimes: symlinkTimes, directoryTimes: directoryTimes);
        string ourTree = TreeSnapshot.Of(Mine(ours, module), rootTimes: false, symlinkTimes: symlinkTimes, directoryTimes: directoryTimes);
        Assert.True(stockTree == ourTree, $"trees differ\n{stockTree}\n{ourTree}");
    }

    private string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root);

    // Stock's daemon ends an error with its own "rsync error: ... at FILE(LINE) [Receiver=3.5.0]" line and its client
    // may add the read error of the reset; blank lines (the open "building file list ... " of the mapped difference)
    // are not compared.
    private string NonBlank(string text) => string.Join('\n', Normalize(text).Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal) && !l.Contains("read error: Connection reset", StringComparison.Ordinal)));


    private static void Write(string root, string name, string text, DateTime? time = null)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, time ?? New);
    }

    // The source: a changed file, a new one, an unchanged one, one in a directory.
    private string Source()
    {
        string src = Path.Combine(_work, "src");
        Write(src, "changed", "new contents of changed\n");
        Write(src, "added", "a new file\n");
        Write(src, "same", "unchanged\n", Old);
        Write(src, "dir/inner", "new inner contents\n");
        return src;
    }

    // What each module holds before the push, in DIR of this test's directory.
    private void Seed(string dir, bool extra = true)
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            string root = Path.Combine(Mine(d), dir);
            Write(root, "changed", "old\n", Old);
            Write(root, "same", "unchanged\n", Old);
            Write(root, "dir/inner", "old inner\n", Old);
            if (extra)
                Write(root, "extra", "only here\n", Old);
        }
    }

    [Theory]
    [InlineData("-b")]
    [InlineData("-b", "--suffix=.bak")]
    [InlineData("--backup-dir=/backups")]
    [InlineData("--backup-dir=old", "--suffix=.1")]
    [InlineData("--backup-dir=./a/../b/")]
    public async Task Backups_are_kept_as_stocks_daemon_keeps_them(params string[] options)
    {
        string src = Source();
        Seed("dest");
        // "/" is the module's path: this test's own directory there.
        options = [.. options.Select(o => o.Replace("=/backups", $"=/{_id}/backups", StringComparison.Ordinal))];
        var r = await PushBothAsync(d => ["-av", "--delete", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        // The old "changed" and the deleted "extra" are kept somewhere in the module, under some name.
        Assert.Equal(2, Directory.GetFiles(Mine(ours), "*", SearchOption.AllDirectories)
            .Count(f => File.ReadAllText(f) is "old\n" or "only here\n" && !f.EndsWith("/dest/same", StringComparison.Ordinal)));
    }

    // How the daemon writes (issue 11's -S, --preallocate, --inplace, --append, --append-verify, -E, -y, -x on
    // the daemon's side): a stock client pushes the same tree over the same seed into both daemons.
    [Theory]
    [InlineData("--inplace")]
    [InlineData("--inplace", "-b")]
    [InlineData("--append")]
    [InlineData("--append-verify")]
    [InlineData("-S")]
    [InlineData("-S", "--preallocate")]
    // options.c: server_options sends --no-W after --inplace with -S.
    [InlineData("--inplace", "-S")]
    [InlineData("-E", "--no-p")]
    [InlineData("-y")]
    [InlineData("-x")]
    // options.c: server_options sends a negative window as "-@-1" (times compared to the nanosecond).
    [InlineData("--modify-window=-1")]
    public async Task Files_are_written_as_stocks_daemon_writes_them(params string[] options)
    {
        string src = Source();
        Write(src, "empty/only/dir-without-files/.keep", "");
        File.Delete(Path.Combine(src, "empty/only/dir-without-files/.keep"));
        Write(src, "added-too", "a new file\n");
        File.SetUnixFileMode(Path.Combine(src, "added"), (UnixFileMode)0x1ED);
        Seed("dest");
        foreach (RsyncDaemonFixture d in Both)
            File.SetUnixFileMode(Path.Combine(Mine(d), "dest", "changed"), (UnixFileMode)0x180);
        var r = await PushBothAsync(d => ["-avi", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r, redone: options.Contains("--append-verify"));
        Assert.Equal(0, r.Ours.ExitCode);
        if (options.Contains("--append-verify"))
            Assert.Contains("<f..t...... dir/inner\n", r.Ours.Stdout, StringComparison.Ordinal); // the redo: the kept start did not match
    }

    /// <summary>
    /// --checksum-seed=N: stock's client sends it to a server either way (options.c: server_options), and the server
    /// sends that seed in the setup (compat.c: setup_protocol) instead of its own time ^ pid &lt;&lt; 6; the client's
    /// --write-batch records the seed it read (after the stream flags, the protocol and, from 30, the compat flags).
    /// Stock's client pushing into and pulling from both daemons: both succeed, the trees and the recorded seed agree.
    /// </summary>
    [Fact]
    public async Task The_clients_checksum_seed_is_the_sessions_as_with_stocks_daemon()
    {
        const int seed = 0x5EED1234;
        byte[] wanted = BitConverter.GetBytes(seed);
        string src = Source();
        Seed("dest");
        foreach (bool push in (bool[])[true, false])
        {
            var headers = new List<int>();
            foreach (RsyncDaemonFixture d in Both)
            {
                string side = d == stock ? "stock" : "ours";
                string batch = Path.Combine(_work, $"batch-{push}-{side}");
                string[] ends = push ? [src + "/", Url(d, "dest/")] : [Url(d, "dest/"), Path.Combine(_work, "pulled-" + side) + "/"];
                ProcessResult r = await d.RunRsyncAsync(["-a", "--checksum-seed=" + seed, "--write-batch=" + batch, .. ends]);
                Assert.True(r.ExitCode == 0, r + "\n" + d.DaemonLog);
                byte[] head = File.ReadAllBytes(batch).Take(20).ToArray();
                headers.Add(head.AsSpan().IndexOf(wanted));
            }
            Assert.True(headers[0] >= 8 && headers[0] == headers[1], $"the seed at {headers[0]} (stock) and {headers[1]} (mrsync)");
        }
        Assert.Equal(TreeSnapshot.Of(Mine(stock), rootTimes: false, directoryTimes: false), TreeSnapshot.Of(Mine(ours), rootTimes: false, directoryTimes: false));
        Assert.Equal(TreeSnapshot.Of(Path.Combine(_work, "pulled-stock"), rootTimes: false, directoryTimes: false), TreeSnapshot.Of(Path.Combine(_work, "pulled-ours"), rootTimes: false, directoryTimes: false));
    }

    // -O and -J on the daemon's side (generator.c: itemize, rsync.c: set_file_attrs): a directory ("quiet") and a
    // symlink that match the source but for their times, pushed with each; the times the daemon leaves are compared, a moment of
    // the push itself shown as RECENT.
    [Theory]
    [InlineData("-O")]
    [InlineData("-J")]
    [InlineData("-OJ")]
    [InlineData("-O", "-b")]
    [InlineData("-O", "--no-O", "-J", "--no-J")]
    [InlineData("--omit-dir-times", "--omit-link-times", "--protocol=29")]
    public async Task Directory_and_symlink_times_are_left_as_stocks_daemon_leaves_them(params string[] options)
    {
        string src = Source();
        await LinkAsync(src, "link", "same", Old);
        Write(src, "quiet/file", "unchanged\n", Old);
        foreach (string dir in new[] { "dir", "quiet", "" })
            Directory.SetLastWriteTimeUtc(Path.Combine(src, dir), New);
        Seed("dest", extra: false);
        foreach (RsyncDaemonFixture d in Both)
        {
            await LinkAsync(Path.Combine(Mine(d), "dest"), "link", "same", New);
            Write(Path.Combine(Mine(d), "dest"), "quiet/file", "unchanged\n", Old);
        }
        var r = await PushBothAsync(d => ["-rlti", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
        string tree = ReceivingOptions.OmitTimesTests.Snapshot(Mine(ours));
        Assert.Equal(ReceivingOptions.OmitTimesTests.Snapshot(Mine(stock)), tree);
        Assert.Equal(0, r.Ours.ExitCode);
        // The directory kept its seeded time only where -O (or -b alone) omitted it, the symlink only under -J.
        bool omitDirs = options.Any(o => o is "-O" or "-OJ" or "--omit-dir-times" or "-b") && !options.Contains("--no-O");
        bool omitLinks = options.Any(o => o is "-J" or "-OJ" or "--omit-link-times") && !options.Contains("--no-J");
        Assert.Equal(omitDirs, Has(tree, "dest/quiet dir", Old));
        Assert.Equal(omitLinks, Has(tree, "dest/link link", New));
    }

    private static bool Has(string tree, string entry, DateTime time) => System.Text.RegularExpressions.Regex.IsMatch(tree,
        $@"^{entry} \d+ uid=\d+ gid=\d+ mtime={new DateTimeOffset(time).ToUnixTimeSeconds()}\.", System.Text.RegularExpressions.RegexOptions.Multiline);

    private static async Task LinkAsync(string root, string name, string target, DateTime time)
    {
        string path = Path.Combine(root, name);
        File.CreateSymbolicLink(path, target);
        ProcessResult touch = await ToolProcess.RunAsync("touch", ["-h", "-d", time.ToString("yyyy-MM-dd HH:mm:ss") + "Z", path]);
        Assert.True(touch.ExitCode == 0, touch.Stderr);
    }

    [Theory]
    [InlineData("--link-dest")]
    [InlineData("--copy-dest")]
    [InlineData("--compare-dest")]
    public async Task A_basis_directory_beside_the_destination_is_used_as_stock_uses_it(string option)
    {
        string src = Source();
        Seed("yesterday", extra: false);
        // The daily snapshot: today's destination does not exist yet, yesterday's is its sibling.
        var r = await PushBothAsync(d => ["-av", $"{option}=../yesterday", src + "/", Url(d, "today")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        if (option == "--link-dest")
            Assert.Contains("links=", TreeSnapshot.Of(Mine(ours)));
    }

    // --inplace with a basis directory (protocol-notes §61): a copied match written straight to its name, a delta
    // against the basis directory's file into the new file itself.
    [Theory]
    [InlineData("--link-dest")]
    [InlineData("--copy-dest")]
    [InlineData("--compare-dest")]
    public async Task A_basis_directory_with_inplace_is_used_as_stock_uses_it(string option)
    {
        string src = Source();
        Seed("yesterday", extra: false);
        var r = await PushBothAsync(d => ["-avi", "--inplace", "--no-W", $"{option}=../yesterday", src + "/", Url(d, "today")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
    }

    // -H with incremental recursion into a --link-dest snapshot (protocol-notes §49): a group whose second name lies in
    // a directory listed after the first's, one of its names unchanged in yesterday's copy.
    [Theory]
    [InlineData("--link-dest")]
    [InlineData("--copy-dest")]
    public async Task Hard_links_across_lists_into_a_basis_directory_are_linked_as_stock_links_them(string option)
    {
        string src = Source();
        Write(src, "sub/deeper/other", "other\n", Old);
        using (var ln = System.Diagnostics.Process.Start("ln", [Path.Combine(src, "same"), Path.Combine(src, "sub", "deeper", "same-link")])!)
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        Seed("yesterday", extra: false);
        var r = await PushBothAsync(d => ["-aviH", $"{option}=../yesterday", src + "/", Url(d, "today")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Contains("sub/deeper/same-link => same", r.Ours.Stdout, StringComparison.Ordinal);
    }

    // -m on a receiving server (flist.c: flist_sort_and_clean prunes on the receiver; exclude.c: recv_filter_list reads
    // the client's rules for it, whose protect rules keep an empty directory): directories with nothing but
    // directories below them are dropped from the list, and stock's client, told nothing of it, sends the same.
    [Theory]
    [InlineData("-m")]
    [InlineData("-m", "--delete")]
    [InlineData("-m", "--filter=P e1/")]
    [InlineData("-m", "--no-i-r")]
    public async Task Empty_directories_are_pruned_as_stocks_daemon_prunes_them(params string[] options)
    {
        string src = Source();
        Directory.CreateDirectory(Path.Combine(src, "e1", "e2", "e3"));
        Directory.CreateDirectory(Path.Combine(src, "e4"));
        Write(src, "deep/er/file", "deep\n", Old);
        Seed("dest");
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Path.Combine(Mine(d), "dest", "e4"));
        var r = await PushBothAsync(d => ["-avi", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(Mine(ours), "dest", "e1", "e2")) && !options.Contains("--filter=P e1/"));
    }

    [Fact]
    public async Task A_missing_basis_directory_is_warned_about_with_stocks_name_for_it()
    {
        string src = Source();
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Mine(d));
        var r = await PushBothAsync(d => ["-av", "--link-dest=../../../../nothere", "--link-dest=/abs/nothere", src + "/", Url(d, "new/")]);
        AssertSame(r);
        Assert.Contains("--link-dest arg does not exist: ../../nothere", r.Ours.Stderr);
    }

    // A client's ".." and "/" never leave the module: "/" is the module's path, ".." stops at the module (and, for a
    // backup directory, at the destination).
    [Theory]
    [InlineData("--backup-dir=../../../../../escaped")]
    [InlineData("--backup-dir=/../../escaped")]
    [InlineData("--link-dest=../../../../../escaped-basis")]
    [InlineData("--copy-dest=/../../escaped-basis")]
    public async Task Directories_that_climb_out_stay_in_the_module(string option)
    {
        string src = Source();
        Seed("dest");
        // What an escape would reach: the daemons' own directories, above and beside their modules, each holding a
        // basis that matches the source (a --link-dest there would link to it).
        string[] Outside(RsyncDaemonFixture d) => [d.Root, Path.GetDirectoryName(d.ModulePath(OptionModules.Writable))!];
        foreach (RsyncDaemonFixture d in Both)
        {
            foreach (string dir in Outside(d))
                Write(Path.Combine(dir, "escaped-basis"), "changed", "new contents of changed\n");
        }
        var r = await PushBothAsync(d => ["-a", "-b", option, src + "/", Url(d, "dest/")]);
        AssertSame(r);
        foreach (RsyncDaemonFixture d in Both)
        {
            foreach (string dir in Outside(d))
            {
                Assert.False(Directory.Exists(Path.Combine(dir, "escaped")), $"a backup left the module of {d.DaemonPath}");
                Assert.DoesNotContain("links=", TreeSnapshot.Of(Path.Combine(dir, "escaped-basis")));
            }
        }
    }

    [Fact]
    public async Task A_backup_directory_through_a_symlink_out_of_the_module_writes_nothing_outside()
    {
        string src = Source();
        Seed("dest");
        foreach (RsyncDaemonFixture d in Both)
        {
            Directory.CreateDirectory(Path.Combine(_work, "outside-" + (d == stock ? "stock" : "ours")));
            File.CreateSymbolicLink(Path.Combine(Mine(d), "elink"), Path.Combine(_work, "outside-" + (d == stock ? "stock" : "ours")));
        }
        var r = await PushBothAsync(d => ["-a", "-b", $"--backup-dir=/{_id}/elink", src + "/", Url(d, "dest/")]);
        // Both follow a symlink that stays in the module (ServerInModuleLinkTests) and refuse one that leaves it.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_work, "outside-ours")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_work, "outside-stock")));
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(Mine(ours), "dest", "changed")));
        Assert.NotEqual(0, r.Ours.ExitCode);
    }

    [Theory]
    [InlineData("--backup-dir=/secret")]
    [InlineData("--link-dest=/secret")]
    [InlineData("--compare-dest=../keep1")]
    [InlineData("--partial-dir=/secret")]
    public async Task A_directory_the_modules_rules_exclude_is_rejected_as_stock_rejects_it(string option)
    {
        string src = Source();
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Path.Combine(Mine(d, OptionModules.Excluding), "dest"));
        var r = await PushBothAsync(d => ["-a", "-b", option, src + "/", Url(d, "dest/", OptionModules.Excluding)]);
        AssertSame(r, OptionModules.Excluding);
        Assert.NotEqual(0, r.Ours.ExitCode);
        Assert.Contains("Your options have been rejected by the server.", r.Ours.Stderr);
    }

    /// <summary>
    /// An absolute --partial-dir is one directory beneath the module for every file (util1.c: partial_dir_fname,
    /// main.c: do_server_recv sanitizes it with the module's path in front): a copy left there is the basis and goes
    /// once used, the directory stays (handle_partial_dir never removes an absolute one), --delay-updates makes it
    /// (0700) and holds the files there; a link inside the module on the way is followed, whatever the module's rules
    /// say of where it leads (they match names; upstream operator-path-*-daemon).
    /// </summary>
    [Theory]
    [InlineData("--partial-dir=/ID/dest/.pd")]
    [InlineData("--partial-dir=/ID/dest/.pd/")]
    [InlineData("--delay-updates", "--partial-dir=/ID/dest/held")]
    [InlineData("--partial-dir=/ID/dest/blink")]
    [InlineData("--delay-updates", "--partial-dir=/ID/dest/blink/new")]
    [InlineData("--partial-dir=/ID/dest/not/there")]
    public async Task An_absolute_partial_directory_in_the_receiving_directory_acts_as_on_stocks_daemon(params string[] options)
    {
        string src = Source();
        Seed("dest");
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(Mine(d), "dest");
            // A copy an earlier run left: the first bytes of the new "changed" (the basis of its delta).
            Write(Path.Combine(dest, ".pd"), "changed", "new contents", Old);
            Write(Path.Combine(dest, "linked"), "changed", "new contents of", Old);
            Write(Path.Combine(dest, "linked"), "kept", "not a transferred name\n", Old);
            File.CreateSymbolicLink(Path.Combine(dest, "blink"), "linked");
        }
        options = [.. options.Select(o => o.Replace("/ID/", $"/{_id}/", StringComparison.Ordinal))];
        var r = await PushBothAsync(d => ["-av", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Equal("new contents of changed\n", File.ReadAllText(Path.Combine(Mine(ours), "dest", "changed")));
    }

    /// <summary>
    /// Our receiver reaches an absolute --partial-dir from the destination: one elsewhere in the module stays refused by
    /// name (stock's daemon would take it); nothing is received.
    /// </summary>
    [Fact]
    public async Task An_absolute_partial_directory_outside_the_receiving_directory_is_refused_by_name()
    {
        string src = Source();
        Seed("dest");
        ProcessResult r = await ours.RunRsyncAsync(["-a", $"--partial-dir=/{_id}/pd", src + "/", Url(ours, "dest/")]);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("--partial-dir outside the receiving directory", r.Stderr);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(Mine(ours), "dest", "changed")));
    }

    [Theory]
    [InlineData("--partial-dir=.rsync-partial")]
    [InlineData("--delay-updates")]
    [InlineData("--delay-updates", "--partial-dir=.p")]
    [InlineData("--max-delete=1")]
    [InlineData("--force", "--delete")]
    public async Task Other_receiving_options_act_as_on_stocks_daemon(params string[] options)
    {
        string src = Source();
        Seed("dest");
        foreach (RsyncDaemonFixture d in Both)
            Write(Path.Combine(Mine(d), "dest"), "extra2", "only here too\n", Old);
        var r = await PushBothAsync(d => ["-av", "--delete", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
    }

    [Theory]
    // A stock client escapes the "*" (options.c: safe_arg) and a daemon takes the backslash off (io.c: read_args).
    [InlineData("-og", "--usermap=*:1", "--groupmap=*:1")]
    [InlineData("-og", "--chown=2:2")]
    [InlineData("-og", "--usermap=0-10:3,*:4", "--groupmap=root:5,*:6")]
    [InlineData("-og", "--groupmap=*:no-such-group-here")]
    public async Task Id_maps_act_as_on_stocks_daemon(params string[] options)
    {
        string src = Source();
        Seed("dest");
        var r = await PushBothAsync(d => ["-rtv", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r);
    }

    [Theory]
    [InlineData("--no-implied-dirs")]
    [InlineData("--implied-dirs")]
    public async Task Relative_paths_without_implied_directories_act_as_on_stocks_daemon(string option)
    {
        string src = Source();
        Write(src, "dir/sub/deeper", "deep\n");
        Seed("dest");
        var r = await PushBothAsync(d => ["-rtvR", option, src + "/./dir/sub/deeper", src + "/./same", Url(d, "dest/")]);
        AssertSame(r);
    }

    /// <summary>
    /// A client's -M--filter=RULE reaches the receiving daemon's own filter list ahead of the rules the client sends
    /// (options.c: OPT_FILTER, exclude.c: recv_filter_list); stock's receiver checks all of them whatever side a rule
    /// names, and --delete-excluded leaves them in: what they exclude is kept from deletion, nothing else changes.
    /// </summary>
    [Theory]
    [InlineData("--delete", "-M--filter=P keep*")]
    [InlineData("--delete", "-M--filter=- *.tmp")]
    [InlineData("--delete", "-M--filter=H gone")]
    [InlineData("--delete", "-M--filter=-r gone")]
    [InlineData("--delete", "-M--filter=-s gone")]
    [InlineData("--delete", "-M--filter=- /keepme/")]
    [InlineData("--delete", "-M--filter=- keepme/k")]
    [InlineData("--delete", "-M--filter=R *.tmp", "--delete-excluded")]
    [InlineData("--delete", "-M--filter=- *.tmp", "--delete-excluded")]
    [InlineData("--delete", "-M--filter=P *.tmp", "--exclude=*.tmp", "--delete-excluded")]
    [InlineData("--delete", "-M--filter=- old.tmp", "--include=*.tmp")]
    [InlineData("--delete", "-M--filter=+ gone", "-M--filter=- *")]
    [InlineData("--delete", "-M--filter=!", "-M--filter=- gone")]
    [InlineData("--delete-after", "-M--filter=P d/")]
    [InlineData("--delete", "-M--filter=- a")]
    [InlineData("-M--filter=- a")]
    [InlineData("-m", "-M--filter=- d/c")]
    public async Task A_clients_filter_rules_for_the_receiving_daemon_act_as_on_stocks_daemon(params string[] options)
    {
        string src = Path.Combine(_work, "src");
        Write(src, "a", "1\n", Old);
        Write(src, "b.tmp", "2\n", Old);
        Write(src, "d/c", "3\n", Old);
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(Mine(d), "dest");
            Write(dest, "gone", "x\n", Old);
            Write(dest, "old.tmp", "y\n", Old);
            Write(dest, "keepme/k", "z\n", Old);
            Write(dest, "d/gone2", "w\n", Old);
            Write(dest, "a", "q\n", Old);
        }
        var r = await PushBothAsync(d => ["-av", .. options, src + "/", Url(d, "dest/")]);
        AssertSame(r, deletionsApart: true);
        Assert.Equal(0, r.Ours.ExitCode);
    }

    /// <summary>
    /// What stock's daemon takes on a push and ours still refuses by name (protocol-notes §82 says why): a partial
    /// directory that climbs out of the receiving one (a malformed rule among the daemon's own ends it as stock's:
    /// ServerMergeRuleTests). Nothing is received.
    /// </summary>
    [Theory]
    [InlineData("--partial-dir=../pd", "The server does not support --partial-dir with an absolute path or a '..' component")]
    [InlineData("--partial-dir=x/../../../pd", "The server does not support --partial-dir with an absolute path or a '..' component")]
    public async Task What_ours_still_refuses_on_a_push_is_refused_by_name(string option, string refusal)
    {
        string src = Source();
        Seed("dest");
        ProcessResult r = await ours.RunRsyncAsync(["-a", "--delete", option, src + "/", Url(ours, "dest/")]);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("rsync: " + refusal, r.Stderr);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(Mine(ours), "dest", "changed")));
    }

    /// <summary>
    /// -b with --safe-links (backup.c: make_backup_inner): an unsafe symlink the push replaces or deletes is not backed
    /// up ("not backing up unsafe symlink" with -v), a safe one is; without -l every link is. A link out of the module to a
    /// canary is never written through.
    /// </summary>
    [Theory]
    [InlineData("-av", "-b", "--safe-links", "--delete")]
    [InlineData("-ai", "-b", "--safe-links", "--delete")]
    [InlineData("-av", "--backup-dir=bak", "--safe-links", "--delete")]
    [InlineData("-av", "-b", "--safe-links", "--delete-after")]
    [InlineData("-rtv", "-b", "--safe-links", "--delete")]
    public async Task Backups_with_safe_links_leave_unsafe_links_out_as_stocks_daemon(params string[] options)
    {
        string src = Path.Combine(_work, "src");
        Write(src, "ul", "a\n", Old);
        Write(src, "sl", "b\n", Old);
        Write(src, "keep", "c\n", Old);
        string canary = Path.Combine(_work, "canary");
        File.WriteAllText(canary, "canary\n");
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(Mine(d), "dest");
            Write(dest, "keep", "k\n", Old);
            File.CreateSymbolicLink(Path.Combine(dest, "ul"), "../../../../canary");
            File.CreateSymbolicLink(Path.Combine(dest, "sl"), "keep");
            File.CreateSymbolicLink(Path.Combine(dest, "gone"), canary);
            File.CreateSymbolicLink(Path.Combine(dest, "gone2"), "../x");
        }
        var r = await PushBothAsync(d => [.. options, src + "/", Url(d, "dest/")]);
        // The links were made at different moments in the two modules, and a backup keeps its link's own time.
        AssertSame(r, deletionsApart: true, symlinkTimes: false);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Equal("canary\n", File.ReadAllText(canary));
        Assert.Equal(["canary"], Directory.GetFiles(_work).Select(Path.GetFileName));
    }

    /// <summary>
    /// --only-write-batch=X to a receiving daemon (options.c: server_options; main.c, clientserver.c: dry_run = 1 with
    /// do_xfers left 1): its generator still sends the sums the client's batch records, its receiver gets no data and
    /// nothing in the module changes. Compared with stock's daemon: output, the daemon's log lines, module tree, and
    /// each batch replayed by stock's --read-batch into a copy of the seeded destination. The batches are not compared
    /// byte for byte: beside the compat flags' CF_SYMLINK_ICONV bit (stock is built with iconv) and the closing byte
    /// counts and list times, where the generator's end of a finished incremental list (NDX_DONE, echoed by the
    /// client's sender) falls among the next list's requests is timing, the moment the receiver's success message
    /// reaches the generator (generator.c: check_for_finished_files; stock's receiver and generator are two processes).
    /// </summary>
    [Theory]
    [InlineData("-av")]
    [InlineData("-ai", "--delete")]
    [InlineData("-av", "--no-i-r", "--delete")]
    [InlineData("-avz")]
    [InlineData("-aH", "-i", "--inplace")]
    [InlineData("-av", "--delay-updates")]
    public async Task Only_write_batch_to_the_daemon_changes_nothing_and_records_what_stocks_daemon_asks_for(params string[] options)
    {
        string src = Source();
        Write(src, "big", new string('x', 70_000) + "tail\n");
        Write(src, "sub/new/leaf", "leaf\n");
        void SeedInto(string dest)
        {
            Write(dest, "changed", "old\n", Old);
            Write(dest, "same", "unchanged\n", Old);
            Write(dest, "dir/inner", "old inner\n", Old);
            Write(dest, "extra", "only here\n", Old);
            Write(dest, "big", new string('x', 70_000) + "old\n", Old);
        }
        foreach (RsyncDaemonFixture d in Both)
            SeedInto(Path.Combine(Mine(d), "dest"));
        string stockBefore = TreeSnapshot.Of(Mine(stock), rootTimes: false, directoryTimes: false);
        int stockMark = stock.LogMark(), ourMark = ours.LogMark();
        string Batch(RsyncDaemonFixture d) => Path.Combine(_work, d == stock ? "batch-stock" : "batch-ours");
        var r = await PushBothAsync(d => [.. options, "--checksum-seed=7", "--only-write-batch=" + Batch(d), src + "/", Url(d, "dest/")]);
        AssertSame(r, deletionsApart: true);
        Assert.Equal(0, r.Ours.ExitCode);
        Assert.Equal(stockBefore, TreeSnapshot.Of(Mine(ours), rootTimes: false, directoryTimes: false));
        Assert.Equal(LogLines(stock.DaemonLogSince(stockMark)), LogLines(ours.DaemonLogSince(ourMark)));
        Assert.Equal(new FileInfo(Batch(stock)).Length, new FileInfo(Batch(ours)).Length);
        var replayed = new List<string>();
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(_work, "replay-" + (d == stock ? "stock" : "ours"));
            SeedInto(dest);
            ProcessResult replay = await stock.RunRsyncAsync(["-a", "--read-batch=" + Batch(d), dest + "/"]);
            Assert.True(replay.ExitCode == 0, replay.ToString());
            replayed.Add(TreeSnapshot.Of(dest, rootTimes: false, directoryTimes: false));
        }
        Assert.Equal(replayed[0], replayed[1]);
        Assert.Contains("tail", File.ReadAllText(Path.Combine(_work, "replay-ours", "big")));
    }

    // This test's lines of a daemon's log (from its "rsync to" line; an earlier connection's last line may come after
    // the mark) without their time and pid, nor the byte counts of the "sent ... received" line.
    private string LogLines(string log) => string.Join('\n', log.Split('\n')
        .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"^\S+ \S+ \[\d+\] ", ""))
        .SkipWhile(l => !(l.StartsWith("rsync to ", StringComparison.Ordinal) && l.Contains(_id, StringComparison.Ordinal)))
        .Where(l => l.Length > 0 && !l.StartsWith("sent ", StringComparison.Ordinal)));
}
