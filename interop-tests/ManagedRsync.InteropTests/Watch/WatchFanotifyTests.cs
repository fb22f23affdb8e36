using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Watch;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch` on fanotify against the stock daemon, for what only the file-system mark changes: a directory of
/// 100,000 files moved in, around and out in one rename each; and the automatic choice falling back to inotify, with
/// its one log line, when the process is not privileged (run as nobody) or the file system gives no file handles
/// (ramfs). Runs as root, as CI does; a missing privilege fails the tests with fanotify's reason.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class WatchFanotifyTests(RsyncDaemonFixture daemon)
{
    private const int ManyFiles = 100_000;

    [Fact]
    public async Task DirectoryOfAHundredThousandFilesMovedInAroundAndOutConverges()
    {
        using var s = new WatchScenario(daemon, backend: "fanotify");
        string big = Path.Combine(s.Outside, "big");
        Directory.CreateDirectory(big);
        for (int i = 0; i < ManyFiles; i++)
            File.WriteAllBytes(Path.Combine(big, $"f{i:D6}"), []);
        s.Write("marker", "m\n");
        await s.StartWatchAsync();
        string R(string relative) => Path.Combine(s.Replica, relative);
        int Count(string dir) => Directory.Exists(dir) ? Directory.EnumerateFiles(dir).Count() : -1;
        TimeSpan bound = TimeSpan.FromMinutes(3);

        Directory.Move(big, s.P("big"));
        await Converge.UntilAsync(() => Count(R("big")) == ManyFiles, "the moved-in directory's 100,000 files on the replica", s.Explain, bound);

        Directory.CreateDirectory(s.P("sub"));
        Directory.Move(s.P("big"), s.P("sub/renamed"));
        s.Write("sub/renamed/after-move", "a\n");
        await Converge.UntilAsync(() => Count(R("sub/renamed")) == ManyFiles + 1 && !Directory.Exists(R("big")),
            "the directory under its new name, with a file written after the move", s.Explain, bound);

        Directory.Move(s.P("sub/renamed"), big);
        await Converge.UntilAsync(() => !Directory.Exists(R("sub/renamed")), "the directory moved out is deleted on the replica", s.Explain, bound);
        await s.ConvergedAsync();
    }

    [Fact]
    public async Task UnprivilegedAutoFallsBackToInotifyAndSaysWhyWhileForcedFanotifyFails()
    {
        Assert.True(Environment.UserName == "root", "this test drops root's capabilities with setpriv; run the tests as root, as CI does");
        using var s = new WatchScenario(daemon);
        File.SetUnixFileMode(s.Work, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(s.Source, (UnixFileMode)0x1FF);
        s.Write("a", "a\n");
        string[] nobody = [ToolProcess.FindOnPath("setpriv") ?? throw new InvalidOperationException("setpriv is not installed (util-linux)"),
            "--reuid=65534", "--regid=65534", "--clear-groups"];

        using (WatchProcess forced = WatchProcess.Start(["-a", "--backend", "fanotify", s.Source + "/", s.Destination], nobody))
        {
            int rc = await forced.WaitForExitAsync();
            Assert.True(rc != 0, $"--backend fanotify as nobody exited 0:\n{forced.Log}");
            Assert.Contains("with fanotify: a file-system mark needs CAP_SYS_ADMIN", forced.Log, StringComparison.Ordinal);
        }

        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", s.Source + "/", s.Destination], nobody);
        await s.Watcher.WaitForLogAsync("batch full sync");
        Assert.Equal(1, s.Watcher.CountLog("watch backend: inotify, not fanotify: a file-system mark needs CAP_SYS_ADMIN"));
        s.Write("b", "b\n");
        await s.ConvergedAsync();
    }

    [Fact]
    public async Task FileSystemWithoutFileHandlesFallsBackToInotifyAndConverges()
    {
        using var s = new WatchScenario(daemon);
        using (ScratchMount.Over("ramfs", s.Source))
        {
            s.Write("a", "a\n");
            await s.StartWatchAsync();
            Assert.Equal(1, s.Watcher!.CountLog("watch backend: inotify, not fanotify: the ramfs file system does not give the file handles fanotify reports"));
            Directory.CreateDirectory(s.P("d/e"));
            s.Write("d/e/f", "f\n");
            await s.ConvergedAsync();
            s.Watcher.Dispose();
            s.Watcher = null; // stopped before its file system is unmounted
        }
    }
}
