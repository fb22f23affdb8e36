using System.Diagnostics;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// <see cref="TreeWatcherTests"/> with the fanotify file-system mark (root, as CI runs them: a missing privilege fails
/// the tests with fanotify's reason), and what only fanotify has: process filtering, moves without FAN_RENAME, and
/// the choice Auto makes on file systems that do and do not give file handles.
/// </summary>
public sealed class FanotifyTreeWatcherTests() : TreeWatcherTests(WatchBackend.Fanotify)
{
    [Fact]
    public void OwnWritesAreDroppedWhenAskedAndOthersAreNot()
    {
        Start(new TreeWatcherOptions { IgnoreOwnProcess = true });
        File.WriteAllText(_tree["mine"], "written by the watcher's own process");
        using (Process sh = Process.Start("sh", ["-c", $"echo other > '{_tree["theirs"]}'"]))
            sh.WaitForExit();
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "theirs"), "another process's write");
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text == "mine");
    }

    [Fact]
    public void WithoutFanRenameMovesAreDeleteAndCreate()
    {
        Directory.CreateDirectory(_tree["d/sub"]);
        File.WriteAllText(_tree["d/sub/f"], "f");
        File.WriteAllText(_tree["file"], "x");
        Start(new TreeWatcherOptions { FanotifyWithoutRename = true });
        Assert.Contains("FAN_MOVED_FROM", _watcher!.Describe(), StringComparison.Ordinal);
        Directory.Move(_tree["d"], _tree["d2"]);
        File.Move(_tree["file"], _tree["d2/file"]);
        File.WriteAllText(_tree["d2/sub/after"], "a");
        _seen.WaitFor(s => s.Saw(ChangeKind.Deleted, "d") && s.Saw(ChangeKind.Changed, "d2") && s.Saw(ChangeKind.SubtreeDirty, "d2")
            && s.Saw(ChangeKind.Deleted, "file") && s.Saw(ChangeKind.Changed, "d2/file") && s.Saw(ChangeKind.Changed, "d2/sub/after"),
            "moves as delete + create, and the moved directory's new path");
    }

    [Fact]
    public void AutoPicksFanotifyWhereItCanAndSaysNothing()
    {
        using var w = new TreeWatcher(_tree.Root, new TreeWatcherOptions { Backend = WatchBackend.Auto }, _seen);
        w.Start();
        Assert.Equal(WatchBackend.Fanotify, w.Backend);
        Assert.Null(w.FallbackReason);
    }

    [Fact]
    public void TmpfsIsWatched()
    {
        using ScratchMount tmpfs = ScratchMount.Of("tmpfs");
        Directory.CreateDirectory(tmpfs["tree"]);
        using var w = new TreeWatcher(tmpfs["tree"], new TreeWatcherOptions { Backend = WatchBackend.Fanotify }, _seen);
        w.Start();
        Directory.CreateDirectory(tmpfs["tree/a/b"]);
        File.WriteAllText(tmpfs["tree/a/b/f"], "f");
        File.WriteAllText(tmpfs["outside"], "not in the tree");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "a/b/f"), "a file on tmpfs");
        Assert.Contains("tmpfs", w.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain(_seen.Changes, c => c.Path.Text.Contains("outside", StringComparison.Ordinal));
    }

    [Fact]
    public void FileSystemWithoutFileHandlesFallsBackToInotifyWithTheReason()
    {
        // ramfs has no export operations, so no file handles: fanotify_mark(FAN_MARK_FILESYSTEM) fails EOPNOTSUPP.
        using ScratchMount ramfs = ScratchMount.Of("ramfs");
        using (var auto = new TreeWatcher(ramfs.Point, new TreeWatcherOptions { Backend = WatchBackend.Auto }, _seen))
        {
            auto.Start();
            Assert.Equal(WatchBackend.Inotify, auto.Backend);
            Assert.Contains("ramfs file system does not give the file handles", auto.FallbackReason, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(ramfs.Point, "f"), "f");
            _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "f"), "the inotify fallback at work");
        }
        using var forced = new TreeWatcher(ramfs.Point, new TreeWatcherOptions { Backend = WatchBackend.Fanotify }, _seen);
        RsyncException ex = Assert.Throws<RsyncException>(forced.Start);
        Assert.Contains("with fanotify: the ramfs file system", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TreeHoldingAnotherMountFallsBackToInotify()
    {
        Directory.CreateDirectory(_tree["inner"]);
        var mount = new ProcessStartInfo("mount") { ArgumentList = { "-t", "tmpfs", "tmpfs", _tree["inner"] } };
        using (Process p = Process.Start(mount)!)
        {
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "mount -t tmpfs failed (these tests run as root)");
        }
        try
        {
            using var w = new TreeWatcher(_tree.Root, new TreeWatcherOptions { Backend = WatchBackend.Auto }, _seen);
            w.Start();
            Assert.Equal(WatchBackend.Inotify, w.Backend);
            Assert.Contains("is mounted inside the tree", w.FallbackReason, StringComparison.Ordinal);
        }
        finally
        {
            using Process u = Process.Start("umount", ["-l", _tree["inner"]]);
            u.WaitForExit();
        }
    }
}
