using ManagedRsync.Transfer;

namespace ManagedRsync.Daemon;

/// <summary>
/// The daemon client as a transport: connects, authenticates and starts a module, and hands the roles the opened
/// duplex stream and the protocol version the greeting settled (<see cref="DaemonSession.Stream"/>,
/// <see cref="DaemonSession.ProtocolVersion"/>).
/// </summary>
internal static class DaemonTransport
{
    /// <summary>
    /// Connects, authenticates and starts <paramref name="address"/>'s module with the server arguments (rsync
    /// clientserver.c: start_socket_client, start_inband_exchange); the connection is closed if that fails.
    /// </summary>
    public static async Task<DaemonSession> OpenModuleAsync(DaemonAddress address, int? port, TimeSpan? connectTimeout,
        int protocol, Func<string?>? password, IReadOnlyList<string> args, ITransferLog log, CancellationToken ct)
    {
        var connect = new DaemonConnectOptions
        {
            Host = address.Host,
            Port = address.EffectivePort(port),
            ConnectTimeout = connectTimeout,
            ProtocolVersion = protocol,
            ServerLine = log.Info,
        };
        DaemonSession daemon = await DaemonSession.ConnectAsync(connect, ct).ConfigureAwait(false);
        try
        {
            await daemon.StartModuleAsync(address.ModulePath, address.User, password ?? (() => null), args, ct).ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
