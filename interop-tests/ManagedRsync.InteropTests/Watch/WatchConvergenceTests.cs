using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch -a --delete` (its own process, real inotify) pushing to the fixture's stock rsync daemon: after each
/// kind of change the module converges to the source, file by file (content, mode, mtime, symlink targets).
/// </summary>
public abstract class WatchConvergenceTests(RsyncDaemonFixture daemon, string backend) : IDisposable
{
    private readonly WatchScenario _s = new(daemon, backend: backend);

    public void Dispose()
    {
        _s.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task FileChangesConverge()
    {
        Directory.CreateDirectory(_s.P("sub"));
        _s.Write("a.txt", "alpha\n");
        _s.Write("sub/b.bin", new string('b', 5000));
        File.CreateSymbolicLink(_s.P("link"), "a.txt");
        await _s.StartWatchAsync();
        await _s.ConvergedAsync();

        // create; a file written in several writes while open (IN_MODIFY..., then IN_CLOSE_WRITE)
        _s.Write("c.txt", "charlie\n");
        using (var open = new FileStream(_s.P("slow.log"), FileMode.CreateNew))
        {
            for (int i = 0; i < 20; i++)
            {
                open.Write("line of a log file\n"u8);
                open.Flush();
            }
        }
        await _s.ConvergedAsync();

        // modify, chmod a file and a directory, set an mtime alone (IN_ATTRIB)
        File.AppendAllText(_s.P("a.txt"), "more\n");
        File.SetUnixFileMode(_s.P("a.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_s.P("sub"), (UnixFileMode)0x1E8); // 0750
        File.SetLastWriteTimeUtc(_s.P("sub/b.bin"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        await _s.ConvergedAsync();

        // rename into another directory; delete
        File.Move(_s.P("c.txt"), _s.P("sub/c2.txt"));
        File.Delete(_s.P("sub/b.bin"));
        await _s.ConvergedAsync();

        // symlinks: retargeted, dangling, and a file replaced by a symlink of the same name
        File.Delete(_s.P("link"));
        File.CreateSymbolicLink(_s.P("link"), "sub/c2.txt");
        File.CreateSymbolicLink(_s.P("dangling"), "does/not/exist");
        File.Delete(_s.P("slow.log"));
        File.CreateSymbolicLink(_s.P("slow.log"), "a.txt");
        await _s.ConvergedAsync();

        // a file replaced by a directory of the same name, and back
        File.Delete(_s.P("a.txt"));
        Directory.CreateDirectory(_s.P("a.txt"));
        _s.Write("a.txt/inner", "inside\n");
        await _s.ConvergedAsync();
        Directory.Delete(_s.P("a.txt"), recursive: true);
        _s.Write("a.txt", "a file again\n");
        await _s.ConvergedAsync();
    }

    [Fact]
    public async Task DirectoryChangesConverge()
    {
        Directory.CreateDirectory(_s.P("keep"));
        _s.Write("keep/k", "k\n");
        await _s.StartWatchAsync();

        // mkdir -p and writes at once, before the watcher can have set the new watches
        Directory.CreateDirectory(_s.P("deep/x/y/z"));
        _s.Write("deep/top", "1\n");
        _s.Write("deep/x/one", "2\n");
        _s.Write("deep/x/y/two", "3\n");
        _s.Write("deep/x/y/z/three", "4\n");
        await _s.ConvergedAsync();

        // rename a directory inside the tree, then write into it under its new name
        Directory.Move(_s.P("deep"), _s.P("deep2"));
        _s.Write("deep2/x/y/z/four", "5\n");
        await _s.ConvergedAsync();

        // move a directory out of the tree (the replica drops it)
        Directory.Move(_s.P("deep2/x"), Path.Combine(_s.Outside, "x"));
        await _s.ConvergedAsync();

        // move a prepared tree into the tree, and write into it at once
        string incoming = Path.Combine(_s.Outside, "incoming");
        Directory.CreateDirectory(Path.Combine(incoming, "sub/sub2"));
        File.WriteAllText(Path.Combine(incoming, "f"), "f\n");
        File.WriteAllText(Path.Combine(incoming, "sub/sub2/g"), "g\n");
        Directory.Move(incoming, _s.P("incoming"));
        _s.Write("incoming/sub/new", "new\n");
        await _s.ConvergedAsync();

        // the moved-out directory comes back under another name; then rm -rf of a whole subtree
        Directory.Move(Path.Combine(_s.Outside, "x"), _s.P("keep/x-back"));
        Directory.Delete(_s.P("deep2"), recursive: true);
        await _s.ConvergedAsync();

        // a directory replaced by a file of the same name
        Directory.Delete(_s.P("incoming"), recursive: true);
        _s.Write("incoming", "now a file\n");
        await _s.ConvergedAsync();
    }

    [Fact]
    public async Task DirectoryReplacedBySymlinkIsNeverFollowed()
    {
        Directory.CreateDirectory(_s.P("dir/inner"));
        _s.Write("dir/inner/x", "x\n");
        Directory.CreateDirectory(_s.P("keep"));
        _s.Write("keep/k", "k\n");
        Directory.CreateDirectory(_s.P("other"));
        _s.Write("other/o", "o\n");
        File.WriteAllText(Path.Combine(_s.Outside, "secret"), "must not reach the replica\n");
        Directory.CreateDirectory(Path.Combine(_s.Outside, "secretdir"));
        await _s.StartWatchAsync();
        await _s.ConvergedAsync();

        // Replaced by a symlink out of the tree, and by a symlink to a directory inside it.
        Directory.Delete(_s.P("dir"), recursive: true);
        File.CreateSymbolicLink(_s.P("dir"), _s.Outside);
        Directory.Delete(_s.P("other"), recursive: true);
        File.CreateSymbolicLink(_s.P("other"), "keep");
        // A write through the symlink lands outside the tree: it must not be replicated.
        File.WriteAllText(Path.Combine(_s.P("dir"), "written-through-link"), "outside\n");

        // The daemon (use chroot = no) sanitizes absolute link targets (rsync clientserver.c: sanitize_paths,
        // flist.c: sanitize_path on the link), so the reference is what stock rsync -a makes of the same source.
        string expected = Path.Combine(daemon.ModulePath(DaemonModules.Open), _s.Name + "-stock");
        try
        {
            ProcessResult stock = await daemon.RunRsyncAsync(["-a", "--delete", _s.Source + "/", $"{daemon.Url}{DaemonModules.Open}/{_s.Name}-stock/"]);
            Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
            await Converge.WaitAsync(expected, _s.Replica, _s.Explain);
        }
        finally
        {
            if (Directory.Exists(expected))
                Directory.Delete(expected, recursive: true);
        }
        Assert.NotNull(new FileInfo(Path.Combine(_s.Replica, "dir")).LinkTarget);
        Assert.NotNull(new FileInfo(Path.Combine(_s.Replica, "other")).LinkTarget);
        Assert.Equal("k\n", File.ReadAllText(Path.Combine(_s.Replica, "keep/k")));
        Assert.Empty(ReachedTheModule("secret*"));
        Assert.Empty(ReachedTheModule("written-through-link"));

        // Back to a real directory: the symlink is replaced, the outside is untouched.
        File.Delete(_s.P("dir"));
        Directory.CreateDirectory(_s.P("dir"));
        _s.Write("dir/again", "again\n");
        await _s.ConvergedAsync();
        Assert.True(File.Exists(Path.Combine(_s.Outside, "secret")));
    }

    // Entries named PATTERN anywhere in the shared module but in other tests' own directories (they push trees of
    // their own, some with a file named "secret", into the same module meanwhile): this test's replica, its stock
    // reference, or a name that escaped to the module's top.
    private IEnumerable<string> ReachedTheModule(string pattern)
    {
        string module = daemon.ModulePath(DaemonModules.Open);
        return Directory.EnumerateFileSystemEntries(module, pattern, SearchOption.AllDirectories).Where(path =>
        {
            string top = Path.GetRelativePath(module, path).Split('/')[0];
            return top.StartsWith(_s.Name, StringComparison.Ordinal) || path == Path.Combine(module, top);
        });
    }

    [Fact]
    public async Task MkdirPStormsMissNothing()
    {
        await _s.StartWatchAsync();
        // Each round: a new chain of directories and files in it at once, faster than any watch could be set.
        for (int i = 0; i < 300; i++)
        {
            string deep = $"storm/{i % 5}/{i}/a/b/c/d";
            Directory.CreateDirectory(_s.P(deep));
            _s.Write(deep + "/leaf", $"{i}\n");
            _s.Write($"storm/{i % 5}/{i}/a/mid", $"{i}\n");
        }
        await _s.ConvergedAsync();
    }

    [Fact]
    public async Task FilterRulesMatchWhatAPushSends()
    {
        string[] rules = ["--exclude", "/top/*.tmp", "--exclude", "dir/", "--filter", "- *.bak", "--include", "keep.log", "--exclude", "*.log"];
        void Tree(string tag)
        {
            foreach (string d in new[] { "top/sub", "dir", "sub/dir", "x" })
                Directory.CreateDirectory(_s.P(d));
            foreach (string f in new[] { "top/a.tmp", "top/sub/b.tmp", "c.tmp", "dir/in-dir", "sub/dir/in-subdir", "x/dir", "y.bak", "keep.log", "x/other.log", "top/plain" })
                _s.Write(f.Replace("plain", "plain-" + tag, StringComparison.Ordinal), tag + "\n");
        }
        Tree("first");
        await _s.StartWatchAsync(rules);

        // The same rules given to a push of the whole tree (stock rsync semantics, exclude.c) are the reference.
        string pushed = _s.Name + "-push";
        string reference = Path.Combine(daemon.ModulePath(DaemonModules.Open), pushed);
        try
        {
            async Task PushAndCompareAsync()
            {
                ProcessResult push = await daemon.RunMrsyncAsync(["-a", "--delete", .. rules, _s.Source + "/", $"{daemon.Url}{DaemonModules.Open}/{pushed}/"]);
                Assert.True(push.ExitCode == 0, daemon.Explain(push));
                await Converge.WaitAsync(reference, _s.Replica, _s.Explain);
            }
            await PushAndCompareAsync();
            // Changes made while watching, excluded and not.
            Tree("second");
            await PushAndCompareAsync();
        }
        finally
        {
            if (Directory.Exists(reference))
                Directory.Delete(reference, recursive: true);
        }
        foreach (string excluded in new[] { "top/a.tmp", "dir", "sub/dir", "y.bak", "x/other.log" })
            Assert.False(Path.Exists(Path.Combine(_s.Replica, excluded)), $"{excluded} is excluded but reached the replica");
        foreach (string included in new[] { "top/sub/b.tmp", "c.tmp", "x/dir", "keep.log", "top/plain-second" })
            Assert.True(File.Exists(Path.Combine(_s.Replica, included)), $"{included} is not excluded but is missing on the replica");
    }
}

/// <summary><see cref="WatchConvergenceTests"/> with one inotify watch per directory.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class InotifyWatchConvergenceTests(RsyncDaemonFixture daemon) : WatchConvergenceTests(daemon, "inotify");

/// <summary><see cref="WatchConvergenceTests"/> with the fanotify file-system mark (root, as CI runs them).</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class FanotifyWatchConvergenceTests(RsyncDaemonFixture daemon) : WatchConvergenceTests(daemon, "fanotify");
