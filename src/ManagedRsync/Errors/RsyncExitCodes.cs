namespace ManagedRsync;

/// <summary>
/// rsync's exit code for each failure kind and each outcome (rsync errcode.h, log.c: rerr_names): what a command line
/// exits with, and what a server sends its client on the wire (io.c: MSG_ERROR_EXIT). The client API reports kinds and
/// outcomes only; whoever ends a process (mrsync at its edge, a server) asks here.
/// </summary>
public static class RsyncExitCodes
{
    /// <summary>rsync's words for an exit code (log.c: rerr_names), as its "rsync error: WORDS (code N)" lines say them.</summary>
    /// <param name="code">The exit code.</param>
    /// <returns>The words; "unexplained error" for a code rsync has none for.</returns>
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

    /// <summary>The exit code for a failure.</summary>
    /// <param name="e">The failure.</param>
    /// <returns>rsync's code for its kind (a remote error: the peer's own code).</returns>
    public static RsyncExitCode For(RsyncException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Higher(For(e.Kind, e.RemoteExitCode), e.ShellExitStatus);
    }

    /// <summary>The exit code for a run that finished, with a remote shell's own status taken when it is higher.</summary>
    /// <param name="result">The run's result.</param>
    /// <returns>rsync's code.</returns>
    public static RsyncExitCode For(TransferResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Higher(For(result.Outcome), result.ShellExitStatus);
    }

    // rsync cleanup.c: _exit_cleanup takes the remote shell's status when it is higher than the client's own code
    // (a process status: 0-255).
    private static RsyncExitCode Higher(RsyncExitCode own, int? shell) =>
        shell is int status && status > (int)own ? (RsyncExitCode)Math.Min(status, 255) : own;

    /// <summary>The exit code for a failure of kind <paramref name="kind"/>.</summary>
    /// <param name="kind">What failed.</param>
    /// <param name="remote">The peer's own exit code, for <see cref="RsyncErrorKind.RemoteError"/>.</param>
    /// <returns>rsync's code.</returns>
    public static RsyncExitCode For(RsyncErrorKind kind, int? remote = null) => kind switch
    {
        RsyncErrorKind.Usage => RsyncExitCode.Syntax,
        RsyncErrorKind.ProtocolIncompatible => RsyncExitCode.Protocol,
        RsyncErrorKind.FileSelection => RsyncExitCode.FileSelect,
        RsyncErrorKind.Unsupported or RsyncErrorKind.UnsafeFileList => RsyncExitCode.Unsupported,
        RsyncErrorKind.StartFailed or RsyncErrorKind.AuthenticationFailed => RsyncExitCode.StartClient,
        // rsync io.c: MSG_ERROR_EXIT — the peer's code is the client's (a code rsync does not know reads as partial).
        RsyncErrorKind.RemoteError => remote is { } code && Enum.IsDefined((RsyncExitCode)code) ? (RsyncExitCode)code : RsyncExitCode.Partial,
        RsyncErrorKind.ProcessFailed => RsyncExitCode.Ipc,
        RsyncErrorKind.Connection => RsyncExitCode.SocketIo,
        RsyncErrorKind.ConnectionClosed or RsyncErrorKind.ProtocolViolation => RsyncExitCode.StreamIo,
        RsyncErrorKind.FileIo => RsyncExitCode.FileIo,
        RsyncErrorKind.EntryFailed => RsyncExitCode.Partial,
        RsyncErrorKind.Timeout => RsyncExitCode.Timeout,
        RsyncErrorKind.ConnectTimeout => RsyncExitCode.ConnectTimeout,
        RsyncErrorKind.Interrupted => RsyncExitCode.Signal,
        RsyncErrorKind.Internal => RsyncExitCode.Crashed,
        RsyncErrorKind.AllocationLimit => RsyncExitCode.Malloc,
        _ => RsyncExitCode.Partial,
    };

    /// <summary>
    /// How a run that finished went (cleanup.c: _exit_cleanup): an error of the transfer (log.c: got_xfer_error) or
    /// io_error's IOERR_GENERAL make it partial (23), else IOERR_VANISHED vanished files (24), else a stopped deletion
    /// the --max-delete limit (25). io_error's other bits count for nothing.
    /// </summary>
    /// <param name="transferErrors">An error of the transfer was reported (here or by the peer, MSG_ERROR_XFER).</param>
    /// <param name="ioError">io_error's flags: this side's or'ed with the peer's (the list's end, MSG_IO_ERROR).</param>
    /// <param name="deleteLimitReached">--max-delete stopped a deletion.</param>
    internal static TransferOutcome OutcomeOf(bool transferErrors, int ioError, bool deleteLimitReached) =>
        transferErrors || (ioError & FileList.FileListBuilder.IoErrorGeneral) != 0 ? TransferOutcome.PartialTransfer
        : (ioError & FileList.FileListBuilder.IoErrorVanished) != 0 ? TransferOutcome.VanishedFiles
        : deleteLimitReached ? TransferOutcome.DeleteLimitReached
        : TransferOutcome.Complete;

    /// <summary>The exit code for a run that finished: 0, 23 (partial transfer), 24 (vanished files) or 25 (--max-delete).</summary>
    /// <param name="outcome">How the run went.</param>
    /// <returns>rsync's code.</returns>
    public static RsyncExitCode For(TransferOutcome outcome) => outcome switch
    {
        TransferOutcome.Complete => RsyncExitCode.Ok,
        TransferOutcome.VanishedFiles => RsyncExitCode.Vanished,
        TransferOutcome.DeleteLimitReached => RsyncExitCode.DeleteLimit,
        _ => RsyncExitCode.Partial,
    };
}
