using ManagedRsync.Daemon;

namespace ManagedRsync.Client;

/// <summary>
/// The library's entry point: list a daemon's modules, push to it, pull from it, copy locally. Each call is one connection, takes a
/// request record (immutable; build one with an object initializer or <c>with</c>), reports what happens through
/// <see cref="ITransferEvents"/>, honours its <see cref="CancellationToken"/>, and returns a
/// <see cref="TransferResult"/> with rsync's figures.
/// </summary>
/// <remarks>
/// Failures that end a run throw <see cref="RsyncException"/>, whose <see cref="RsyncException.Kind"/> says what failed
/// (usage, authentication, protocol, connection, file I/O, timeout, ...: rsync's failure classes) and whose
/// <see cref="RsyncException.RemoteMessage"/> keeps the daemon's words. A run that completes with some files failed or
/// vanished is a result, not an exception: see <see cref="TransferResult.Outcome"/>. Cancelling closes the
/// connection and throws <see cref="OperationCanceledException"/>.
/// </remarks>
public static class RsyncClient
{
    /// <summary>
    /// Lists the daemon's modules, as <c>rsync rsync://HOST/</c> does. Its message of the day and every listing line
    /// are also raised as <see cref="TransferMessageKind.ServerLine"/> messages, in order.
    /// </summary>
    /// <param name="connection">The daemon to ask.</param>
    /// <param name="events">Receives the daemon's lines, or null.</param>
    /// <param name="ct">Cancels the connection.</param>
    /// <returns>The modules after the message of the day.</returns>
    public static async Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(DaemonConnectOptions connection,
        ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sink = new EventSink(events);
        await using var session = await DaemonSession.ConnectAsync(sink.Attach(connection), ct).ConfigureAwait(false);
        return await session.ListModulesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the modules of a daemon reached through a remote shell, as <c>rsync -e COMMAND HOST::</c> does: the shell
    /// runs <c>rsync --server --daemon .</c> on its host and the listing comes over its pipes. The daemon's lines and
    /// the shell's stderr are raised as messages, as for <see cref="ListModulesAsync(DaemonConnectOptions, ITransferEvents?, CancellationToken)"/>.
    /// </summary>
    /// <param name="shell">How to reach the host (ssh unless the command says otherwise).</param>
    /// <param name="address">The daemon address as written (<c>HOST::</c>, <c>rsync://HOST:PORT/</c>): its port and
    /// else <paramref name="port"/> become $RSYNC_PORT in the shell's environment, as rsync sets it for a helper script.</param>
    /// <param name="port">--port, or null.</param>
    /// <param name="greeting">The greeting's protocol and handshake timeout, or null for the defaults (its host is not used).</param>
    /// <param name="events">Receives the daemon's lines and the shell's stderr, or null.</param>
    /// <param name="ct">Cancels the listing (the shell is ended).</param>
    /// <returns>The modules after the message of the day.</returns>
    public static Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(Transports.RemoteShell shell, DaemonAddress address, int? port = null,
        DaemonConnectOptions? greeting = null, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentNullException.ThrowIfNull(address);
        var sink = new EventSink(events);
        return DaemonOverShell.ListModulesAsync(shell, sink.Attach(greeting ?? DaemonConnectOptions.ForAddress(address, port, null,
            DaemonConnectOptions.MaxProtocolVersion)), DaemonOverShell.RsyncPort(address, port), sink, ct);
    }

    /// <summary>
    /// Pushes local files to a daemon module, as <c>rsync [options] SRC... [USER@]HOST::MODULE/PATH</c> does.
    /// </summary>
    /// <param name="request">What to send where, and the rsync options.</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the transfer.</param>
    /// <returns>The run's figures and its outcome (complete, partial transfer, or vanished files).</returns>
    /// <exception cref="RsyncException">The run could not complete.</exception>
    public static Task<TransferResult> PushAsync(PushRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        return ToDaemon(request, request.Options, sink, (openModule, c) =>
            DaemonPush.RunAsync(request.Source, request.Destination.ModulePath, request.Options, sink,
                request.Options.ReportsProgress ? sink : null, openModule, Secluded(request), c), ct);
    }

    /// <summary>
    /// As <see cref="PushAsync(PushRequest, ITransferEvents?, CancellationToken)"/>, over the module connection
    /// <paramref name="openModule"/> gives for the push's server arguments (the watcher hands one it greeted and
    /// authenticated ahead of need); the request's connection, user and password are not used.
    /// </summary>
    internal static Task<TransferResult> PushAsync(PushRequest request, ITransferEvents? events,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> openModule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        return DaemonPush.RunAsync(request.Source, request.Destination.ModulePath, request.Options, sink,
            request.Options.ReportsProgress ? sink : null, openModule, Secluded(request), ct);
    }

    /// <summary>
    /// Pulls from a daemon module into a local directory, as <c>rsync [options] [USER@]HOST::MODULE/PATH DEST</c> does;
    /// with no <see cref="ReceiveRequest.Destination"/>, lists the source as <c>rsync --list-only</c> does (each entry is
    /// raised as <see cref="ITransferEvents.OnListed"/>). Nothing outside the destination is read or written, whatever
    /// the daemon sends.
    /// </summary>
    /// <param name="request">What to fetch into where, and the rsync options.</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the transfer.</param>
    /// <returns>The run's figures and its outcome (complete or partial transfer).</returns>
    /// <exception cref="RsyncException">The run could not complete.</exception>
    public static Task<TransferResult> PullAsync(PullRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        TransferOptions options = request.RunOptions();
        var target = request.Target(PullSession.Requested(request.Source, request.ExtraSourcePaths, options.Relative), options, sink);
        return ToDaemon(request, options, sink, (openModule, c) =>
            PullSession.RunAsync(options, [request.Source.ModulePath, .. request.ExtraSourcePaths], target, sink, openModule,
                Secluded(request), c), ct);
    }

    /// <summary>
    /// Copies between local paths, as <c>rsync [options] SRC... DEST</c> does with no host on either side: a sender
    /// and a receiving server (generator and receiver) in this process over an in-memory pipe, as stock's local copy
    /// runs over a pipe to a forked server. Nothing outside the destination is written, and nothing is deleted when the
    /// file list is incomplete.
    /// </summary>
    /// <param name="request">What to copy where, and the rsync options (both halves use them).</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the copy.</param>
    /// <returns>The run's figures and its outcome (complete, partial transfer, or vanished files).</returns>
    /// <exception cref="RsyncException">The copy could not complete.</exception>
    public static Task<TransferResult> CopyAsync(LocalCopyRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        return Transports.LocalCopy.RunAsync(request.Source, request.Destination, request.Options, sink,
            request.Options.ReportsProgress ? sink : null, ct, request.ReceivingOptions);
    }

    /// <summary>
    /// Replays a batch file into a local directory, as <c>rsync [options] --read-batch=FILE DEST</c> does (rsync batch.c):
    /// the options the batch's data depends on are taken from its header, and only the files the destination still needs
    /// are taken from it. Nothing outside the destination is written, whatever the batch holds.
    /// </summary>
    /// <param name="request">The batch, where to replay it, and the rsync options.</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the replay.</param>
    /// <returns>The run's figures and its outcome.</returns>
    /// <exception cref="RsyncException">The replay could not complete.</exception>
    public static Task<TransferResult> ReadBatchAsync(ReadBatchRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Destination);
        var sink = new EventSink(events);
        TransferOptions options = request.Options with { ReadBatch = request.Batch };
        var target = request.Target(Destination.RequestedNames.All, options, sink);
        bool remote = Daemon.DaemonAddress.TryParse(request.Destination, out _) || Daemon.DaemonAddress.IsRemoteShellSpec(request.Destination);
        return Transports.BatchReplay.RunAsync(request.Batch, target, options, sink, remote, ct);
    }

