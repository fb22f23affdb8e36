using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Support;

/// <summary>
/// A pull of <c>src/</c> into <c>dest</c> through an in-memory pipe: our sender as the server (what `mrsync daemon`
/// runs for a pulling client, without the daemon around it), a receiving side (generator and receiver) as the client.
/// The server is offered incremental recursion as stock's client offers it ('i' in its capabilities).
/// </summary>
internal static class ClientPull
{
    public static async Task<(TransferResult Received, RecordingLog Log)> RunAsync(string src, string dest, TransferOptions options)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        var log = new RecordingLog();
        Task<TransferResult> server = Task.Run(async () =>
        {
            await using var connection = new Connection(serverEnd, isServer: true, new RecordingLog());
            string clientInfo = (IncrementalRecursion.StockAllows(options, weSend: false) ? "i" : "") + ServerArguments.Capabilities;
            await connection.SetupServerAsync(knownProtocol: null, options, clientInfo, serverSends: true, default);
            connection.StartMultiplexing(default);
            var sender = new SenderRole(new SendSource([src + "/"], null, null, null, null), options, new RecordingLog(), null);
            try
            {
                return await sender.RunAsync(connection, localServer: false, default);
            }
            finally
            {
                serverEnd.Dispose();
            }
        });
        TransferResult received;
        await using (var connection = new Connection(clientEnd, isServer: false, log))
        {
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: false, default);
            connection.StartMultiplexing(default);
            var receiver = new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log);
            received = await receiver.RunAsync(connection, exchangeFilters: true, default).WaitAsync(TimeSpan.FromSeconds(30));
        }
        clientEnd.Dispose();
        await server.WaitAsync(TimeSpan.FromSeconds(30));
        return (received, log);
    }
}
