namespace ManagedRsync.Daemon;

/// <summary>
/// The daemon client as a transport: connects, authenticates and starts a module, and hands the roles the opened
/// duplex stream and the protocol version the greeting settled (<see cref="DaemonSession.Stream"/>,
/// <see cref="DaemonSession.ProtocolVersion"/>).
/// </summary>
internal static class DaemonTransport
{
    /// <summary>
    /// Connects (every connect option given: <paramref name="connect"/>), authenticates as <paramref name="user"/> and
    /// starts <paramref name="address"/>'s module with the server arguments (rsync clientserver.c: start_socket_client,
    /// start_inband_exchange); the connection is closed if that fails. The password is asked for only when the daemon wants one (rsync authenticate.c: auth_client).
    /// </summary>
    public static async Task<DaemonSession> OpenModuleAsync(DaemonConnectOptions connect, DaemonAddress address, string? user,
        Func<string?>? password, IReadOnlyList<string> args, CancellationToken ct) =>
        await StartModuleAsync(await DaemonSession.ConnectAsync(connect, ct).ConfigureAwait(false), address, user, password, args, ct)
            .ConfigureAwait(false);

    /// <summary>
    /// The module phase of <see cref="OpenModuleAsync"/> on a session that has exchanged greetings (over a socket or a
    /// remote shell's pipes: rsync clientserver.c: start_inband_exchange serves both); the session is closed if it fails.
    /// </summary>
    public static async Task<DaemonSession> StartModuleAsync(DaemonSession daemon, DaemonAddress address, string? user,
        Func<string?>? password, IReadOnlyList<string> args, CancellationToken ct)
    {
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
