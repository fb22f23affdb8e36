namespace ManagedRsync;

/// <summary>
/// rsync's exit codes (rsync errcode.h), the values a process exits with and MSG_ERROR_EXIT carries on the wire. The
/// client API reports failures by <see cref="RsyncErrorKind"/> and runs by <see cref="TransferOutcome"/>; a command line
/// chooses the code for each (mrsync does it at its edge), a server sends the one its failure calls for.
/// </summary>
public enum RsyncExitCode
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>Syntax or usage error (RERR_SYNTAX).</summary>
    Syntax = 1,
    /// <summary>Protocol incompatibility (RERR_PROTOCOL).</summary>
    Protocol = 2,
    /// <summary>Errors selecting input/output files, dirs (RERR_FILESELECT).</summary>
    FileSelect = 3,
    /// <summary>Requested action not supported (RERR_UNSUPPORTED).</summary>
    Unsupported = 4,
    /// <summary>Error starting client-server protocol (RERR_STARTCLIENT).</summary>
    StartClient = 5,
    /// <summary>Daemon unable to append to log-file (RERR_LOG_FAILURE).</summary>
    LogFailure = 6,
    /// <summary>Error in socket I/O (RERR_SOCKETIO).</summary>
    SocketIo = 10,
    /// <summary>Error in file I/O (RERR_FILEIO).</summary>
    FileIo = 11,
    /// <summary>Error in rsync protocol data stream (RERR_STREAMIO).</summary>
    StreamIo = 12,
    /// <summary>Errors with program diagnostics (RERR_MESSAGEIO).</summary>
    MessageIo = 13,
    /// <summary>Error in IPC code (RERR_IPC).</summary>
    Ipc = 14,
    /// <summary>Sibling process crashed (RERR_CRASHED).</summary>
    Crashed = 15,
    /// <summary>Sibling terminated abnormally (RERR_TERMINATED).</summary>
    Terminated = 16,
    /// <summary>Received SIGUSR1 (RERR_SIGNAL1).</summary>
    Signal1 = 19,
    /// <summary>Received SIGINT, SIGTERM, or SIGHUP (RERR_SIGNAL).</summary>
    Signal = 20,
    /// <summary>Error returned by waitpid() (RERR_WAITCHILD).</summary>
    WaitChild = 21,
    /// <summary>Error allocating core memory buffers (RERR_MALLOC).</summary>
    Malloc = 22,
    /// <summary>Partial transfer due to error (RERR_PARTIAL).</summary>
    Partial = 23,
    /// <summary>Some files vanished before they could be transferred (RERR_VANISHED).</summary>
    Vanished = 24,
    /// <summary>The --max-delete limit stopped deletions (RERR_DEL_LIMIT).</summary>
    DeleteLimit = 25,
    /// <summary>Timeout in data send/receive (RERR_TIMEOUT).</summary>
    Timeout = 30,
    /// <summary>Timeout waiting for daemon connection (RERR_CONTIMEOUT).</summary>
    ConnectTimeout = 35,
}
