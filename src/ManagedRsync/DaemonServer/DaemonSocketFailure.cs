using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The socket failed under the daemon's text phase (a client that hung up or reset while the daemon wrote or read a
/// line), in stock's words for the log (io.c: safe_write "safe_write failed to write N bytes to socket: ERROR", and
/// safe_read "safe_read failed to read 1 bytes: ERROR": read_line_old reads a byte at a time). Both end the connection
/// with exit_cleanup(RERR_STREAMIO), code 12.
/// </summary>
internal sealed class DaemonSocketFailure(string message, Exception inner) : IOException(message, inner)
{
    public static DaemonSocketFailure Write(int count, Exception e) =>
        new($"safe_write failed to write {count} bytes to socket: {SystemError.Describe(e)}", e);

    public static DaemonSocketFailure Read(int count, Exception e) =>
        new($"safe_read failed to read {count} bytes: {SystemError.Describe(e)}", e);
}
