using ManagedRsync.Daemon;

namespace ManagedRsync.Transfer;

/// <summary>
/// The transfers behind the public entry point (<see cref="Client.RsyncClient"/>, which raises their lines and progress
/// as events), with the roles' own log and progress interfaces; the tests' way in.
/// </summary>
internal static class RsyncClient
{
    /// <summary>
    /// Pushes to a daemon module over one connection, as <c>rsync [options] SRC... [user@]host::module/path</c> does.
    /// Returns rsync's exit code for the run (0, 23 or 24); failures that end the session throw
    /// <see cref="RsyncException"/> with rsync's exit code.
    /// </summary>
    public static Task<TransferResult> PushAsync(PushRequest request, ITransferLog? log = null,
        IProgress<TransferProgress>? progress = null, CancellationToken ct = default) =>
        PushAsync(request, log, progress, ct, openModule: null);

    /// <summary>
    /// Copies between local paths, as <c>rsync [options] SRC... DEST</c> does: a sender and a receiving server (generator
    /// and receiver) run in this process over an in-memory pipe, as stock's local copy runs over a pipe to a forked
    /// server. Returns rsync's exit code for the run (0, 23 or 24); failures that end the copy throw
    /// <see cref="RsyncException"/> with rsync's exit code. Nothing outside the destination is ever written, and
    /// nothing is deleted when the file list is incomplete.
    /// </summary>
    public static Task<TransferResult> CopyAsync(LocalCopyRequest request, ITransferLog? log = null,
        IProgress<TransferProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Transports.LocalCopy.RunAsync(request, log ?? SilentLog.Instance, progress, ct);
    }

    /// <summary>As the public overload, with the caller's own connection (the CLI's connect options and password).</summary>
    internal static Task<TransferResult> PushAsync(PushRequest request, ITransferLog? log,
        IProgress<TransferProgress>? progress, CancellationToken ct,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>? openModule)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DaemonPush.RunAsync(request, log ?? SilentLog.Instance, progress, openModule, ct);
    }
}