    /// <summary>
    /// Pushes to a host through a remote shell, as <c>rsync [options] SRC... [USER@]HOST:DEST</c> does: the shell command
    /// (ssh by default) runs once for the transfer and starts the rsync server on the far side; its stderr lines arrive as
    /// <see cref="TransferMessageKind.Error"/> messages.
    /// </summary>
    /// <param name="request">The shell, what to send where, and the rsync options.</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the transfer (the shell is ended).</param>
    /// <returns>The run's figures and rsync's exit code for it, the shell's own status when that is higher.</returns>
    /// <exception cref="RsyncException">The run could not complete (the shell could not start: exit 14).</exception>
    public static Task<TransferResult> PushAsync(RemoteShellPushRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        return Transports.RemoteShellTransfer.PushAsync(request.Shell, request.Destination, request.Source, request.Options, sink,
            request.Options.ReportsProgress ? sink : null, ct);
    }

    /// <summary>
    /// Pulls from a host through a remote shell, as <c>rsync [options] [USER@]HOST:SRC... DEST</c> does, or lists the
    /// sources when there is no destination; the shell runs once, as for <see cref="PushAsync(RemoteShellPushRequest, ITransferEvents?, CancellationToken)"/>.
    /// Nothing outside the destination is written, whatever the server sends.
    /// </summary>
    /// <param name="request">The shell, what to fetch into where, and the rsync options.</param>
    /// <param name="events">Receives messages, and per-file progress when <see cref="TransferOptions.Progress"/> is set.</param>
    /// <param name="ct">Cancels the transfer (the shell is ended).</param>
    /// <returns>The run's figures and rsync's exit code for it, the shell's own status when that is higher.</returns>
    /// <exception cref="RsyncException">The run could not complete (the shell could not start: exit 14).</exception>
    public static Task<TransferResult> PullAsync(RemoteShellPullRequest request, ITransferEvents? events = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new EventSink(events);
        TransferOptions options = request.RunOptions();
        var target = request.Target(Transports.RemoteShellTransfer.Requested(request.Sources, options.Relative), options, sink);
        return Transports.RemoteShellTransfer.PullAsync(request.Shell, request.Sources, target, options, sink, ct);
    }

