namespace ManagedRsync;

/// <summary>What went wrong, independent of the message text.</summary>
public enum RsyncErrorKind
{
    /// <summary>The caller's arguments or options are wrong.</summary>
    Usage,
    /// <summary>The daemon refused our credentials.</summary>
    AuthenticationFailed,
    /// <summary>The peer sent bytes that break the protocol; the session is over.</summary>
    ProtocolViolation,
    /// <summary>The peer reported an error of its own (an <c>@ERROR</c> line or MSG_ERROR).</summary>
    RemoteError,
    /// <summary>The network connection failed or was closed.</summary>
    Connection,
    /// <summary>A local file could not be read or written.</summary>
    FileIo,
    /// <summary>A timeout expired.</summary>
    Timeout,
}
