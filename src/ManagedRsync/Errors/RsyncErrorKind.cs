namespace ManagedRsync;

/// <summary>
/// What went wrong, independent of the message text. Each kind is one of rsync's failure classes (rsync errcode.h), so a
/// command line can exit as stock rsync does for it; the library itself chooses no exit codes.
/// </summary>
public enum RsyncErrorKind
{
    /// <summary>The caller's arguments or options are wrong (rsync: RERR_SYNTAX).</summary>
    Usage,
    /// <summary>The peers cannot agree: protocol versions, or a feature the peer's protocol lacks (RERR_PROTOCOL).</summary>
    ProtocolIncompatible,
    /// <summary>A source or destination could not be selected: missing, or not the kind of entry needed (RERR_FILESELECT).</summary>
    FileSelection,
    /// <summary>The requested action is not supported here or by the peer; no common choice was negotiated (RERR_UNSUPPORTED).</summary>
    Unsupported,
    /// <summary>The peer's file list holds a name this side refuses (absolute, "..", overlong): the run is aborted (flist.c, RERR_UNSUPPORTED).</summary>
    UnsafeFileList,
    /// <summary>The daemon session could not be started: a malformed greeting, or the daemon's <c>@ERROR</c> (RERR_STARTCLIENT).</summary>
    StartFailed,
    /// <summary>The daemon refused our credentials (RERR_STARTCLIENT).</summary>
    AuthenticationFailed,
    /// <summary>
    /// The peer ended the run with an error of its own; <see cref="RsyncException.RemoteExitCode"/> holds the exit code it
    /// reported, when it sent one (MSG_ERROR_EXIT, or 0 for the daemon's <c>@RSYNCD: EXIT</c>).
    /// </summary>
    RemoteError,
    /// <summary>A helper process (the remote shell) could not be started (rsync pipe.c: piped_child, RERR_IPC).</summary>
    ProcessFailed,
    /// <summary>The network connection could not be made or failed (RERR_SOCKETIO).</summary>
    Connection,
    /// <summary>The connection closed in the middle of the protocol (RERR_STREAMIO).</summary>
    ConnectionClosed,
    /// <summary>A local file could not be read or written (RERR_FILEIO).</summary>
    FileIo,
    /// <summary>The peer sent bytes that break the protocol; the session is over (RERR_STREAMIO).</summary>
    ProtocolViolation,
    /// <summary>A destination entry could not be written safely (a symlink in the way, a failed copy): the run ends partial (RERR_PARTIAL).</summary>
    EntryFailed,
    /// <summary>No data moved for the --timeout interval (RERR_TIMEOUT).</summary>
    Timeout,
    /// <summary>The daemon did not accept the connection within --contimeout (RERR_CONTIMEOUT).</summary>
    ConnectTimeout,
    /// <summary>The run was interrupted by a signal (RERR_SIGNAL).</summary>
    Interrupted,
    /// <summary>
    /// A fault in mrsync itself: an exception no part of the run expected. It is reported in words and with stock's code
    /// for a process that crashed (RERR_CRASHED), never as a stack trace or a silent close.
    /// </summary>
    Internal,
    /// <summary>
    /// An allocation above what stock rsync's --max-alloc allows (util2.c: my_alloc, "exceeded --max-alloc=N setting"),
    /// or above what this runtime can hold where stock's allocation would fail (RERR_MALLOC).
    /// </summary>
    AllocationLimit,
}
