using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch` run as an unprivileged user (setpriv to nobody when the tests run as root, where permissions do not
/// bite) over a world-readable tree with one chmod 000 directory, pushing with --delete to the stock daemon or copying
/// to a local replica (which gets the same handling: the unreadable directory is reported and its old copy kept).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WatchPermissionTests(RsyncDaemonFixture daemon)
{
    private const UnixFileMode Open = (UnixFileMode)0x1ED; // 0755

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnreadableDirectoryIsReportedKeptOnTheReplicaAndTheRestConverges(bool localReplica)
    {
        using var s = new WatchScenario(daemon, localReplica: localReplica);
        File.SetUnixFileMode(s.Work, Open);
        File.SetUnixFileMode(s.Source, Open);
        s.Write("a", "a\n");
        Directory.CreateDirectory(s.P("ok"));
        s.Write("ok/o", "o\n");
        Directory.CreateDirectory(s.P("locked/inner"));
        s.Write("locked/inner/s", "s\n");
        File.SetUnixFileMode(s.P("locked"), UnixFileMode.None);
        // What the replica already holds: a stale file --delete must remove, and the unreadable directory's old copy,
        // which must be left alone (the watcher cannot know what is in it now).
        Directory.CreateDirectory(Path.Combine(s.Replica, "locked"));
        File.WriteAllText(Path.Combine(s.Replica, "locked/old"), "old\n");
        File.WriteAllText(Path.Combine(s.Replica, "stale"), "stale\n");

        if (localReplica && Environment.UserName == "root")
        {
            // The watcher runs as nobody below: the local replica must be nobody's to write.
            ProcessResult chown = await ToolProcess.RunAsync("chown", ["-R", "65534:65534", s.Replica]);
            Assert.True(chown.ExitCode == 0, chown.ToString());
        }
        string[]? wrapper = Environment.UserName == "root"
            ? [ToolProcess.FindOnPath("setpriv") ?? throw new InvalidOperationException("setpriv is not installed (util-linux)"),
                "--reuid=65534", "--regid=65534", "--clear-groups"]
            : null;
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", s.Source + "/", s.Destination], wrapper);
        await s.Watcher.WaitForLogAsync("permission denied");
        string R(string relative) => Path.Combine(s.Replica, relative);
        await Converge.UntilAsync(() => File.Exists(R("ok/o")) && File.Exists(R("a")) && !File.Exists(R("stale")),
            "initial sync without the stale file", s.Explain);

        s.Write("b", "b\n");
        File.Delete(s.P("a"));
        Directory.CreateDirectory(s.P("new/x"));
        s.Write("new/x/y", "y\n");
        await Converge.UntilAsync(() => File.Exists(R("b")) && !File.Exists(R("a")) && File.Exists(R("new/x/y")),
            "b and new/x/y sent, a deleted", s.Explain);
        Assert.Equal("old\n", File.ReadAllText(R("locked/old")));
        Assert.False(File.Exists(R("locked/inner/s")));
        Assert.Equal(0, s.Watcher.CountLog("failed (attempt"));

        // Readable again (IN_ATTRIB on it): it is watched and sent, and the replica converges entirely.
        File.SetUnixFileMode(s.P("locked"), Open);
        await s.ConvergedAsync();
        s.Write("locked/inner/later", "later\n");
        await s.ConvergedAsync();
    }
}
