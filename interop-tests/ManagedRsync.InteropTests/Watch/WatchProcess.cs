using System.Diagnostics;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch` running as its own process, as a service would (so it can be SIGKILLed, SIGSTOPped, traced, or run
/// as another user). The program is MRSYNC_BIN when set (e.g. the NativeAOT build), otherwise the CLI assembly built
/// next to the tests, run by the dotnet host with the test project's runtime config (the CLI's own apphost is
/// self-contained and cannot run from here). Its log (stderr) is collected line by line.
/// </summary>
internal sealed class WatchProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private WatchProcess(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                    _log.Add(e.Data);
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                    _log.Add("stdout: " + e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>The process has not exited (a fault must not have ended it).</summary>
    public bool IsRunning => !_process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
                return string.Join('\n', _log);
        }
    }

    /// <summary>Starts `mrsync watch ARGS`, behind <paramref name="wrapper"/> (e.g. strace or setpriv and their options) if given.</summary>
    public static WatchProcess Start(IEnumerable<string> args, IEnumerable<string>? wrapper = null)
    {
        var command = new List<string>();
        if (wrapper is not null)
            command.AddRange(wrapper);
        command.AddRange(MrsyncCommand());
        command.Add("watch");
        command.AddRange(args);
        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string a in command.Skip(1))
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("RSYNC_PASSWORD");
        psi.Environment.Remove("NOTIFY_SOCKET");
        return new WatchProcess(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]}"));
    }

    /// <summary>The argv prefix that runs mrsync.</summary>
    public static List<string> MrsyncCommand()
    {
        string? binary = Environment.GetEnvironmentVariable("MRSYNC_BIN");
        if (!string.IsNullOrEmpty(binary))
            return [binary];
        string dir = AppContext.BaseDirectory;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : ToolProcess.FindOnPath("dotnet") ?? throw new InvalidOperationException("dotnet host not found (DOTNET_HOST_PATH, PATH)");
        return [dotnet, "exec",
            "--runtimeconfig", Path.Combine(dir, "ManagedRsync.InteropTests.runtimeconfig.json"),
            "--depsfile", Path.Combine(dir, "ManagedRsync.InteropTests.deps.json"),
            Path.Combine(dir, "mrsync.dll")];
    }

    /// <summary>Waits until a log line contains <paramref name="text"/> (count times); fails with the log if it never does.</summary>
    public async Task WaitForLogAsync(string text, int count = 1, TimeSpan? deadline = null)
    {
        var end = DateTime.UtcNow + (deadline ?? Converge.Deadline);
        while (DateTime.UtcNow < end)
        {
            if (CountLog(text) >= count)
                return;
            if (_process.HasExited)
                break;
            await Task.Delay(20);
        }
        Assert.Fail($"the watcher's log never showed \"{text}\" ({count}x); exited: {_process.HasExited}\n--- watch log ---\n{Log}");
    }

    public int CountLog(string text)
    {
        lock (_log)
            return _log.Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>Sends a signal by name (KILL, TERM, STOP, CONT) with kill(1).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString() } })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
    }

    /// <summary>SIGKILL: the watcher gets no chance to flush or write anything.</summary>
    public void KillHard()
    {
        Signal("KILL");
        _process.WaitForExit();
    }

    /// <summary>Waits for the process to end (after a signal sent some other way).</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(ToolProcess.HangLimit);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM and the exit code (the pending batch is flushed first).</summary>
    public async Task<int> StopAsync()
    {
        Signal("TERM");
        using var cts = new CancellationTokenSource(ToolProcess.HangLimit);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
