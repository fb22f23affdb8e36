namespace ManagedRsync.Cli;

/// <summary>rsync's words for each exit code (rsync log.c: rerr_names), for the final "error ... (code N)" line.</summary>
internal static class ExitCodeText
{
    public static string Describe(RsyncExitCode code) => code switch
    {
        RsyncExitCode.Syntax => "syntax or usage error",
        RsyncExitCode.Protocol => "protocol incompatibility",
        RsyncExitCode.FileSelect => "errors selecting input/output files, dirs",
        RsyncExitCode.Unsupported => "requested action not supported",
        RsyncExitCode.StartClient => "error starting client-server protocol",
        RsyncExitCode.LogFailure => "daemon unable to append to log-file",
        RsyncExitCode.SocketIo => "error in socket IO",
        RsyncExitCode.FileIo => "error in file IO",
        RsyncExitCode.StreamIo => "error in rsync protocol data stream",
        RsyncExitCode.MessageIo => "errors with program diagnostics",
        RsyncExitCode.Ipc => "error in IPC code",
        RsyncExitCode.Crashed => "sibling process crashed",
        RsyncExitCode.Terminated => "sibling process terminated abnormally",
        RsyncExitCode.Signal1 => "received SIGUSR1",
        RsyncExitCode.Signal => "received SIGINT, SIGTERM, or SIGHUP",
        RsyncExitCode.WaitChild => "waitpid() failed",
        RsyncExitCode.Malloc => "error allocating core memory buffers",
        RsyncExitCode.Partial => "some files/attrs were not transferred (see previous errors)",
        RsyncExitCode.Vanished => "some files vanished before they could be transferred",
        RsyncExitCode.DeleteLimit => "the --max-delete limit stopped deletions",
        RsyncExitCode.Timeout => "timeout in data send/receive",
        RsyncExitCode.ConnectTimeout => "timeout waiting for daemon connection",
        _ => "unexplained error",
    };

    /// <summary>
    /// Reports a failure the way rsync does: the message (the daemon's own words verbatim when it sent them), then
    /// "mrsync error: WHAT (code N)" (only that line for an empty message). Returns the exit code.
    /// </summary>
    public static int Report(CliContext context, RsyncException e)
    {
        string message = e.RemoteMessage ?? e.Message;
        bool verbatim = e.RemoteMessage != null || message.StartsWith("ERROR", StringComparison.Ordinal)
            || message.StartsWith("rsync:", StringComparison.Ordinal) || message.StartsWith('@');
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
