using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Session;

namespace ManagedRsync.Daemon;

/// <summary>
/// A pull from an rsync daemon: the daemon client transport opens the module (rsync clientserver.c:
/// start_inband_exchange with the server arguments of options.c: server_options, am_sender off), and generator and
/// receiver run over the connection as its client (main.c: client_run, do_recv).
/// </summary>
internal static class PullSession
{
    /// <param name="options">The pull's rsync options.</param>
    /// <param name="sources">The sources as the daemon is asked for them, each "module/path".</param>
    /// <param name="target">Where and how the received files are written.</param>
    /// <param name="log">The client's output.</param>
    /// <param name="openModule">Opens the module with the server arguments built here.</param>
    /// <param name="secluded">-s: the arguments after the letters travel protected.</param>
    /// <param name="ct">Cancels the pull.</param>
    public static async Task<TransferResult> RunAsync(TransferOptions options, IReadOnlyList<string> sources, ReceiveTarget target,
        ITransferLog log, Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> openModule, bool secluded, CancellationToken ct)
    {
        List<string> args = ServerArguments.Build(options, daemonSends: true, sources, secluded);
        await using DaemonSession daemon = await openModule(args, ct).ConfigureAwait(false);
        // rsync main.c: do_recv — the generator's writes (sums, indexes) are paced by --bwlimit; the receiver's are not.
        await using var connection = new Connection(daemon.Stream, isServer: false, log, options.BandwidthLimit, ct);
        await connection.SetupClientAsync(daemon.ProtocolVersion, options, weSend: false, ct).ConfigureAwait(false);
        // The receiver reads the socket through a thread that waits in poll(2) as stock's perform_io waits in select,
        // not through the runtime's socket engine and a thread-pool worker per arrival (protocol-notes §81).
        connection.StartMultiplexing(options.TimeoutSpan, generatorMessages: options.RemovesFromSender, readerThread: true);
        var receiver = new ReceivingSide(target, options, log);
        return await receiver.RunAsync(connection, exchangeFilters: true, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The top-level names a pull of <paramref name="source"/> (and the further "module/path" sources) may receive.
    /// Further sources are sent as "module/path"; rsync matches them without the module (exclude.c:
    /// add_implied_include with skip_daemon_module).
    /// </summary>
    public static RequestedNames Requested(DaemonAddress source, IReadOnlyList<string> extraSourcePaths, bool relative)
    {
        var extras = extraSourcePaths.Select(p => p.IndexOf('/') is int slash and >= 0 ? p[(slash + 1)..] : "");
        return RequestedNames.FromSources([source.Path, .. extras], relative);
    }
}
