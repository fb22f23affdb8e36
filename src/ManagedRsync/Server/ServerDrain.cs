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

    public static async Task UntilClosedAsync(Connection connection, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Limit);
        // Ends with the exception EnsureAsync throws at the end of the stream (or the client's own MSG_ERROR_EXIT).
        while (true)
        {
            connection.In.Advance(connection.In.Buffered.Length);
            await connection.In.EnsureAsync(1, deadline.Token).ConfigureAwait(false);
        }
    }
}
