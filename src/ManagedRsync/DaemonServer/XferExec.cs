using System.Diagnostics;
using System.Text;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// A module's "pre-xfer exec" and "post-xfer exec" commands (clientserver.c: start_pre_exec, write_pre_exec_args,
/// finish_pre_exec, and the post-xfer parent of rsync_module), run by the shell as system() runs them ($RSYNC_SHELL -c
/// when set, else /bin/sh -c) with the daemon's environment plus RSYNC_MODULE_NAME, RSYNC_MODULE_PATH,
/// RSYNC_HOST_ADDR, RSYNC_HOST_NAME, RSYNC_USER_NAME and RSYNC_PID. The pre-xfer command also gets RSYNC_REQUEST and
/// RSYNC_ARG0.. (the client's arguments, "rsyncd" first) and its standard output: when it exits with a failure, that
/// output ends the transfer before it starts, sent to the client. The post-xfer command runs after the connection has
/// ended, with RSYNC_EXIT_STATUS and RSYNC_RAW_STATUS. With RSYNC_NO_XFER_EXEC set, neither runs.
/// </summary>
internal sealed class XferExec(IReadOnlyDictionary<string, string> environment)
{
    /// <summary>The early exec command with its %VAR% expanded, or null.</summary>
    public string? EarlyCommand { get; private init; }

    /// <summary>The name converter's command with its %VAR% expanded, or null.</summary>
    public string? ConverterCommand { get; private init; }

    /// <summary>The pre-xfer command with its %VAR% expanded, or null.</summary>
    public string? PreCommand { get; private init; }

    /// <summary>The post-xfer command with its %VAR% expanded, or null.</summary>
    public string? PostCommand { get; private init; }

    /// <summary>
    /// The module's commands as stock reads them (loadparm.c: RETURN_EXPANDED_SHELL, once, at their first read in
    /// clientserver.c: rsync_module): the condition `*lp_early_exec || *lp_prexfer_exec || *lp_postxfer_exec ||
    /// *lp_name_converter` reads them in that order up to the first that is set, after the connection's
    /// RSYNC_MODULE_NAME, RSYNC_HOST_*, RSYNC_USER_NAME and RSYNC_MODULE_PATH are set and before RSYNC_PID is; the
    /// others are first read after RSYNC_PID is set; RSYNC_REQUEST and RSYNC_ARG# come later still (a %VAR% of theirs
    /// takes the daemon's own environment, or stays as written). Null when a %RSYNC_*% value holds shell syntax (its
    /// name in <paramref name="refused"/>).
    /// </summary>
    public static XferExec? Expand(string? early, string? pre, string? post, Dictionary<string, string> environment,
        out string? refused, string? converter = null)
    {
        refused = null;
        var withoutPid = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        withoutPid.Remove("RSYNC_PID");
        string?[] commands = [early, pre, post, converter];
        int first = Array.FindIndex(commands, c => c is not null);
        var expanded = new string?[commands.Length];
        for (int i = 0; i < commands.Length; i++)
        {
            if (commands[i] is not { } command)
                continue;
            expanded[i] = DaemonVariables.ExpandForShell(command, i == first ? withoutPid : environment, out refused);
            if (expanded[i] is null)
                return null;
        }
        return new XferExec(environment)
        {
            EarlyCommand = expanded[0], PreCommand = expanded[1], PostCommand = expanded[2], ConverterCommand = expanded[3],
        };
    }

