using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch` never starts another program: run under `strace -f`, the only execve is the one that started it,
/// and every clone is a thread (CLONE_THREAD), never a process, through startup, batches of changes and shutdown.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WatchNoSpawnTests(RsyncDaemonFixture daemon)
{
    [Fact]
    public async Task NoProcessIsSpawned()
    {
        string strace = ToolProcess.FindOnPath("strace")
            ?? throw new InvalidOperationException("strace is not installed: apt-get install -y strace");
        using var s = new WatchScenario(daemon);
        s.Write("a", "a\n");
        string trace = Path.Combine(s.Work, "trace");
        s.Watcher = WatchProcess.Start(["-a", "--delete", "--delay", "10ms", s.Source + "/", s.Destination],
            wrapper: [strace, "-f", "-qq", "-e", "trace=execve,execveat,fork,vfork,clone,clone3", "-o", trace]);
        await s.Watcher.WaitForLogAsync("batch full sync");
        await s.ConvergedAsync();
        Directory.CreateDirectory(s.P("d/e"));
        s.Write("d/e/f", "f\n");
        File.Delete(s.P("a"));
        await s.ConvergedAsync();

        // SIGTERM to the watcher itself (strace is its parent), then strace ends with it.
        string[] first = File.ReadLines(trace).First().Split(' ', 2);
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", first[0]]))
            term.WaitForExit();
        await s.Watcher.WaitForExitAsync();

        string[] calls = [.. File.ReadAllLines(trace).Where(l => !l.Contains("resumed>", StringComparison.Ordinal) && !l.Contains("+++", StringComparison.Ordinal) && !l.Contains("---", StringComparison.Ordinal))];
        string all = string.Join('\n', calls);
        Assert.Single(calls, l => l.Contains(" execve", StringComparison.Ordinal) || l.Contains(" execveat", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, l => l.Contains(" fork(", StringComparison.Ordinal) || l.Contains(" vfork(", StringComparison.Ordinal));
        string[] clones = [.. calls.Where(l => l.Contains(" clone", StringComparison.Ordinal))];
        Assert.True(clones.Length > 0, "strace saw no clone at all; the trace is not what this test expects:\n" + all);
        Assert.All(clones, l => Assert.True(l.Contains("CLONE_THREAD", StringComparison.Ordinal), "a clone that is not a thread:\n" + l));
        Assert.True(s.Watcher.CountLog(" batch ") >= 2, "expected the full sync and at least one batch of changes:\n" + s.Watcher.Log);
    }
}
