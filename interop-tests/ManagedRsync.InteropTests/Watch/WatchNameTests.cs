using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// Names that are not valid UTF-8 (GBK, Latin-1) or hold a newline: the watcher keeps them as bytes, the push (or the
/// local copy, for a local replica) sends those exact bytes, and the replica converges (names, types, link targets, contents by <see cref="RawFiles"/>). The
/// files are made by bash ($'\ooo' names) since .NET's string file APIs cannot name them.
/// </summary>
public abstract class WatchNameTests(RsyncDaemonFixture daemon, string backend, bool localReplica = false)
{
    private static async Task ShAsync(string dir, string script)
    {
        ProcessResult r = await ToolProcess.RunAsync("bash", ["-c", "cd \"$1\" && " + script, "sh", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private static string Describe(string dir)
    {
        try
        {
            return Directory.Exists(dir) ? RawFiles.Describe(dir) : "";
        }
        catch (IOException)
        {
            return "(changing)"; // the daemon's temporary files come and go under the scan
        }
    }

    private static async Task ConvergedAsync(WatchScenario s)
    {
        string want = "", got = "";
        var end = DateTime.UtcNow + Converge.Deadline;
        while (DateTime.UtcNow < end)
        {
            want = Describe(s.Source);
            got = Describe(s.Replica);
            if (want == got)
                return;
            await Task.Delay(25);
        }
        Assert.Fail($"the replica did not converge.\n--- source ---\n{want}\n--- replica ---\n{got}\n{s.Explain()}");
    }

    [Fact]
    public async Task NamesThatAreNotUtf8OrHoldANewlineKeepTheirBytes()
    {
        using var s = new WatchScenario(daemon, backend: backend, localReplica: localReplica);
        try
        {
            await ShAsync(s.Source, "printf old > $'caf\\351'");
            await s.StartWatchAsync();
            await ConvergedAsync(s);

            // GBK file, a directory with a Latin-1 name and a file in it, a newline in a name, a symlink to a GBK name
            await ShAsync(s.Source, "printf gbk > $'gbk-\\304\\343\\272\\303.txt' && mkdir $'dir\\376' && printf in > $'dir\\376/in\\377' "
                + "&& printf nl > $'new\\nline' && ln -s $'gbk-\\304\\343\\272\\303.txt' $'link\\351'");
            await ConvergedAsync(s);

            // modify, rename and delete such names
            await ShAsync(s.Source, "printf changed >> $'gbk-\\304\\343\\272\\303.txt' && mv $'dir\\376' $'dir2\\375' "
                + "&& rm $'caf\\351' && mv $'new\\nline' $'re\\nnamed'");
            await ConvergedAsync(s);
            string replica = Describe(s.Replica);
            Assert.Contains(@"re\x0anamed", replica, StringComparison.Ordinal);
            Assert.DoesNotContain("caf", replica, StringComparison.Ordinal);
        }
        finally
        {
            // .NET's Directory.Delete cannot name these files. The watcher goes first: a push still under way would
            // make a removed name again (a CI run saw the replica's renamed directory come back after the rm).
            s.Watcher?.Dispose();
            s.Watcher = null;
            await ToolProcess.RunAsync("rm", ["-rf", s.Source, s.Replica]);
        }
    }
}

/// <summary><see cref="WatchNameTests"/> with one inotify watch per directory.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class InotifyWatchNameTests(RsyncDaemonFixture daemon) : WatchNameTests(daemon, "inotify");

/// <summary><see cref="WatchNameTests"/> with the fanotify file-system mark (root, as CI runs them).</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class FanotifyWatchNameTests(RsyncDaemonFixture daemon) : WatchNameTests(daemon, "fanotify");

/// <summary><see cref="WatchNameTests"/> with a local replica (the local-copy engine), on inotify.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class LocalReplicaWatchNameTests(RsyncDaemonFixture daemon) : WatchNameTests(daemon, "inotify", localReplica: true);
