using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Support;

/// <summary>
/// A transfer of <c>src/</c> into <c>dest</c> through an in-memory pipe, our roles on both ends: the server is the
/// sender (a pull: what `mrsync daemon` runs for a pulling client, without the daemon around it) when
/// <c>serverSends</c>, the receiving side (generator and receiver: a push) otherwise. The client's filter rules, if
/// any, reach the server over the wire only; the server has none in memory.
/// </summary>
internal static class PipeTransfer
{
    /// <returns>The client's result, and one log that both ends write to.</returns>
    public static async Task<(TransferResult Client, RecordingLog Log)> RunAsync(string src, string dest, TransferOptions options,
        bool serverSends, FilterList? filters = null)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        var log = new RecordingLog();
        Task<TransferResult> server = Task.Run(async () =>
        {
            await using var connection = new Connection(serverEnd, isServer: true, log);
            // A pulling client offers incremental recursion as stock's does ('i' in its capabilities); the pushes here
            // send one whole list, as they were written for.
            string clientInfo = (serverSends && IncrementalRecursion.StockAllows(options, weSend: false) ? "i" : "") + ServerArguments.Capabilities;
            await connection.SetupServerAsync(knownProtocol: null, options, clientInfo, serverSends, default);
            connection.StartMultiplexing(default);
            try
            {
                return await RunRoleAsync(connection, sends: serverSends, rules: null);
            }
            finally
            {
                serverEnd.Dispose();
            }
        });
        TransferResult result;
        await using (var connection = new Connection(clientEnd, isServer: false, log))
        {
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: !serverSends, default);
            connection.StartMultiplexing(default);
            result = await RunRoleAsync(connection, sends: !serverSends, filters).WaitAsync(TimeSpan.FromSeconds(30));
        }
        clientEnd.Dispose();
        await server.WaitAsync(TimeSpan.FromSeconds(30));
        return (result, log);

        Task<TransferResult> RunRoleAsync(Connection connection, bool sends, FilterList? rules) => sends
            ? new SenderRole(new SendSource([src + "/"], null, null, rules, null), options, log, null).RunAsync(connection, localServer: false, default)
            : new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: rules), options, log).RunAsync(connection, exchangeFilters: true, default);
    }
}
