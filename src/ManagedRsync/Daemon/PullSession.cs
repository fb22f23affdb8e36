using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Session;

using ManagedRsync.Transfer;
using ManagedRsync.Transfer.Receive;

namespace ManagedRsync.Daemon;

/// <summary>
/// A pull from an rsync daemon: the daemon client transport opens the module (rsync clientserver.c:
/// start_inband_exchange with the server arguments of options.c: server_options, am_sender off), and generator and
/// receiver run over the connection as its client (main.c: client_run, do_recv).
/// </summary>
internal sealed class PullSession(PullRequest request, ITransferLog log,
    Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>? openModule = null)
{
    public async Task<TransferResult> RunAsync(CancellationToken ct)
    {
        TransferOptions options = request.Options;
        List<string> args = ServerArguments.Build(options, daemonSends: true, [request.Source.ModulePath, .. request.ExtraSourcePaths]);
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> open = openModule
            ?? ((a, c) => DaemonTransport.OpenModuleAsync(request.Source, request.Port, request.ConnectTimeout, options.Protocol,
                request.Password, a, log, c));
        await using DaemonSession daemon = await open(args, ct).ConfigureAwait(false);
        // rsync main.c: do_recv — the generator's writes (sums, indexes) are paced by --bwlimit; the receiver's are not.
        await using var connection = new Connection(daemon.Stream, isServer: false, log, options.BandwidthLimit);
        await connection.SetupClientAsync(daemon.ProtocolVersion, options, ct).ConfigureAwait(false);
        connection.StartMultiplexing(options.TimeoutSpan);
        var receiver = new ReceiverRole(Target(), options, log);
        return await receiver.RunAsync(connection, exchangeFilters: true, ct).ConfigureAwait(false);
    }

    // Further sources are sent as "module/path"; rsync matches them without the module (exclude.c:
    // add_implied_include with skip_daemon_module).
    private ReceiveTarget Target()
    {
        var extras = request.ExtraSourcePaths.Select(p => p.IndexOf('/') is int slash and >= 0 ? p[(slash + 1)..] : "");
        var requested = RequestedNames.FromSources([request.Source.Path, .. extras], request.Options.Relative);
        return new ReceiveTarget(request.Destination, requested, request.Filters, request.KeepPartial, request.Progress,
            request.TempDirectory);
    }
}
