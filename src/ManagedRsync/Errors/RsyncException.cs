namespace ManagedRsync;

/// <summary>
/// The one exception type the library throws for rsync-level failures. <see cref="Kind"/> says what failed,
/// <see cref="ExitCode"/> is the code stock rsync exits with for the same failure, and a message that came
/// from the peer is kept verbatim in <see cref="RemoteMessage"/>.
/// </summary>
public class RsyncException : Exception
{
    /// <summary>A failure of kind <paramref name="kind"/>, which stock rsync would end with <paramref name="exitCode"/>.</summary>
    public RsyncException(RsyncErrorKind kind, RsyncExitCode exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ExitCode = exitCode;
    }

    /// <summary>What failed.</summary>
    public RsyncErrorKind Kind { get; }

    /// <summary>The exit code stock rsync would use for this failure.</summary>
    public RsyncExitCode ExitCode { get; }

    /// <summary>The peer's own words, when the failure was reported by the peer.</summary>
    public string? RemoteMessage { get; init; }

    /// <summary>A protocol violation: the peer sent something we must not act on (exit code 12, RERR_STREAMIO).</summary>
    public static RsyncException Protocol(string message) =>
        new(RsyncErrorKind.ProtocolViolation, RsyncExitCode.StreamIo, message);
}