    // A daemon push or pull: through the request's remote shell when it names one, else over a socket.
    private static Task<TransferResult> ToDaemon(IDaemonRequest request, TransferOptions options, EventSink sink,
        Func<Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>, CancellationToken, Task<TransferResult>> transfer,
        CancellationToken ct) =>
        request.Shell is { } shell
            ? OverShell(shell, request, options, sink, transfer, ct)
            : transfer(ModuleOpener(request, options, sink), ct);

    // A daemon push or pull through the request's remote shell: the greeting as the request's Connection (else the
    // address's and --protocol) says, the user as for a socket, $RSYNC_PORT from the address or --port.
    private static Task<TransferResult> OverShell(Transports.RemoteShell shell, IDaemonRequest request, TransferOptions options,
        EventSink sink, Func<Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>, CancellationToken, Task<TransferResult>> transfer,
        CancellationToken ct) =>
        DaemonOverShell.RunAsync(shell,
            sink.Attach(request.Connection ?? DaemonConnectOptions.ForAddress(request.Address, request.Port, null, options.Protocol)),
            DaemonOverShell.RsyncPort(request.Address, request.Port), request.Address, request.User ?? request.Address.User,
            request.Password, sink, transfer, ct);

    // -s reaches a daemon through its connection's options, or through the remote shell a daemon is reached over.
    private static bool Secluded(IDaemonRequest request) =>
        request.Connection?.SecludedArgs == true || request.Shell?.SecludedArgs == true;

    // Opens the request's module with the server arguments the role builds: its Connection (else the address, --port,
    // --contimeout and --protocol), its User (else the address's), the password only when asked; greeting lines to the events.
    private static Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> ModuleOpener(IDaemonRequest request,
        TransferOptions options, EventSink sink) =>
        (args, ct) => DaemonTransport.OpenModuleAsync(
            sink.Attach(request.Connection ?? DaemonConnectOptions.ForAddress(request.Address, request.Port, request.ConnectTimeout, options.Protocol)),
            request.Address, request.User ?? request.Address.User, request.Password, args, ct);
}
