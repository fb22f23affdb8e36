using System.Diagnostics;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Client;

/// <summary>How a long transfer ended: exit code, stderr, what the destination held afterwards, and how long it ran after the signal (in all, when none was sent).</summary>
internal sealed record SignalledRun(int Code, string Stderr, string[] Left, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {Code} after {Elapsed}, left [{string.Join(", ", Left)}]\n{Stderr}";
}

/// <summary>
/// A transfer of one large file paced by --bwlimit, run as its own process (stock's client or the mrsync executable)
/// so that it can be signalled or left to a time limit. The process starts through `env --default-signal`: a test
/// host started in the background by a non-interactive shell has SIGINT ignored, its children inherit that across
/// exec, and the .NET runtime (like a shell) leaves a signal ignored on entry ignored, so neither stock nor mrsync would
/// see SIGINT at all.
/// </summary>
internal static class LongTransfer
{
    /// <summary>Far longer than any stop this runs for; only a hang reaches it.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);

    /// <summary>4 MB that do not compress: over three minutes at --bwlimit=20.</summary>
    public static void WriteSource(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "big.bin"), Pull.PullTree.RandomBytes(4_000_000, 8));
    }

    /// <summary>
    /// Runs <paramref name="program"/>, waits until the receiver's temporary file for big.bin exists in
    /// <paramref name="dest"/> (the transfer is inside the file), sends SIGNAL (INT, TERM, HUP) and waits for the exit.
    /// </summary>
    public static async Task<SignalledRun> SignalAsync(string program, string[] args, string dest, string signal)
    {
        using Process process = Start(program, args);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!TransferStarted(dest) && !process.HasExited && waited.Elapsed < Deadline)
            await Task.Delay(50);
        if (!TransferStarted(dest))
        {
            string state = process.HasExited ? $"it exited ({process.ExitCode})" : $"no temporary file after {Deadline}";
            Kill(process);
            Assert.Fail($"{program} {string.Join(' ', args)}: {state}\n{await stderr}");
        }
        var afterSignal = Stopwatch.StartNew();
        using (Process kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, process.Id.ToString() } })
            ?? throw new InvalidOperationException("could not run kill"))
        {
            await kill.WaitForExitAsync();
            Assert.True(kill.ExitCode == 0, $"kill -s {signal} {process.Id} failed");
        }
        return await EndAsync(process, stderr, dest, afterSignal);
    }

    /// <summary>Runs <paramref name="program"/> to its own end (a time limit), with <see cref="Deadline"/> against a hang.</summary>
    public static async Task<SignalledRun> RunAsync(string program, string[] args, string dest)
    {
        using Process process = Start(program, args);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        return await EndAsync(process, stderr, dest, Stopwatch.StartNew());
    }

    private static Process Start(string program, string[] args)
    {
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM,HUP");
        start.ArgumentList.Add(program);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Remove("RSYNC_PASSWORD");
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        return process;
    }

    private static async Task<SignalledRun> EndAsync(Process process, Task<string> stderr, string dest, Stopwatch since)
    {
        using var limit = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException($"still running {Deadline} later: {string.Join(' ', process.StartInfo.ArgumentList)}");
        }
        TimeSpan took = since.Elapsed;
        process.WaitForExit(); // drains the redirected output
        return new SignalledRun(process.ExitCode, await stderr, await SettledLeftAsync(dest), took);
    }

    // On a push the daemon's receiver removes its temporary file as it exits, which may come after our client has
    // exited: what is left is read once the destination has stopped losing entries (or after 10 s).
    private static async Task<string[]> SettledLeftAsync(string dest)
    {
        string[] left = Left(dest);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (left.Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            left = Left(dest);
        }
        return left;
    }

    // A receiver's temporary file is ".NAME.XXXXXX" beside NAME (receiver.c: get_tmpname).
    private static bool TransferStarted(string dest) =>
        Directory.Exists(dest) && Directory.EnumerateFiles(dest, ".big.bin.*").Any();

    private static string[] Left(string dest) =>
        Directory.Exists(dest)
            ? [.. Directory.EnumerateFileSystemEntries(dest, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dest, p)).Order(StringComparer.Ordinal)]
            : [];

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}
