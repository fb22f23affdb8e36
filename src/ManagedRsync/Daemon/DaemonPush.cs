using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transfer;

namespace ManagedRsync.Daemon;

/// <summary>
/// A push to an rsync daemon: the daemon client transport opens the module (rsync clientserver.c:
/// start_inband_exchange with options.c: server_options, am_sender on) and hands the sender the opened stream and
/// the greeting's protocol; the sender runs over the connection as its client (main.c: client_run).
/// </summary>
internal static class DaemonPush
{
    public static async Task<TransferResult> RunAsync(PushRequest request, ITransferLog log, IProgress<TransferProgress>? progress,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>? openModule, CancellationToken ct)
    {
        TransferOptions options = request.Options;
        List<string> args = ServerArguments.Build(options, daemonSends: false, [request.Destination.ModulePath]);
        openModule ??= (a, c) => DaemonTransport.OpenModuleAsync(request.Destination, request.Port, request.ConnectTimeout,
            options.Protocol, request.Password, a, log, c);
        await using DaemonSession daemon = await openModule(args, ct).ConfigureAwait(false);
        // rsync io.c: perform_io paces every write of the sender by --bwlimit (sleep_for_bwlimit).
        await using var connection = new Connection(daemon.Stream, isServer: false, log, options.BandwidthLimit);
        await connection.SetupClientAsync(daemon.ProtocolVersion, options, ct).ConfigureAwait(false);
        connection.StartMultiplexing(options.TimeoutSpan);
        var sender = new SenderRole(
            new SendSource(request.Sources, request.SourceRoot, request.RelativePaths, request.Filters, request.IsExcluded),
            options, log, progress);
        return await sender.RunAsync(connection, localServer: false, ct).ConfigureAwait(false);
    }
}
