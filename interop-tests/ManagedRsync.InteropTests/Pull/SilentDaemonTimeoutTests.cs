using System.Globalization;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// A stock daemon whose connection stops answering in the middle of a transfer (its processes SIGSTOPped), under
/// --timeout=2: stock's client and ours end alike. io.c: check_timeout prints "[%s] io timeout after %d seconds --
/// exiting" with rsync.c: who_am_i (a receiver never times out: on a pull the generator does, on a push the sender)
/// and exits 30 (RERR_TIMEOUT). The daemon sends slowly (--bwlimit reaches it), so the stop falls mid-file.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class SilentDaemonTimeoutTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _name = "silent-" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        _sandbox.Dispose();
        foreach (string dir in new[] { Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), _name),
            Path.Combine(daemon.ModulePath(DaemonModules.Open), _name + "-ours"), Path.Combine(daemon.ModulePath(DaemonModules.Open), _name + "-theirs") })
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(true, "[generator] io timeout after 2 seconds -- exiting")]
    [InlineData(false, "[sender] io timeout after 2 seconds -- exiting")]
    public async Task A_daemon_silent_mid_transfer_ends_the_run_with_stocks_words(bool pull, string words)
    {
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), _name) : Path.Combine(_sandbox.Root, "src");
        Directory.CreateDirectory(source);
        var bytes = new byte[4_000_000];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(source, "big"), bytes);

        foreach (bool ours in new[] { false, true })
        {
            string dest = Path.Combine(_sandbox.Root, ours ? "ours" : "theirs");
            string[] args = pull
                ? ["-a", "--timeout=2", "--bwlimit=200", $"{daemon.Url}{DaemonModules.ReadOnly}/{_name}/", dest + "/"]
                : ["-a", "--timeout=2", "--bwlimit=200", source + "/", $"{daemon.Url}{DaemonModules.Open}/{_name}-{(ours ? "ours" : "theirs")}/"];
            // Stock's own pulling client often does not time out at all: CI runs saw it still waiting 60 s after the
            // daemon stopped mid-file (io.c check_timeout: successful writes, keep-alives included, keep a generator
            // from timing out, as stock's comment there says; our reader times out on what it reads). Stock gets two
            // rounds on a pull; when it timed out in neither, ours alone is held to the words io.c prints (protocol-notes
            // §88). On a push stock's sender times out every time and must.
            Directory.CreateDirectory(dest);
            ProcessResult result = await StopMidFileAsync(args, ours, pull ? dest : null);
            if (!ours && pull && result.ExitCode == StockKilled)
            {
                foreach (string left in Directory.EnumerateFileSystemEntries(dest))
                    File.Delete(left);
                result = await StopMidFileAsync(args, ours, dest);
                if (result.ExitCode == StockKilled)
                    continue;
            }

            Assert.True(result.ExitCode == 30, daemon.Explain(result));
            Assert.True(result.Stderr.StartsWith(words + "\n", StringComparison.Ordinal), daemon.Explain(result));
            Assert.Contains("timeout in data send/receive (code 30)", result.Stderr, StringComparison.Ordinal);
        }
    }

    // timeout(1)'s exit when it had to kill stock's client (128 + SIGKILL).
    private const int StockKilled = 137;

    // One run whose daemon connection is stopped mid-file. Stock's client is killed 40 s after its start on a push and
    // 20 s on a pull (timeout(1)): one that times out ends well before that (a push first writes its 4 MB at
    // --bwlimit=200 into the socket, about 20 s; a pull is stopped a second after its file's first bytes arrive and
    // ends within seconds of that), and a round it does not time out in costs 20 s instead of ToolProcess.HangLimit.
    private async Task<ProcessResult> StopMidFileAsync(string[] args, bool ours, string? receiving)
    {
        int pid = daemon.ProcessId ?? throw new InvalidOperationException("the daemon is not running");
        HashSet<int> before = [.. Descendants(pid)];
        Task<ProcessResult> run = ours ? daemon.RunMrsyncAsync(args)
            : ToolProcess.RunAsync("timeout", ["-s", "KILL", receiving is null ? "40" : "20", daemon.RsyncPath, .. args], new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = null });
        List<int> connection = await ConnectionAsync(pid, before, run, receiving);
        Signal("STOP", connection);
        try
        {
            return await run;
        }
        finally
        {
            Signal("CONT", connection);
        }
    }

    // The processes the daemon started for this run (the connection; on a push also its forked receiver), once the
    // transfer has been under way for a second; on a pull, once the file's temporary copy has appeared in
    // <paramref name="receiving"/> (under load the list can take longer than that: the stop must fall mid-file).
    private static async Task<List<int>> ConnectionAsync(int daemonPid, HashSet<int> before, Task<ProcessResult> run, string? receiving)
    {
        for (int i = 0; i < 200 && !run.IsCompleted; i++)
        {
            if (Descendants(daemonPid).Any(p => !before.Contains(p)))
                break;
            await Task.Delay(50);
        }
        for (int i = 0; receiving is not null && i < 600 && !run.IsCompleted; i++)
        {
            if (Directory.Exists(receiving) && Directory.EnumerateFiles(receiving).Any())
                break;
            await Task.Delay(50);
        }
        await Task.Delay(1000);
        List<int> mine = [.. Descendants(daemonPid).Where(p => !before.Contains(p))];
        Assert.NotEmpty(mine);
        return mine;
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int p))
                continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[p] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
        {
            int parent = queue.Dequeue();
            foreach (var (child, ppid) in parents)
            {
                if (ppid == parent)
                {
                    found.Add(child);
                    queue.Enqueue(child);
                }
            }
        }
        return found;
    }

    private static void Signal(string name, List<int> pids)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{name}", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))]);
        kill.WaitForExit();
    }
}
