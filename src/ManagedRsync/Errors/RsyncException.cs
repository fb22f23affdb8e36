namespace ManagedRsync;

/// <summary>
/// The one exception type the library throws for rsync-level failures. <see cref="Kind"/> says what failed (a command
/// line maps it to rsync's exit code), and a message that came from the peer is kept verbatim in
/// <see cref="RemoteMessage"/>.
/// </summary>
public class RsyncException : Exception
{
    /// <summary>A failure of kind <paramref name="kind"/>.</summary>
    public RsyncException(RsyncErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>What failed.</summary>
    public RsyncErrorKind Kind { get; }

    /// <summary>The peer's own words, when the failure was reported by the peer.</summary>
    public string? RemoteMessage { get; init; }

    /// <summary>
    /// The exit code the peer reported for a <see cref="RsyncErrorKind.RemoteError"/> (rsync io.c: MSG_ERROR_EXIT carries
    /// it; 0 when the daemon ended the session with <c>@RSYNCD: EXIT</c>); null when it sent none.
    /// </summary>
    public int? RemoteExitCode { get; init; }

    /// <summary>
    /// Over a remote shell: the shell's exit status when it had already ended non-zero as the run failed (ssh's 255 for a
    /// host it could not reach); rsync exits with the higher of it and the failure's own code (cleanup.c: _exit_cleanup).
    /// </summary>
    public int? ShellExitStatus { get; init; }

    /// <summary>The errno of a failed system call on a local file, when the failure is one.</summary>
    public int? Errno { get; init; }

    /// <summary>The destination-relative name the failed call was given, where it is not the entry's own (mkstemp).</summary>
    public string? CallPath { get; init; }

    /// <summary>A local file could not be read or written (<see cref="RsyncErrorKind.FileIo"/> or <see cref="RsyncErrorKind.EntryFailed"/>).</summary>
    public bool IsLocalFileFailure => Kind is RsyncErrorKind.FileIo or RsyncErrorKind.EntryFailed;

    /// <summary>The connection failed or closed (<see cref="RsyncErrorKind.Connection"/> or <see cref="RsyncErrorKind.ConnectionClosed"/>).</summary>
    public bool IsConnectionLoss => Kind is RsyncErrorKind.Connection or RsyncErrorKind.ConnectionClosed;

    /// <summary>A protocol violation: the peer sent something we must not act on.</summary>
    public static RsyncException Protocol(string message) => new(RsyncErrorKind.ProtocolViolation, message);

    /// <summary>
    /// <paramref name="fault"/>, an exception no part of the run expected, as the failure a user is told about: its type
    /// and message, so that it can be reported, with <see cref="RsyncErrorKind.Internal"/>'s exit code.
    /// </summary>
    public static RsyncException Internal(Exception fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new(RsyncErrorKind.Internal, $"internal error in mrsync ({fault.GetType().Name}): {fault.Message}", fault);
    }

    /// <summary>
    /// Whether <paramref name="e"/> is a fault of mrsync's own rather than a failure the run expects: rsync-level
    /// failures, the connection going (I/O, a disposed stream) and cancellation have their own handling.
    /// </summary>
    public static bool IsFault(Exception e) =>
        e is not (RsyncException or IOException or ObjectDisposedException or OperationCanceledException);
}
