namespace ManagedRsync.Cli;

/// <summary>rsync's words for each exit code (rsync log.c: rerr_names), for the final "error ... (code N)" line.</summary>
internal static class ExitCodeText
{
    public static string Describe(RsyncExitCode code) => RsyncExitCodes.Describe(code);

    /// <summary>
    /// Reports a failure the way rsync does: the message (the daemon's own words verbatim when it sent them, and a
    /// line that names its role in brackets as stock's does, io.c: check_timeout's "[generator] io timeout ..."), then
    /// "mrsync error: WHAT (code N)" (only that line for an empty message). Returns the exit code.
    /// </summary>
    public static int Report(CliContext context, RsyncException e)
    {
        string message = e.RemoteMessage ?? e.Message;
        bool verbatim = e.RemoteMessage != null || message.StartsWith("ERROR", StringComparison.Ordinal)
            || message.StartsWith("rsync:", StringComparison.Ordinal) || message.StartsWith('@')
            // util2.c: my_alloc's "[ROLE] exceeded --max-alloc=N setting ..." goes out as it is.
            || e.Kind == RsyncErrorKind.AllocationLimit
            || message.StartsWith("[generator] ", StringComparison.Ordinal) || message.StartsWith("[sender] ", StringComparison.Ordinal);
        foreach (var line in message.Length == 0 ? [] : message.Split('\n'))
        {
            context.Error.WriteLine(verbatim ? line : "mrsync: " + line);
        }
        if (e.ExitCode != RsyncExitCode.Ok)
        {
            // cleanup.c: _exit_cleanup ends a progress line on stdout before log_exit's line.
            context.Newline?.Settle();
            context.Error.WriteLine($"mrsync error: {Describe(e.ExitCode)} (code {(int)e.ExitCode})");
        }
        return (int)e.ExitCode;
    }
}
