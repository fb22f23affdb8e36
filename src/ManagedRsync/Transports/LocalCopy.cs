using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;

namespace ManagedRsync.Transports;

/// <summary>
/// A local copy in stock rsync's shape (main.c: the local branch of start_client, pipe.c: local_child): the client is
/// always the sender, and a server runs generator and receiver (main.c: start_server, do_server_recv) at the other end
/// of a pipe. Here both halves run in this process over <see cref="LocalPipe"/>. As in stock's forked child, the server
/// takes the client's parsed options and filter rules in memory (local_server: exclude.c send_filter_list and
/// recv_filter_list skip the wire), but the protocol versions, compat flags, negotiated names and seed are exchanged
/// as over any connection (compat.c: setup_protocol).
/// </summary>
internal static class LocalCopy
{
    /// <param name="source">What to copy.</param>
    /// <param name="destination">Where to (rsync main.c: get_local_name's argument).</param>
    /// <param name="options">The copy's rsync options; both halves use them.</param>
    /// <param name="log">The client's output.</param>
    /// <param name="progress">Per-file progress, or null.</param>
    /// <param name="ct">Cancels the copy.</param>
    /// <param name="receivingOptions">The server half's own options (pipe.c: local_child with -M), or null for <paramref name="options"/>.</param>
    public static async Task<TransferResult> RunAsync(SendSource source, string destination, TransferOptions options,
        ITransferLog log, IProgress<TransferProgress>? progress, CancellationToken ct, TransferOptions? receivingOptions = null)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        options = options with { LocalServer = true };
        TransferOptions serverOptions = (receivingOptions ?? options) with { LocalServer = true };
        Task<TransferResult> server = Task.Run(() => ServeAsync(serverEnd, destination, source.Filters, serverOptions, log, ct), ct);
        Task<TransferResult> client = SendAsync(clientEnd, source, options, log, progress, ct);
        try
        {
            await Task.WhenAll(client, server).ConfigureAwait(false);
        }
        catch (Exception) when (server.IsFaulted && server.Exception!.InnerException is RsyncException { IsConnectionLoss: false } cause)
        {
            // The server's own failure is the cause; the client only saw the pipe close (as stock's client reports the
            // error its server sent before exiting).
            throw cause;
        }
        TransferResult sent = await client.ConfigureAwait(false);
        TransferResult received = await server.ConfigureAwait(false);
        return sent.Outcome == TransferOutcome.Complete && received.Outcome != TransferOutcome.Complete
            ? sent with { Outcome = received.Outcome }
            : sent;
    }

    // The client half: rsync main.c client_run with am_sender.
    private static async Task<TransferResult> SendAsync(Stream stream, SendSource source, TransferOptions options,
        ITransferLog log, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        try
        {
            await using var connection = new Connection(stream, isServer: false, log, options.BandwidthLimit, ct);
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: true, ct).ConfigureAwait(false);
            connection.StartMultiplexing(options.TimeoutSpan);
            var sender = new SenderRole(source, options, log, progress);
            return await sender.RunAsync(connection, localServer: true, ct).ConfigureAwait(false);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The server half: rsync main.c start_server -> do_server_recv, into the destination only.
    private static async Task<TransferResult> ServeAsync(Stream stream, string destination, Filters.FilterList? filters,
        TransferOptions options, ITransferLog log, CancellationToken ct)
    {
        try
        {
            await using var connection = new Connection(stream, isServer: true, log);
            // The letters stock's client sends its forked server (options.c: maybe_add_e_option), 'i' among them.
            string clientInfo = (IncrementalRecursion.StockAllows(options, weSend: true) ? "i" : "") + ServerArguments.Capabilities;
            await connection.SetupServerAsync(options, clientInfo, ct).ConfigureAwait(false);
            connection.StartMultiplexing(options.TimeoutSpan);
            var target = new ReceiveTarget(destination, RequestedNames.All, filters,
                KeepPartial: options.Partial, TempDirectory: options.TempDir);
            // pipe.c: local_child — "Let the sending side handle this": --chmod is applied once, by the sender (a
            // copy rule such as g=o is not idempotent).
            // pipe.c: local_child also drops --log-file in the child ("Let the client side handle this").
            var receiver = new ReceivingSide(target, options with { Chmod = null, LogFileFormat = null }, log);
            return await receiver.RunAsync(connection, exchangeFilters: false, ct).ConfigureAwait(false);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
