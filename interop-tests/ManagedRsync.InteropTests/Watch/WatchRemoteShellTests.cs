using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch SRC/ USER@HOST:/path` through a real OpenSSH server on loopback (<see cref="SshdFixture"/>) to stock
/// rsync's server on the far side: the replica converges after each kind of change, with the same batching, journal
/// and retry as a daemon replica, and at most one shell per transfer (a batch is at most two transfers). The -e
/// command is a wrapper around the fixture's ssh that counts its starts and can be made to fail like an unreachable
/// host (ssh's exit 255).
/// </summary>
[Collection(SshdCollection.Name)]
public sealed class WatchRemoteShellTests(SshdFixture sshd)
{
    private sealed class CountingShell
    {
        public CountingShell(string dir, string rsh)
        {
            Script = Path.Combine(dir, "counting-ssh");
            Starts = Path.Combine(dir, "starts");
            Down = Path.Combine(dir, "down");
            File.WriteAllText(Script, $"""
                #!/bin/sh
                echo start >> '{Starts}'
                if [ -e '{Down}' ]; then echo 'ssh: connect to host 127.0.0.1: Connection refused' >&2; exit 255; fi
                exec {rsh} "$@"
                """);
            File.SetUnixFileMode(Script, (UnixFileMode)0x1ED); // 0755
        }

        public string Script { get; }
        public string Starts { get; }
        public string Down { get; }
        public int Count => File.Exists(Starts) ? File.ReadAllLines(Starts).Length : 0;
    }

    private async Task<(WatchScenario S, CountingShell Shell)> StartAsync(bool journal = false)
    {
        var s = new WatchScenario(null, localReplica: true);
        string[] extra = journal ? ["--state-dir", Path.Combine(s.Work, "state")] : [];
        var shell = new CountingShell(s.Work, sshd.Rsh);
        s.Write("a", "a\n");
        Directory.CreateDirectory(s.P("dir/sub"));
        s.Write("dir/sub/b", "b\n");
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", "-e", shell.Script, .. extra,
            s.Source + "/", sshd.Remote(s.Replica)]);
        await s.Watcher.WaitForLogAsync("batch full sync");
        await s.ConvergedAsync();
        return (s, shell);
    }

    [Fact]
    public async Task ReplicaOverSshConvergesWithOneShellPerTransfer()
    {
        (WatchScenario s, CountingShell shell) = await StartAsync();
        using (s)
        {
            s.Write("new", "new\n");
            File.AppendAllText(s.P("a"), "more\n");
            await s.ConvergedAsync();
            File.Delete(s.P("new"));
            Directory.Move(s.P("dir"), s.P("moved"));
            Directory.CreateDirectory(s.P("p/q/r"));
            s.Write("p/q/r/deep", "deep\n");
            File.CreateSymbolicLink(s.P("link"), "a");
            await s.ConvergedAsync();
            File.SetUnixFileMode(s.P("a"), (UnixFileMode)0x180); // 0600
            await s.ConvergedAsync();

            // Every shell start is one transfer of a logged batch (a batch: its paths, then its re-sent trees).
            int batches = s.Watcher!.CountLog(": batch ");
            Assert.True(shell.Count <= 2 * batches, $"{shell.Count} shells for {batches} batches\n{s.Explain()}");
            Assert.Equal(0, s.Watcher.CountLog("failed (attempt"));
        }
    }

    [Fact]
    public async Task UnreachableHostIsRetriedFromTheJournalAndConverges()
    {
        (WatchScenario s, CountingShell shell) = await StartAsync(journal: true);
        using (s)
        {
            File.WriteAllText(shell.Down, "");
            s.Write("while-down", "w\n");
            File.Delete(s.P("a"));
            await s.Watcher!.WaitForLogAsync("failed (attempt 2");
            Assert.Contains("Connection refused", s.Watcher.Log, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(s.Replica, "while-down")));
            File.Delete(shell.Down);
            await s.ConvergedAsync();
        }
    }
}
