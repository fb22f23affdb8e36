using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;

namespace ManagedRsync.Transports;

/// <summary>
/// A push or pull with a server started over a remote shell (rsync main.c: start_client's shell branch, do_cmd,
/// client_run): the shell runs once for the transfer with the server's words on its command line, its stdin and stdout
/// are the connection, and the protocol starts with the binary version exchange (no @RSYNCD greeting). The client
/// then runs the same roles as over a daemon socket: the sender for a push, generator and receiver for a pull.
/// </summary>
internal static class RemoteShellTransfer
{
    /// <summary>rsync main.c: client_run with am_sender: <paramref name="source"/> to <paramref name="remotePath"/>.</summary>
    public static Task<TransferResult> PushAsync(RemoteShell shell, string remotePath, SendSource source, TransferOptions options,
        ITransferLog log, IProgress<TransferProgress>? progress, CancellationToken ct) =>
        RunAsync(shell, pull: false, [remotePath], options, log, async (connection, c) =>
        {
            var sender = new SenderRole(source, options, log, progress);
            return await sender.RunAsync(connection, localServer: false, c).ConfigureAwait(false);
        }, ct);

    /// <summary>
    /// rsync main.c: client_run as the receiver (generator and receiver): <paramref name="remotePaths"/> into
    /// <paramref name="target"/> (with no destination, a listing of them).
    /// </summary>
    public static Task<TransferResult> PullAsync(RemoteShell shell, IReadOnlyList<string> remotePaths, ReceiveTarget target,
        TransferOptions options, ITransferLog log, CancellationToken ct) =>
        RunAsync(shell, pull: true, SentPaths(remotePaths), options, log, async (connection, c) =>
        {
            var receiver = new ReceivingSide(target, options, log);
            return await receiver.RunAsync(connection, exchangeFilters: true, c).ConfigureAwait(false);
        }, ct);

    /// <summary>The top-level names a pull of <paramref name="remotePaths"/> may receive.</summary>
    public static RequestedNames Requested(IReadOnlyList<string> remotePaths, bool relative) =>
        // exclude.c: add_implied_include takes each source as written; "." sends the directory's contents.
        RequestedNames.FromSources(SentPaths(remotePaths).Select(p => p == "." ? "./" : p), relative);

    private static Task<TransferResult> RunAsync(RemoteShell shell, bool pull, IReadOnlyList<string> remotePaths,
        TransferOptions options, ITransferLog log, Func<Connection, CancellationToken, Task<TransferResult>> role, CancellationToken ct)
    {
        SafeArgument quoting = RemoteShellCommand.Quoting(shell, options, pull);
        ShellServerArguments server = ServerArguments.BuildForShell(options, pull, SentPaths(remotePaths), quoting);
        List<string> argv = RemoteShellCommand.Build(shell, server.CommandLine);
        return OverShellAsync(argv, environment: null, log, async (stream, c) =>
        {
            if (server.Secluded is { } secluded)
                await WriteSecludedAsync(stream, secluded, c).ConfigureAwait(false);
            await using var connection = new Connection(stream, isServer: false, log, options.BandwidthLimit, c);
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: !pull, c).ConfigureAwait(false);
            connection.StartMultiplexing(options.TimeoutSpan, generatorMessages: pull && options.RemovesFromSender);
            return await role(connection, c).ConfigureAwait(false);
        }, WithShellStatus, inClientRun: null, ct);
    }

    /// <summary>
    /// Starts the shell <paramref name="argv"/> (with <paramref name="environment"/> added to ours) and runs
    /// <paramref name="run"/> over its stdin and stdout. A failure is reported with the shell's status when the shell
    /// has ended with one, once <paramref name="inClientRun"/> says the transfer proper has begun (null: from the
    /// start): rsync cleanup.c takes the child's status only once main.c: client_run has set cleanup_child_pid, so a
    /// daemon's in-band handshake that fails exits with its own code. With <paramref name="withStatus"/>, the shell is
    /// waited for once <paramref name="run"/> is done and its exit status given to it (client_run waits for the
    /// child); without, it is not waited for.
    /// </summary>
    internal static async Task<T> OverShellAsync<T>(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment,
        ITransferLog log, Func<Stream, CancellationToken, Task<T>> run, Func<T, int, T>? withStatus, Func<bool>? inClientRun,
        CancellationToken ct)
    {
        await using RemoteShellProcess process = RemoteShellProcess.Start(argv, log, environment);
        T result;
        try
        {
            result = await run(process.Stream, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RsyncException or IOException && !ct.IsCancellationRequested)
        {
            if (inClientRun is null || inClientRun())
                throw await WithShellStatusAsync(process, e, ct).ConfigureAwait(false);
            if (e is RsyncException)
                throw;
            throw new RsyncException(RsyncErrorKind.ConnectionClosed, "connection unexpectedly closed: " + e.Message, e);
        }
        if (withStatus is null)
            return result;
        await process.Stream.DisposeAsync().ConfigureAwait(false);
        int status = await process.ExitStatusAsync(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false) ?? 0;
        return withStatus(result, status);
    }

    /// <summary>rsync main.c: client_run returns the higher of its own code and the shell's status.</summary>
    internal static TransferResult WithShellStatus(TransferResult result, int status) =>
        status != 0 ? result with { ShellExitStatus = status } : result;

    // rsync main.c: start_client turns an empty remote path into "." (a push's missing destination too).
    private static List<string> SentPaths(IReadOnlyList<string> remotePaths) =>
        remotePaths.Count == 0 ? ["."] : [.. remotePaths.Select(p => p.Length == 0 ? "." : p)];

    // rsync.c: send_protected_args: a new arg 0 "rsync", each word NUL-terminated (an empty one as "."), then one NUL,
    // written before the version exchange.
    private static async Task WriteSecludedAsync(Stream stream, IReadOnlyList<string> words, CancellationToken ct)
    {
        await stream.WriteAsync(ServerArguments.SecludedBytes(words), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    // rsync cleanup.c: _exit_cleanup takes the shell's exit status when it has already ended with a higher code than
    // the client's own (ssh's 255 for a host it could not reach); its stderr is printed before the client's error.
    private static async Task<Exception> WithShellStatusAsync(RemoteShellProcess shell, Exception failure, CancellationToken ct)
    {
        int? status = await shell.ExitStatusAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        // A shell that has ended closed both pipes: stock's client, polling its input while it writes (io.c
        // perform_io), reads that end first and says so (exit 12), whether or not our write hit the closed pipe first.
        bool shellGone = status is not null && failure is RsyncException { Kind: RsyncErrorKind.Connection, InnerException: IOException };
        RsyncException error = failure is RsyncException known && !shellGone
            ? known
            : new RsyncException(RsyncErrorKind.ConnectionClosed, "connection unexpectedly closed: " + (failure.InnerException ?? failure).Message, failure);
        if (status is int code && code != 0)
        {
            return new RsyncException(error.Kind, error.Message, error)
            {
                RemoteMessage = error.RemoteMessage, RemoteExitCode = error.RemoteExitCode, ShellExitStatus = code,
            };
        }
        return error;
    }
}
