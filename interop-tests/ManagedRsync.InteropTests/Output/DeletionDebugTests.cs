using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --debug=del1-3 next to stock rsync 3.5.0 (generator.c: delete_in_dir, do_delete_pass; delete.c: delete_item,
/// delete_dir_contents): the same lines in the same order, tree and exit code for a local copy and a pull from the
/// stock daemon, over a destination with extraneous files, symlinks and nested directories, a protected name inside a
/// directory to delete (stock's "cannot delete non-empty directory" twice for the inner one), a directory and a
/// symlink in the way of files, a file in the way of a directory, each --delete timing and a dry run.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class DeletionDebugTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    private static void CreateSource(string src)
    {
        LocalSource.Write(src, "a", "a");
        LocalSource.Write(src, "d/b", "b");
        LocalSource.Write(src, "newd/n/f", "n");
        LocalSource.Write(src, "dirfile", "w");
        File.CreateSymbolicLink(Path.Combine(src, "lnk"), "a");
        Directory.CreateDirectory(Path.Combine(src, "wasfile"));
    }

    private static void CreateDestination(string dest)
    {
        LocalSource.Write(dest, "d/x/y/keep.o", "k");
        LocalSource.Write(dest, "d/x/y/z", "z");
        LocalSource.Write(dest, "d/x/f", "f");
        File.CreateSymbolicLink(Path.Combine(dest, "d/x/l"), "a");
        LocalSource.Write(dest, "d/q/r/qq", "q");
        LocalSource.Write(dest, "top", "t");
        LocalSource.Write(dest, "dirfile/in", "1");
        LocalSource.Write(dest, "lnk", "s");
        LocalSource.Write(dest, "wasfile", "f");
        File.CreateSymbolicLink(Path.Combine(dest, "a"), "zz");
    }

    [Theory]
    [InlineData("-r --delete --exclude=keep.o --debug=del3")]
    [InlineData("-r --delete-delay --debug=del2")]
    [InlineData("-rn --delete-delay --debug=del3")]
    [InlineData("-r --delete-before --debug=del1")]
    [InlineData("-r --delete-after --exclude=keep.o --debug=del3")]
    [InlineData("-rt --delete --no-i-r --exclude=keep.o --debug=del2")]
    [InlineData("-rtn --delete-after --exclude=keep.o --debug=del2")]
    [InlineData("-r --force --debug=del3")]
    public async Task LocalCopyPrintsStocksLines(string args)
    {
        CreateSource(_pair.Source);
        CreateDestination(_pair.Stock);
        CreateDestination(_pair.Ours);
        var outcome = await _pair.RunAsync(args.Split(' '));
        outcome.AssertExit(0).AssertSameOutputInOrder();
        Assert.Equal(outcome.Stock.Stderr, outcome.Ours.Stderr);
        outcome.AssertSameTrees(times: false);
    }

    [Theory]
    [InlineData("-r --delete --exclude=keep.o --debug=del3", "")]
    [InlineData("-rn --delete-after --debug=del3", "")]
    [InlineData("-r --delete-delay --debug=del2", "")]
    // rsync's malicious-sender-delete-scope: a -R pull of one file, its implied parent never swept.
    [InlineData("-rR --delete --debug=del2", "d/b")]
    public async Task PullPrintsStocksLines(string args, string path)
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "deldebug-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            CreateSource(source);
            string ours = Path.Combine(_sandbox.Root, "ours"), theirs = Path.Combine(_sandbox.Root, "theirs");
            CreateDestination(ours);
            CreateDestination(theirs);
            // "/./" ends the part -R leaves out (the sender's flist.c: send_file_list).
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/" + (path.Length > 0 ? "./" + path : "");
            string[] argv = [.. args.Split(' '), url];
            var stock = await daemon.RunRsyncAsync([.. argv, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. argv, ours + "/"]);
            Assert.True(stock.ExitCode == mine.ExitCode, daemon.Explain(mine, stock));
            Assert.Equal(0, mine.ExitCode);
            Assert.Equal(stock.Stdout, mine.Stdout);
            Assert.Equal(stock.Stderr, mine.Stderr);
            Assert.Equal(TreeSnapshot.Of(theirs, times: false, rootTimes: false), TreeSnapshot.Of(ours, times: false, rootTimes: false));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }
}
