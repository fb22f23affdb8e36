namespace ManagedRsync.Transfer;

/// <summary>The library's entry point for transfers with an rsync daemon.</summary>
public static class RsyncClient
{
    /// <summary>
    /// Pushes to a daemon module over one connection, as <c>rsync [options] SRC... [user@]host::module/path</c> does.
    /// Returns rsync's exit code for the run (0, 23 or 24); failures that end the session throw
    /// <see cref="RsyncException"/> with rsync's exit code.
    /// </summary>
    public static Task<TransferResult> PushAsync(PushRequest request, ITransferLog? log = null,
        IProgress<TransferProgress>? progress = null, CancellationToken ct = default) =>
        PushAsync(request, log, progress, ct, openModule: null);

    /// <summary>As the public overload, with the caller's own connection (the CLI's connect options and password).</summary>
    internal static async Task<TransferResult> PushAsync(PushRequest request, ITransferLog? log,
        IProgress<TransferProgress>? progress, CancellationToken ct,
        Func<IReadOnlyList<string>, CancellationToken, Task<Daemon.DaemonSession>>? openModule)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var session = new PushSession(request, log ?? NullLog.Instance, progress, openModule);
        return await session.RunAsync(ct).ConfigureAwait(false);
    }

    private sealed class NullLog : ITransferLog
    {
        public static readonly NullLog Instance = new();

        public void Info(string line)
        {
        }

        public void Error(string line)
        {
        }
    }
}
