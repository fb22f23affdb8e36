using System.Diagnostics;
using System.Text;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// `mrsync inotifywait` against the real inotifywait (inotify-tools): both watch the same directory while the same
/// operations run, and must print the same lines. Readiness is checked by probe files, stripped from both outputs.
/// </summary>
public sealed class InotifywaitCompatTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string InotifywaitPath()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string p = Path.Combine(dir, "inotifywait");
            if (File.Exists(p))
                return p;
        }
        Assert.Fail("inotifywait (inotify-tools) is not installed; .ci/run installs it. These tests compare against it.");
        return "";
    }

    /// <summary>Runs <paramref name="ops"/> under both and returns (real, ours) output lines.</summary>
    private (string[] Real, string[] Ours) RunBoth(string[] args, Action<string> ops, bool simultaneous = true)
    {
        string[] fullArgs = [.. args, _tree.Root];
        string real = RunReal(fullArgs, ops, simultaneous ? null : new ManualResetEventSlim(), out string ours);
        return (Clean(real), Clean(ours));
    }

    private static string[] Clean(string output) =>
        output.Split('\n').Where(l => l.Length > 0 && !l.Contains("probe", StringComparison.Ordinal)).ToArray();

    private string RunReal(string[] args, Action<string> ops, ManualResetEventSlim? sequential, out string ours)
    {
        var psi = new ProcessStartInfo(InotifywaitPath()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        var oursOut = new MemoryStream();
        using var stop = new CancellationTokenSource();
        using var ready = new ManualResetEventSlim();
        Thread? mine = null;
        void StartOurs()
        {
            mine = new Thread(() => InotifywaitCommand.Run(args, oursOut, TextWriter.Null, stop.Token, ready.Set));
            mine.Start();
            Assert.True(ready.Wait(TimeSpan.FromSeconds(20)));
        }
        string realText;
        if (sequential is null)
            StartOurs();
        using (Process p = Process.Start(psi)!)
        {
            var realOut = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (realOut) realOut.Append(e.Data).Append('\n'); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            WaitForProbe(() => { lock (realOut) return realOut.ToString(); });
            ops(_tree.Root);
            WaitForProbe(() => { lock (realOut) return realOut.ToString(); }, final: true);
            p.Kill();
            p.WaitForExit();
            lock (realOut)
                realText = realOut.ToString();
        }
        if (sequential is not null)
        {
            StartOurs();
            ops(_tree.Root);
            WaitForProbe(() => { lock (oursOut) return Encoding.UTF8.GetString(oursOut.ToArray()); }, final: true);
        }
        else
            WaitForProbe(() => { lock (oursOut) return Encoding.UTF8.GetString(oursOut.ToArray()); }, final: true, name: "probe-end");
        stop.Cancel();
        mine!.Join();
        ours = Encoding.UTF8.GetString(oursOut.ToArray());
        return realText;
    }

    private int _probe;

    /// <summary>Creates probe files until one shows up in the output (the watcher is live / has caught up).</summary>
    private void WaitForProbe(Func<string> output, bool final = false, string? name = null)
    {
        string prefix = name ?? (final ? "probe-end" : "probe-start");
        if (name is not null && output().Contains(name, StringComparison.Ordinal))
            return;
        DateTime until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            string probe = $"{prefix}";
            if (name is null)
            {
                probe = $"{prefix}-{Interlocked.Increment(ref _probe)}";
                File.WriteAllText(_tree[probe], "");
                File.Delete(_tree[probe]);
            }
            for (int i = 0; i < 20; i++)
            {
                if (output().Contains(probe, StringComparison.Ordinal) || (name is not null && output().Contains(name, StringComparison.Ordinal)))
                    return;
                Thread.Sleep(10);
            }
            if (DateTime.UtcNow > until)
                Assert.Fail($"watcher never reported the probe file; output so far: {output()}");
        }
    }

    private static void Ops(string root)
    {
        void S() => Thread.Sleep(60);
        File.WriteAllText(Path.Combine(root, "a.txt"), "hi"); S();
        Directory.CreateDirectory(Path.Combine(root, "d")); S();
        File.WriteAllText(Path.Combine(root, "d/x"), "x"); S();
        File.Move(Path.Combine(root, "a.txt"), Path.Combine(root, "d/a.txt")); S();
        File.Delete(Path.Combine(root, "d/x")); S();
        File.WriteAllText(Path.Combine(root, "d/tmp"), "new content"); S();
        File.Move(Path.Combine(root, "d/tmp"), Path.Combine(root, "d/a.txt"), overwrite: true); S();
        Directory.Move(Path.Combine(root, "d"), Path.Combine(root, "e")); S();
        File.WriteAllText(Path.Combine(root, "e/after-rename"), "y"); S();
        Directory.Delete(Path.Combine(root, "e"), recursive: true); S();
        File.CreateSymbolicLink(Path.Combine(root, "lnk"), "/etc"); S();
        File.Delete(Path.Combine(root, "lnk")); S();
    }

    [Fact]
    public void SeedScriptFormatMatchesInotifywait()
    {
        // The seed's loop: inotifywait -mrq /data --format "%w%f" -e create,delete,moved_to,close_write
        (string[] real, string[] ours) = RunBoth(["-mrq", "--format", "%w%f", "-e", "create,delete,moved_to,close_write"], Ops);
        Assert.NotEmpty(real);
        Assert.Equal(real, ours);
    }

    [Fact]
    public void SeedTimeFormatAndSeparatorsMatchInotifywait()
    {
        (string[] real, string[] ours) = RunBoth(
            ["-mrq", "--timefmt", "%d-%m-%y", "--format", "%T %w%f 事件信息: %e %:e %Xe", "-e", "create", "-e", "delete,moved_to,close_write,moved_from"], Ops);
        Assert.NotEmpty(real);
        Assert.Equal(real, ours);
    }

    [Fact]
    public void CsvWithAwkwardNamesMatchesInotifywait()
    {
        (string[] real, string[] ours) = RunBoth(["-mrqc", "-e", "create,delete"], root =>
        {
            File.WriteAllText(Path.Combine(root, "a,b\"c.txt"), "");
            Directory.CreateDirectory(Path.Combine(root, "sp ace"));
            File.WriteAllText(Path.Combine(root, "new\nline"), "");
        });
        Assert.Equal(4, real.Length); // three creates; the name with a newline is quoted over two lines
        Assert.Equal(real, ours);
    }

    [Fact]
    public void DefaultFormatAllEventsMatchesInotifywait()
    {
        // All events, so each tool's own directory listings show up: run one after the other, not side by side.
        (string[] real, string[] ours) = RunBoth(["-mr"], root =>
        {
            // No data writes: how many IN_MODIFY the kernel merges depends on when each reader reads.
            void S() => Thread.Sleep(60);
            File.Create(Path.Combine(root, "a.txt")).Dispose(); S();
            Directory.CreateDirectory(Path.Combine(root, "d")); S();
            File.Create(Path.Combine(root, "d/x")).Dispose(); S();
            File.Move(Path.Combine(root, "a.txt"), Path.Combine(root, "d/a.txt")); S();
            File.Delete(Path.Combine(root, "d/x")); S();
            Directory.Move(Path.Combine(root, "d"), Path.Combine(root, "e")); S();
            Directory.Delete(Path.Combine(root, "e"), recursive: true); S();
            File.CreateSymbolicLink(Path.Combine(root, "lnk"), "/etc"); S();
            File.Delete(Path.Combine(root, "lnk")); S();
        }, simultaneous: false);
        Assert.Contains("CREATE,ISDIR d", string.Join('\n', real), StringComparison.Ordinal);
        Assert.Equal(real, ours);
    }
}
