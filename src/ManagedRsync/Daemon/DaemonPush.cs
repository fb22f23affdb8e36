using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;

namespace ManagedRsync.Daemon;

/// <summary>
/// A push to an rsync daemon: the daemon client transport opens the module (rsync clientserver.c:
/// start_inband_exchange with options.c: server_options, am_sender on) and hands the sender the opened stream and
/// the greeting's protocol; the sender runs over the connection as its client (main.c: client_run).
/// </summary>
internal static class DaemonPush
{
    /// <param name="source">What to send.</param>
    /// <param name="modulePath">The destination as the daemon is asked for it ("module/path").</param>
    /// <param name="options">The push's rsync options.</param>
    /// <param name="log">The client's output.</param>
    /// <param name="progress">Per-file progress, or null.</param>
    /// <param name="openModule">Opens the module with the server arguments built here.</param>
    /// <param name="secluded">-s: the arguments after the letters travel protected.</param>
    /// <param name="ct">Cancels the push.</param>
    public static async Task<TransferResult> RunAsync(SendSource source, string modulePath, TransferOptions options,
        ITransferLog log, IProgress<TransferProgress>? progress,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> openModule, bool secluded, CancellationToken ct)
    {
        List<string> args = ServerArguments.Build(options, daemonSends: false, [modulePath], secluded);
        await using DaemonSession daemon = await openModule(args, ct).ConfigureAwait(false);
        // rsync io.c: perform_io paces every write of the sender by --bwlimit (sleep_for_bwlimit).
        await using var connection = new Connection(daemon.Stream, isServer: false, log, options.BandwidthLimit, ct);
        await connection.SetupClientAsync(daemon.ProtocolVersion, options, weSend: true, ct).ConfigureAwait(false);
        connection.StartMultiplexing(options.TimeoutSpan);
        var sender = new SenderRole(source, options, log, progress);
        return await sender.RunAsync(connection, localServer: false, ct).ConfigureAwait(false);
    }
}
