using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>Runs the mrsync command line the way the tests compare it with stock rsync.</summary>
public static class MrsyncProcess
{
    /// <summary>
    /// Runs mrsync with <paramref name="args"/>: in-process through the CLI entry point, or, when the environment
    /// variable MRSYNC_BIN names a built executable (e.g. the NativeAOT one), as that process.
    /// <paramref name="environment"/> values of null unset the variable.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?> environment, string? stdin = null)
    {
        string? binary = Environment.GetEnvironmentVariable("MRSYNC_BIN");
        if (!string.IsNullOrEmpty(binary))
        {
            return await ToolProcess.RunAsync(binary, args, environment, stdin);
        }

        var argv = args.ToArray();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // What a process would write as bytes (-8), read back as the process's output is: UTF-8, U+FFFD for the rest.
        var stdoutBytes = new MemoryStream();
        var stderrBytes = new MemoryStream();
        var context = new CliContext
        {
            Out = stdout,
            Error = stderr,
            OpenOutBytes = () => stdoutBytes,
            OpenErrorBytes = () => stderrBytes,
            In = new StringReader(stdin ?? ""),
            StdinIsTerminal = false,
            GetEnvironmentVariable = name => environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name),
        };
        using var cts = new CancellationTokenSource(ToolProcess.HangLimit);
        int code = await RsyncCommand.RunAsync(argv, context with { Cancellation = cts.Token });
        return new ProcessResult("mrsync " + string.Join(' ', argv), code,
            stdout + System.Text.Encoding.UTF8.GetString(stdoutBytes.ToArray()),
            stderr + System.Text.Encoding.UTF8.GetString(stderrBytes.ToArray()));
    }
}
