using System.Net;
using System.Net.Sockets;
using ManagedRsync.Daemon;
using ManagedRsync.IO;
using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// `mrsync daemon`: rsync's daemon (clientserver.c: daemon_main, start_accept_loop in socket.c) serving stock rsync
/// clients and mrsync's own. One process serves every connection, each on its own task; nothing is forked, so the
/// daemon runs with one user's rights for all of them (uid/gid/use chroot that would need another are refused at
/// start, see <see cref="DaemonConfig.Validate"/>). Every path a client names stays beneath its module.
/// </summary>
public sealed class RsyncDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly DaemonOptions _options;
    private readonly string? _pidFile;
    private readonly List<Task> _connections = [];
    private readonly bool _processPerConnection;

    private RsyncDaemon(Socket listener, DaemonOptions options, string? pidFile, bool processPerConnection)
    {
        _listener = listener;
        _options = options;
        _pidFile = pidFile;
        _processPerConnection = processPerConnection;
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>
    /// Loads and checks the config, then listens (on <paramref name="listener"/> when given: a systemd socket). Throws
    /// <see cref="DaemonConfigException"/> naming every parameter it would not honour.
    /// </summary>
    public static RsyncDaemon Start(DaemonOptions options, Socket? listener = null)
    {
        DaemonConfig config = CheckConfig(options);
        if (listener is null)
        {
            int port = options.Port ?? (config.Port > 0 ? config.Port : DaemonConfig.DefaultPort);
            string? address = options.Address ?? config.Address;
            IPAddress bind = address is null ? IPAddress.IPv6Any : IPAddress.Parse(address);
            listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (bind.Equals(IPAddress.IPv6Any))
                listener.DualMode = true;
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // socket.c: open_socket_in sets "socket options" on the listening socket (its connections inherit them);
            // each problem is reported and the daemon goes on ("Unknown socket option NAME"). Still starting up,
            // stock's who_am_i says "client".
            SocketOptions.Apply(listener, config.SocketOptions, "client", problem => options.Warn?.Invoke(problem));
            try
            {
                listener.Bind(new IPEndPoint(bind, port));
                listener.Listen(config.ListenBacklog);
            }
            catch (SocketException e)
            {
                listener.Dispose();
                // socket.c: open_socket_in words it "bind() failed: %s (address-family %d)" with strerror alone, no errno.
                throw new DaemonConfigException($"bind() failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.NativeErrorCode)} (address {bind}, port {port})");
            }
        }
        // clientserver.c: daemon_main warns that a PROXY-header daemon trusting no proxy refuses every connection
        // (rprintf FWARNING: stderr and, in a daemon, its log file).
        if (config.ProxyProtocol && string.IsNullOrEmpty(config.ProxyProtocolHosts))
        {
            const string warning = "\"proxy protocol = true\" but \"proxy protocol hosts\" is unset: all connections will be"
                + " rejected as untrusted proxy peers.  Set \"proxy protocol hosts\" to your trusted proxy's address.";
            options.Warn?.Invoke(warning);
            new DaemonLogFile(options.LogFile ?? config.LogFile).Write(warning);
        }
        if (config.PidFile is { } pidFile)
            File.WriteAllText(pidFile, Environment.ProcessId + "\n");
        // clientserver.c: daemon_main logs its start once the pid file is written (rsync's testsuite,
        // daemon-standalone-detach, waits for this line); the version is mrsync's own.
        new DaemonLogFile(options.LogFile ?? config.LogFile).Write(
            $"rsyncd version {typeof(RsyncDaemon).Assembly.GetName().Version?.ToString(3)} starting, listening on port {((IPEndPoint)listener.LocalEndPoint!).Port}");
        // socket.c: start_accept_loop forks a child per connection, which takes the module's user; mrsync starts its
        // ConnectionCommand when some module needs that (or a chroot), and serves the others in this process.
        bool perConnection = options.ConnectionCommand is not null && Interop.GetEffectiveUserId() == 0
            && config.NeedsOwnProcesses(0, Interop.GetEffectiveGroupId());
        return new RsyncDaemon(listener, options, config.PidFile, perConnection);
    }

    /// <summary>Loads the config and refuses what mrsync would not honour (every problem named).</summary>
    public static DaemonConfig CheckConfig(DaemonOptions options)
    {
        DaemonConfig config = options.LoadConfig();
        IReadOnlyList<string> problems = config.Validate(Interop.GetEffectiveUserId(), LocalAccounts.UserId,
            LocalAccounts.GroupId, Interop.GetEffectiveGroupId(), options.OwnProcess || options.ConnectionCommand is not null,
            ModuleEntry.CanChroot);
        if (problems.Count > 0)
            throw new DaemonConfigException(string.Join('\n', problems));
        return config;
    }

    /// <summary>Accepts and serves clients until <paramref name="ct"/> is cancelled, then waits for those being served.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Socket client = await _listener.AcceptAsync(ct).ConfigureAwait(false);
                client.NoDelay = true;
                lock (_connections)
                {
                    _connections.RemoveAll(t => t.IsCompleted);
                    _connections.Add(_processPerConnection
                        ? ServeInChildAsync(client)
                        : Task.Run(() => ServeSocketAsync(client, ct), CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        Task[] running;
        lock (_connections)
            running = [.. _connections];
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ServeSocketAsync(Socket client, CancellationToken ct)
    {
        try
        {
            // A stock client leaves Nagle on and writes its arguments and its checksum choice in small pieces, each
            // piece after the first waiting for our ACK of it, which Linux delays up to 40 ms while we only read:
            // two such stalls began every connection, and a sending server's requests waited so during the transfer
            // (protocol-notes §71).
            await using var stream = new QuickAckNetworkStream(client, afterReads: true);
            await ServeAsync(stream, client.RemoteEndPoint, _options, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; the others are served on.
        }
    }

    // The connection's own process serves it (inetd-style: the socket is its stdin and stdout); this one lets go of its
    // copy of the socket and waits for the child, which a stopping daemon leaves to finish, as stock's children do.
    private Task ServeInChildAsync(Socket client)
    {
        try
        {
            int pid = SocketChildProcess.Start(_options.ConnectionCommand!, (int)client.SafeHandle.DangerousGetHandle(), out int error);
            if (pid != 0)
                return SocketChildProcess.WaitAsync(pid);
            _options.Warn?.Invoke($"mrsync daemon: posix_spawn {_options.ConnectionCommand![0]} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}");
            return Task.CompletedTask;
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// Serves one client over <paramref name="stream"/> (inetd / systemd Accept=yes: the connection is stdin/stdout;
    /// the listener's own connections come here too).
    /// </summary>
    /// <returns>The connection's exit code (rsync's exit_cleanup code for it).</returns>
    public static Task<RsyncExitCode> ServeAsync(Stream stream, EndPoint? peer, DaemonOptions options, CancellationToken ct) =>
        new DaemonConnection(stream, peer, options).RunAsync(ct);

    /// <summary>Serves one client whose connection is two streams (inetd's stdin and stdout).</summary>
    /// <returns>The connection's exit code.</returns>
    public static Task<RsyncExitCode> ServeAsync(Stream input, Stream output, EndPoint? peer, DaemonOptions options,
        CancellationToken ct) =>
        ServeAsync(new DuplexStream(input, output), peer, options, ct);

    /// <summary>Stops listening, waits for the clients being served, removes the pid file.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Task[] running;
        lock (_connections)
            running = [.. _connections];
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
        if (_pidFile is not null)
            File.Delete(_pidFile);
    }
}
