using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// "fake super = yes" (clientserver.c: rsync_module, am_root = -1): a receiving module keeps owner, group, full mode and
/// device numbers in the user.rsync.%stat xattr and stores symlinks and devices as regular files (xattrs.c:
/// set_stat_xattr; syscall.c: do_symlink_at, do_mknod); a sending module lists what the xattr says. Stock's client
/// pushes one tree into `rsync --daemon` and `mrsync daemon`, the module trees and their xattrs are compared byte for
/// byte, and stock pulls both back.
/// </summary>
public sealed partial class ModuleParameterTests
{
    private static bool IsRoot => FakeSuperTrees.IsRoot;

    private string FakeSuperTree() => FakeSuperTrees.Write(Path.Combine(_work, "fake-src"));

    private static string StatXattrs(string root) => FakeSuperTrees.StatXattrs(root);

    // Stock's fake-super receiver does not always set the time of a fake symlink, device or special, nor of the
    // directory holding them (in about half of the runs here they keep the time they were made at, for a source made
    // within the same second; mrsync always sets the sender's): the two modules are compared without times, and
    // mrsync's with the source after the pull.
    private static string SameTreeUntimed(string stockRoot, string oursRoot)
    {
        string tree = TreeSnapshot.Of(oursRoot, times: false);
        Assert.Equal(TreeSnapshot.Of(stockRoot, times: false), tree);
        return tree;
    }

    [Fact]
    public async Task A_fake_super_module_keeps_metadata_in_the_stat_xattr_as_stock_and_gives_it_back()
    {
        string src = FakeSuperTree();
        string url(RsyncDaemonFixture d) => d.Url + $"{ParameterModules.FakeSuper}/{_id}/";
        var push = await BothAsync(d => ["-aHi", src + "/", url(d)]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string stockModule = Module(stock, ParameterModules.FakeSuper), oursModule = Module(ours, ParameterModules.FakeSuper);
        // Nothing but regular files and directories in the module, with the same real modes, owners and times.
        string tree = SameTreeUntimed(stockModule, oursModule);
        Assert.DoesNotContain(" link ", tree);
        Assert.DoesNotContain(" fifo ", tree);
        Assert.DoesNotContain(" chr ", tree);
        string xattrs = StatXattrs(oursModule);
        Assert.Equal(StatXattrs(stockModule), xattrs);
        Assert.Contains("rel-link \"120777 0,0 " + (IsRoot ? "1234:5678" : ""), xattrs);
        Assert.Contains("sub/fifo \"10644 0,0 ", xattrs);
        Assert.Contains("setuid \"104755 0,0 ", xattrs);
        if (IsRoot)
        {
            Assert.Contains("sub/null \"20644 1,3 0:0\"", xattrs);
            Assert.Contains("blockdev \"60644 7,200 0:0\"", xattrs);
        }
        // A symlink is a file holding its target.
        Assert.Equal("../plain", File.ReadAllText(Path.Combine(oursModule, "sub", "up-link")));

        // Pushed again, the fake stat compares equal: nothing is itemized but what stock itemizes.
        var again = await BothAsync(d => ["-aHi", src + "/", url(d)]);
        AssertSame(again);
        Assert.Equal(StatXattrs(stockModule), StatXattrs(oursModule));

        // Changed modes and owners change the xattr (or remove it where the real file says it all) as stock's do.
        File.SetUnixFileMode(Path.Combine(src, "setuid"), (UnixFileMode)Convert.ToInt32("644", 8));
        File.SetUnixFileMode(Path.Combine(src, "private"), (UnixFileMode)Convert.ToInt32("640", 8));
        if (IsRoot)
            Assert.Equal(0, (await ToolProcess.RunAsync("chown", ["0:0", Path.Combine(src, "plain")])).ExitCode);
        var changed = await BothAsync(d => ["-aHi", src + "/", url(d)]);
        AssertSame(changed);
        SameTreeUntimed(stockModule, oursModule);
        Assert.Equal(StatXattrs(stockModule), StatXattrs(oursModule));

        // Stock pulls each module back: the trees are the source's (owners and devices as root).
        var pull = await BothAsync(d => ["-aHi", url(d), Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        string back = SameTreeUntimed(Local(stock), Local(ours));
        Assert.Contains("rel-link link 777 ", back);
        // What mrsync's module gives back is the source, times too (owners and devices as root).
        if (IsRoot)
            Assert.Equal(TreeSnapshot.Of(src, rootTimes: false), TreeSnapshot.Of(Local(ours), rootTimes: false));
    }

    [Fact]
    public async Task A_corrupt_stat_xattr_in_a_fake_super_module_ends_a_pull_as_stock()
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            string dir = Module(d, ParameterModules.FakeSuper);
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, "bad");
            File.WriteAllText(file, "x");
            FakeSuperTrees.SetStatXattr(file, "garbage");
        }
        var pull = await BothAsync(d => ["-a", d.Url + $"{ParameterModules.FakeSuper}/{_id}/", Local(d) + "/"]);
        Assert.Equal(pull.Stock.ExitCode, pull.Ours.ExitCode);
        Assert.Contains("Corrupt user.rsync.%stat xattr attached to", pull.Ours.Stderr);
    }
}
