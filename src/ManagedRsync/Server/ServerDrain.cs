using ManagedRsync.Session;

namespace ManagedRsync.Server;

/// <summary>
/// rsync io.c: noop_io_until_death — after an error exit a server keeps reading (and dropping) what the client sends
/// until the client closes, so the client reads the error before it sees the connection end. Bounded: a client that
/// never closes is left after <see cref="Limit"/>.
/// </summary>
internal static class ServerDrain
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// cleanup.c: _exit_cleanup — a server ending with an error code sleeps 100 ms before it closes (`if (am_server &amp;&amp;
    /// exit_code) msleep(100)`); after the end-of-run exchange that is all it waits.
    /// </summary>
    public static readonly TimeSpan AfterGoodbye = TimeSpan.FromMilliseconds(100);

    public static async Task UntilClosedAsync(Connection connection, TimeSpan limit, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        // Ends with the exception EnsureAsync throws at the end of the stream (or the client's own MSG_ERROR_EXIT).
        while (true)
        {
            connection.In.Advance(connection.In.Buffered.Length);
            await connection.In.EnsureAsync(1, deadline.Token).ConfigureAwait(false);
        }
    }
}
