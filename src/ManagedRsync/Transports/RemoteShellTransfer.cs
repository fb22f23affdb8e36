using ManagedRsync.Destination;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transfer;

namespace ManagedRsync.Transports;

/// <summary>
/// A push or pull with a server started over a remote shell (rsync main.c: start_client's shell branch, do_cmd,
/// client_run): the shell runs once for the transfer with the server's words on its command line, its stdin and stdout
/// are the connection, and the protocol starts with the binary version exchange (no @RSYNCD greeting). The client
/// then runs the same roles as over a daemon socket: the sender for a push, generator and receiver for a pull.
/// </summary>
internal static class RemoteShellTransfer
{
    public static async Task<TransferResult> RunAsync(RemoteShellRequest request, ITransferLog log,
        IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        TransferOptions options = request.Options;
        // rsync main.c: start_client turns an empty remote path into "." (a push's missing destination too).
        List<string> remotePaths = request.RemotePaths.Count == 0 ? ["."]
            : [.. request.RemotePaths.Select(p => p.Length == 0 ? "." : p)];
        SafeArgument quoting = RemoteShellCommand.Quoting(request.Shell, options, request.Pull);
        ShellServerArguments server = ServerArguments.BuildForShell(options, request.Pull, remotePaths, quoting);
        List<string> argv = RemoteShellCommand.Build(request.Shell, server.CommandLine);

        await using RemoteShellProcess shell = RemoteShellProcess.Start(argv, log);
        TransferResult result;
        try
        {
            if (server.Secluded is { } secluded)
                await WriteSecludedAsync(shell.Stream, secluded, ct).ConfigureAwait(false);
            result = request.Pull
                ? await PullAsync(shell.Stream, request, remotePaths, log, progress, ct).ConfigureAwait(false)
                : await PushAsync(shell.Stream, request, log, progress, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RsyncException or IOException && !ct.IsCancellationRequested)
        {
            throw await WithShellStatusAsync(shell, e, ct).ConfigureAwait(false);
        }
        // rsync main.c: client_run closes nothing early; it waits for the shell and returns the higher of the two codes.
        await shell.Stream.DisposeAsync().ConfigureAwait(false);
        int status = await shell.ExitStatusAsync(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false) ?? 0;
        return status > (int)result.ExitCode
            ? new TransferResult { Stats = result.Stats, ExitCode = (RsyncExitCode)status, Protocol = result.Protocol, ProtocolVersion = result.ProtocolVersion }
            : result;
    }

    // rsync main.c: client_run with am_sender.
    private static async Task<TransferResult> PushAsync(Stream stream, RemoteShellRequest request, ITransferLog log,
        IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        TransferOptions options = request.Options;
        await using var connection = new Connection(stream, isServer: false, log, options.BandwidthLimit);
        await connection.SetupClientAsync(knownProtocol: null, options, ct).ConfigureAwait(false);
        connection.StartMultiplexing(options.TimeoutSpan);
        var sender = new SenderRole(
            new SendSource(request.Sources, request.SourceRoot, request.RelativePaths, request.Filters, request.IsExcluded),
            options, log, progress);
        return await sender.RunAsync(connection, localServer: false, ct).ConfigureAwait(false);
    }

    // rsync main.c: client_run as the receiver (generator and receiver).
    private static async Task<TransferResult> PullAsync(Stream stream, RemoteShellRequest request, List<string> remotePaths,
        ITransferLog log, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        TransferOptions options = request.Options;
        await using var connection = new Connection(stream, isServer: false, log, options.BandwidthLimit);
        await connection.SetupClientAsync(knownProtocol: null, options, ct).ConfigureAwait(false);
        connection.StartMultiplexing(options.TimeoutSpan);
        // exclude.c: add_implied_include takes each source as written; "." sends the directory's contents.
        var requested = RequestedNames.FromSources(remotePaths.Select(p => p == "." ? "./" : p), options.Relative);
        var target = new ReceiveTarget(request.Destination, requested, request.Filters, options.Partial, progress, options.TempDir);
        var receiver = new ReceiverRole(target, options, log);
        return await receiver.RunAsync(connection, exchangeFilters: true, ct).ConfigureAwait(false);
    }

    // rsync.c: send_protected_args: a new arg 0 "rsync", each word NUL-terminated (an empty one as "."), then one NUL,
    // written before the version exchange.
    private static async Task WriteSecludedAsync(Stream stream, IReadOnlyList<string> words, CancellationToken ct)
    {
        using var bytes = new MemoryStream();
        bytes.Write("rsync\0"u8);
        foreach (string word in words)
            bytes.Write(FileNameEncoding.EncodeNullTerminated(word.Length == 0 ? "." : word));
        bytes.WriteByte(0);
        await stream.WriteAsync(bytes.GetBuffer().AsMemory(0, (int)bytes.Length), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    // rsync cleanup.c: _exit_cleanup takes the shell's exit status when it has already ended with a higher code than
    // the client's own (ssh's 255 for a host it could not reach); its stderr is printed before the client's error.
    private static async Task<Exception> WithShellStatusAsync(RemoteShellProcess shell, Exception failure, CancellationToken ct)
    {
        RsyncException error = failure as RsyncException
            ?? new RsyncException(RsyncErrorKind.Connection, RsyncExitCode.StreamIo, "connection unexpectedly closed: " + failure.Message, failure);
        int? status = await shell.ExitStatusAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        if (status is int code && code > (int)error.ExitCode)
            return new RsyncException(error.Kind, (RsyncExitCode)code, error.Message, error) { RemoteMessage = error.RemoteMessage };
        return error;
    }
}
