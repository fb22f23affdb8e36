namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// A pull with the daemon connection made from the request alone (the tests' way in). The public entry point is
/// <see cref="Client.RsyncClient.PullAsync"/>.
/// </summary>
internal static class PullClient
{
    /// <summary>
    /// Pulls from a daemon module into a local directory, as <c>rsync [options] [user@]host::module/path DEST</c> does
    /// (with no destination, lists like <c>rsync --list-only</c>). Returns rsync's exit code for the run (0 or 23);
    /// failures that end the session throw <see cref="RsyncException"/> with rsync's exit code. Nothing outside the
    /// destination is ever read or written, whatever the daemon sends.
    /// </summary>
    public static async Task<TransferResult> PullAsync(PullRequest request, ITransferLog? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = new Daemon.PullSession(request, log ?? SilentLog.Instance);
        return await session.RunAsync(ct).ConfigureAwait(false);
    }
}
