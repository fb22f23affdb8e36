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
    public static Task<DaemonSession> OpenModuleAsync(DaemonAddress address, int? port, TimeSpan? connectTimeout,
        int protocol, Func<string?>? password, IReadOnlyList<string> args, ITransferLog log, CancellationToken ct) =>
        OpenModuleAsync(DaemonConnectOptions.ForAddress(address, port, connectTimeout, protocol) with { ServerLine = log.Info },
            address, address.User, password, args, ct);

    /// <summary>
    /// As above, with every connect option given (<paramref name="connect"/>) and the login <paramref name="user"/>;
    /// the password is asked for only when the daemon wants one (rsync authenticate.c: auth_client).
    /// </summary>
    public static async Task<DaemonSession> OpenModuleAsync(DaemonConnectOptions connect, DaemonAddress address, string? user,
        Func<string?>? password, IReadOnlyList<string> args, CancellationToken ct)
    {
        DaemonSession daemon = await DaemonSession.ConnectAsync(connect, ct).ConfigureAwait(false);
        try
        {
            await daemon.StartModuleAsync(address.ModulePath, user, password ?? (() => null), args, ct).ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
