namespace ManagedRsync.IO;

/// <summary>
/// An operation bounded by a time limit as well as by the caller's token: it gets a token that also cancels when the
/// limit passes, and a cancellation the limit caused (not the caller) becomes the failure the caller names (rsync's
/// "io timeout after N seconds", "Connection timed out"). The daemon handshake, the protocol setup under --timeout
/// and --contimeout all run under it.
/// </summary>
internal static class TimeLimit
{
    /// <param name="limit">How long the operation may take; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="ct">The caller's token: its cancellation stays an <see cref="OperationCanceledException"/>.</param>
    /// <param name="operation">The work, given the bounded token.</param>
    /// <param name="onTimeout">The exception to throw when the limit ends the work.</param>
    public static async Task<T> RunAsync<T>(TimeSpan? limit, CancellationToken ct, Func<CancellationToken, ValueTask<T>> operation,
        Func<Exception> onTimeout)
    {
        if (limit is not { } span || span == Timeout.InfiniteTimeSpan)
            return await operation(ct).ConfigureAwait(false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(span);
        try
        {
            return await operation(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw onTimeout();
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/>, for work with no result.</summary>
    public static Task RunAsync(TimeSpan? limit, CancellationToken ct, Func<CancellationToken, Task> operation, Func<Exception> onTimeout) =>
        RunAsync<bool>(limit, ct, async token =>
        {
            await operation(token).ConfigureAwait(false);
            return true;
        }, onTimeout);
}
