using ManagedRsync.Daemon;

namespace ManagedRsync.Client;

/// <summary>
/// Connects to a daemon and starts a module with the server arguments the role builds (rsync clientserver.c:
/// start_socket_client, start_inband_exchange); the connection is closed if that fails. The password is asked for
/// only when the daemon wants one, as rsync reads --password-file only then (authenticate.c: auth_client).
/// </summary>
internal sealed class ModuleOpener(DaemonAddress address, DaemonConnectOptions? connection, int? port, TimeSpan? connectTimeout,
    int protocol, string? user, Func<string?>? password, EventSink sink)
{
    public async Task<DaemonSession> OpenAsync(IReadOnlyList<string> serverArgs, CancellationToken ct)
    {
        DaemonConnectOptions options = connection ?? new DaemonConnectOptions
        {
            Host = address.Host,
            Port = address.EffectivePort(port),
            ConnectTimeout = connectTimeout,
            ProtocolVersion = protocol,
        };
        DaemonSession daemon = await DaemonSession.ConnectAsync(sink.Attach(options), ct).ConfigureAwait(false);
        try
        {
            await daemon.StartModuleAsync(address.ModulePath, user ?? address.User, password ?? (() => null), serverArgs, ct)
                .ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
