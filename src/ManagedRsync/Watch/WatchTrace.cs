namespace ManagedRsync.Watch;

/// <summary>
/// The watcher's timing trace, for finding where a burst's time goes: with <c>MRSYNC_WATCH_TRACE=1</c> in the
/// environment the service logs, through its usual log, why and when each batch was cut (the coalescer) and, per
/// push, how long its changes waited in the replica's queue, how long the push waited for its connection and how long
/// the transfers took. Off by default: it is one line per batch and per push.
/// </summary>
internal static class WatchTrace
{
    /// <summary>Whether the trace is on (read once, at start).</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("MRSYNC_WATCH_TRACE") == "1";
}
