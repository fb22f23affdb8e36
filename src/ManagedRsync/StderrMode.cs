namespace ManagedRsync;

/// <summary>rsync's --stderr=MODE (options.c: msgs2stderr; the values are stock's).</summary>
public enum StderrMode
{
    /// <summary>--stderr=client (--no-msgs2stderr): a server sends its errors to the client over the protocol.</summary>
    Client = 0,
    /// <summary>--stderr=all (--msgs2stderr): every message, informational ones included, goes to stderr.</summary>
    All = 1,
    /// <summary>--stderr=errors, the default: errors go to stderr, informational messages to stdout.</summary>
    Errors = 2,
}