    /// <summary>
    /// clientserver.c: the early exec — RSYNC_REQUEST "(NONE)", no RSYNC_ARG#, the client's early input (if any) on its
    /// stdin, its stdout the daemon's own; true when it exits with 0. <paramref name="stdoutIsClient"/>: the daemon's
    /// stdout is the client's socket (a connection's own process), so the command's output goes to stderr instead.
    /// </summary>
    public async Task<bool> RunEarlyAsync(string command, byte[]? input, bool stdoutIsClient, CancellationToken ct)
    {
        var env = new Dictionary<string, string>(environment) { ["RSYNC_REQUEST"] = "(NONE)" };
        using Process process = Start(command, env, captureOutput: stdoutIsClient);
        Task relay = Task.CompletedTask;
        if (stdoutIsClient)
            relay = process.StandardOutput.BaseStream.CopyToAsync(Console.OpenStandardError(), ct);
        try
        {
            if (input is { Length: > 0 })
                await process.StandardInput.BaseStream.WriteAsync(input, ct).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The command need not read its input (stock's write to the pipe is not checked either).
        }
        process.StandardInput.Close();
        await relay.ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        return process.ExitCode == 0;
    }

    /// <summary>clientserver.c: finish_pre_exec reads at most BIGPATHBUFLEN - 1 bytes of the command's output.</summary>
    private const int MaxOutput = DaemonLineIo.MaxLine - 1;

    /// <summary>Whether a daemon runs module commands at all (clientserver.c: getenv("RSYNC_NO_XFER_EXEC")).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("RSYNC_NO_XFER_EXEC") is null;

    /// <summary>
    /// Runs the pre-xfer command; null when it exits with 0, else the text the client is sent
    /// ("pre-xfer exec returned failure (STATUS)" and the command's output, STATUS as wait(2) gives it).
    /// </summary>
    public async Task<string?> RunPreAsync(string command, string? request, IReadOnlyList<string> argv, CancellationToken ct)
    {
        var env = new Dictionary<string, string>(environment) { ["RSYNC_REQUEST"] = request ?? "(NONE)" };
        // io.c: read_args puts "rsyncd" before the client's words for a daemon.
        env["RSYNC_ARG0"] = "rsyncd";
        for (int i = 0; i < argv.Count; i++)
            env["RSYNC_ARG" + (i + 1)] = argv[i];
        using Process process = Start(command, env, captureOutput: true);
        process.StandardInput.Close();
        var output = new MemoryStream();
        byte[] buffer = new byte[4096];
        Stream stdout = process.StandardOutput.BaseStream;
        int read;
        while ((read = await stdout.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            // Past the limit the output is read and dropped, so the command is not stopped by a full pipe.
            int keep = (int)Math.Min(read, MaxOutput - output.Length);
            if (keep > 0)
                output.Write(buffer, 0, keep);
        }
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode == 0)
            return null;
        // finish_pre_exec drops the '\r' of each "\r\n".
        string text = Encoding.UTF8.GetString(output.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal);
        return $"pre-xfer exec returned failure ({RawStatus(process.ExitCode)}){(text.Length > 0 ? ":" : "")}\n{text}";
    }

    /// <summary>Runs the post-xfer command with the transfer's exit code and waits for it.</summary>
    public async Task RunPostAsync(string command, int exitCode, CancellationToken ct)
    {
        var env = new Dictionary<string, string>(environment)
        {
            ["RSYNC_RAW_STATUS"] = RawStatus(exitCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RSYNC_EXIT_STATUS"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using Process process = Start(command, env, captureOutput: false);
        process.StandardInput.Close();
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
    }

    // wait(2)'s status for a normal exit: the code in the second byte (WEXITSTATUS). .NET reports a command killed by
    // signal N as 128 + N, which the shell would report the same way.
    private static int RawStatus(int exitCode) => (exitCode & 0xFF) << 8;

    private static Process Start(string command, Dictionary<string, string> env, bool captureOutput)
    {
        string shell = Environment.GetEnvironmentVariable("RSYNC_SHELL") is { Length: > 0 } s ? s : "/bin/sh";
        var psi = new ProcessStartInfo(shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            // Post-xfer's output goes where the daemon's own goes (stock: the parent's stdout, /dev/null when detached).
            RedirectStandardOutput = captureOutput,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        foreach ((string key, string value) in env)
            psi.Environment[key] = value;
        return Process.Start(psi) ?? throw new IOException($"could not start {shell}");
    }
}
