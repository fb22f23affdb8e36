using System.Globalization;
using ManagedRsync.Transports;

namespace ManagedRsync.Daemon;

/// <summary>
/// A daemon reached through a remote shell, as <c>rsync -e COMMAND [USER@]HOST::MODULE</c> reaches it (rsync main.c:
/// start_client with daemon_connection > 0, do_cmd): the shell runs <c>RSYNC_PATH --server --daemon .</c> once, and
/// the daemon protocol (greeting, module, authentication, then the transfer's server arguments in-band:
/// clientserver.c: start_inband_exchange) runs over its pipes exactly as over a socket; then the roles.
/// </summary>
internal static class DaemonOverShell
{
    /// <summary>Lists the modules (<c>rsync -e COMMAND HOST::</c>).</summary>
    /// <param name="shell">How to reach the host.</param>
    /// <param name="greeting">The greeting's protocol, digests and handshake timeout (host and port are not used).</param>
    /// <param name="rsyncPort">$RSYNC_PORT for the shell (see <see cref="Environment"/>).</param>
    /// <param name="log">The shell's stderr lines.</param>
    /// <param name="ct">Cancels the listing (the shell is ended).</param>
    // clientserver.c: start_inband_exchange exits 0 at @RSYNCD: EXIT without waiting for the shell.
    public static Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(RemoteShell shell, DaemonConnectOptions greeting, int rsyncPort,
        ITransferLog log, CancellationToken ct) =>
        RemoteShellTransfer.OverShellAsync(Argv(shell), Environment(rsyncPort), log, async (stream, c) =>
        {
            await using DaemonSession daemon = await DaemonSession.StartAsync(new DaemonStream(stream), greeting, c).ConfigureAwait(false);
            return await daemon.ListModulesAsync(c).ConfigureAwait(false);
        }, withStatus: null, inClientRun: () => false, ct);

    /// <summary>
    /// Runs <paramref name="transfer"/> (a daemon push or pull) with a module opener that greets, authenticates and
    /// starts <paramref name="address"/>'s module over the shell; the result carries the shell's exit status as
    /// stock's client_run takes it.
    /// </summary>
    public static Task<TransferResult> RunAsync(RemoteShell shell, DaemonConnectOptions greeting, int rsyncPort, DaemonAddress address,
        string? user, Func<string?>? password, ITransferLog log,
        Func<Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>, CancellationToken, Task<TransferResult>> transfer,
        CancellationToken ct)
    {
        // main.c: start_client runs start_inband_exchange before client_run: until the module is open, a failure is
        // the client's own (the shell's status is not taken).
        bool opened = false;
        return RemoteShellTransfer.OverShellAsync(Argv(shell), Environment(rsyncPort), log, (stream, c) => transfer(async (args, open) =>
        {
            DaemonSession daemon = await DaemonSession.StartAsync(new DaemonStream(stream), greeting, open).ConfigureAwait(false);
            DaemonSession started = await DaemonTransport.StartModuleAsync(daemon, address, user, password, args, open).ConfigureAwait(false);
            opened = true;
            return started;
        }, c), RemoteShellTransfer.WithShellStatus, () => opened, ct);
    }

    /// <summary>
    /// rsync main.c: start_client sets RSYNC_PORT for the shell of a daemon connection: the port of an
    /// <c>rsync://HOST:PORT/</c> URL, else --port, else 0 (rsync.1: "so that a script such as rsync-ssl knows the port").
    /// </summary>
    public static int RsyncPort(DaemonAddress address, int? port) => address.Port ?? port ?? 0;

    private static List<string> Argv(RemoteShell shell) =>
        RemoteShellCommand.Build(shell, RemoteShellCommand.DaemonServerWords, daemonConnection: true);

    private static Dictionary<string, string> Environment(int rsyncPort) =>
        new() { ["RSYNC_PORT"] = rsyncPort.ToString(CultureInfo.InvariantCulture) };
}
