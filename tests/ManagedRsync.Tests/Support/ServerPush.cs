using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Support;

/// <summary>
/// A push of <c>src/</c> into <c>dest</c> through an in-memory pipe: our sender as the client, a receiving side as the
/// server (what `mrsync daemon` runs for a pushing client, without the daemon around it), with the filter rules, if
/// any, sent over the wire only.
/// </summary>
internal static class ServerPush
{
    public static async Task<(TransferResult Sent, RecordingLog Log)> RunAsync(string src, string dest, TransferOptions options,
        FilterList? filters = null)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        var log = new RecordingLog();
        Task<TransferResult> server = Task.Run(async () =>
        {
            await using var connection = new Connection(serverEnd, isServer: true, log);
            await connection.SetupServerAsync(options, ServerArguments.Capabilities, default);
            connection.StartMultiplexing(default);
            // No rules in memory on this side: whatever the receiver protects came over the wire.
            var receiver = new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log);
            try
            {
                return await receiver.RunAsync(connection, exchangeFilters: true, default);
            }
            finally
            {
                serverEnd.Dispose();
            }
        });
        TransferResult sent;
        await using (var connection = new Connection(clientEnd, isServer: false, log))
        {
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: true, default);
            connection.StartMultiplexing(default);
            var sender = new SenderRole(new SendSource([src + "/"], null, null, filters, null), options, log, null);
            sent = await sender.RunAsync(connection, localServer: false, default).WaitAsync(TimeSpan.FromSeconds(30));
        }
        clientEnd.Dispose();
        await server.WaitAsync(TimeSpan.FromSeconds(30));
        return (sent, log);
    }
}
