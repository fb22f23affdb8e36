using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.IO;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;

namespace ManagedRsync.Server;

/// <summary>
/// The server side of an rsync connection, whatever carried the client to it (rsync main.c: start_server): a daemon
/// connection after "@RSYNCD: OK" (clientserver.c: rsync_module), or a remote shell's stdin/stdout for
/// <c>mrsync --server ...</c>. It reads the client's argument vector, sets the session up (compat.c: setup_protocol),
/// and runs the sender for a pull (do_server_sender) or generator and receiver for a push (do_server_recv), sending
/// every error to the client as stock does (log.c: rwrite over MSG_ERROR, cleanup.c: MSG_ERROR_EXIT).
/// </summary>
public static class RsyncServer
{
    /// <summary>rsync errcode.h: RERR_UNSUPPORTED, what a refused option ends with (clientserver.c: rsync_module).</summary>
    private const RsyncExitCode Refused = RsyncExitCode.Unsupported;

    /// <summary>A daemon's refusal of --files-from with a source directory below the module's root.</summary>
    internal const string FilesFromBelowRoot = "The server does not support --files-from with a source directory below the module's root";

    /// <summary>Runs the server over separate input and output streams (a remote shell's stdin and stdout).</summary>
    /// <returns>The exit code the server process ends with (rsync's exit_cleanup code).</returns>
    public static Task<RsyncExitCode> RunAsync(Stream input, Stream output, IReadOnlyList<string> argv,
        ServerSettings settings, CancellationToken ct) =>
        RunAsync(new DuplexStream(input, output), argv, settings, ct);

    /// <summary>
    /// Runs the server over <paramref name="stream"/>, positioned where the binary protocol starts (a daemon: just after
    /// the arguments; a remote shell: at the start). <paramref name="argv"/> is the client's vector without a program
    /// name: "--server", options, ".", paths. The stream is not closed.
    /// </summary>
    /// <returns>The exit code the server process ends with (rsync's exit_cleanup code).</returns>
    public static async Task<RsyncExitCode> RunAsync(Stream stream, IReadOnlyList<string> argv, ServerSettings settings,
        CancellationToken ct)
    {
        ServerRequest request = ServerArgumentParser.Parse(argv, out string? error);
        // options.c: parse_arguments — a refused option stops popt's loop where it stands; what refused options imply
        // for the rest is settled after the loop.
        error = ServerRefusals.CheckGiven(request, settings) ?? error;
        TransferOptions options = request.Options;
        error ??= ServerRefusals.CheckImplied(ref options, settings, request.IsSender);
        // clientserver.c: rsync_module — a module's timeout tightens the client's (set_io_timeout).
        if (settings.Timeout > 0 && (options.Timeout == 0 || settings.Timeout < options.Timeout))
            options = options with { Timeout = settings.Timeout };
        // clientserver.c: rsync_module — the module's settings after the client's options, which cannot undo them.
        if (settings.IgnoreErrors)
            options = options with { IgnoreErrors = true };
        // token.c: init_set_compression — a module's "dont compress" with a "*" word makes zlib's level the least
        // (the per-file choice is compiled out, and zstd and lz4 never read the level chosen; protocol-notes §87).
        if (settings.DontCompressAll)
            options = options with { CompressStored = true };
        if (settings.OpenNoAtime is { } noAtime)
            options = options with { OpenNoAtime = noAtime };
        if (settings.MaxVerbosity is { } maxVerbosity)
            options = options with { InfoLimit = maxVerbosity };
        if (settings.ModuleName is not null)
            options = options with { DaemonServer = true };
        error ??= ServerArgumentParser.InfoRefusal(options.InfoGiven.LimitedTo(options.InfoLimit), request.IsSender);
        if (settings.NumericIds && !options.NumericIds)
            options = options with { NumericIdsHere = true };
        // clientserver.c: rsync_module — a "fake super" module is am_root -1 whatever the client sent; otherwise a
        // client's --fake-super is taken as --super.
        // clientserver.c: rsync_module — a fake-super module turns -XX into -X.
        if (settings.FakeSuper)
            options = options with { Super = SuperMode.Fake, Xattrs = Math.Min(options.Xattrs, 1) };
        else if (settings.ModuleName is not null && options.Super == SuperMode.Fake)
            options = options with { Super = SuperMode.Super };
        if (settings.AccountNames is { } names)
            options = options with { AccountNames = names };
        // clientserver.c: rsync_module — the module's chmod is applied to the file list's modes, and a receiver applies
        // it again to each entry's final mode (rsync.c: set_file_attrs, daemon_chmod_modes).
        if (settings.ModuleChmod is { } moduleChmod)
            options = options with { Chmod = moduleChmod, ModuleChmod = request.IsSender ? null : moduleChmod };
        if (settings.TransferLog is { } transferLog)
            options = options with { LogFileFormat = transferLog.Format };
        var daemonLog = new DaemonSideLog(settings.Log);
        await using var connection = new Connection(stream, isServer: true, daemonLog, options.BandwidthLimit) { DaemonLog = settings.Log };
        try
        {
            await connection.SetupServerAsync(settings.Protocol, options, request.ClientInfo, request.IsSender, ct).ConfigureAwait(false);
            connection.StartMultiplexing(options.TimeoutSpan, generatorMessages: request.IsSender && options.RemovesFromSender);
            // main.c: start_server — a daemon tells a protocol-31 client its timeout, so that the client keeps the
            // connection alive in time (MSG_IO_TIMEOUT).
            if (settings.ModuleName is not null && options.Timeout > 0 && connection.Protocol >= 31)
                connection.Out.WriteMessageInt(MessageCode.IoTimeout, options.Timeout);
            // io.c: start_filesfrom_forwarding — below protocol 31 a client sends the names outside the multiplexing
            // its output has from protocol 30 on (flist.c: send_file_list turns it off on the way in): not done yet.
            if (error is null && request.FilesFrom == "-" && request.IsSender && connection.Protocol == 30)
                error = ServerArgumentParser.Refusal(ServerArgumentParser.NotSupported, "files-from", null);
            // sender.c: a daemon's sender opens each file beneath the module root by the name the list holds, which
            // with --files-from is relative to the source directory: from a directory below the root stock 3.5.0
            // sends the root's file of that name, or says "file has vanished" (protocol-notes §87). Not imitated.
            if (error is null && request.FilesFrom is not null && request.IsSender && settings.Confined
                && ServerPaths.Sanitize(request.Paths.Count > 0 ? ServerPaths.WithoutModule(request.Paths[0], settings.ModuleName) : ".").TrimEnd('/') is not ("" or "."))
                error = FilesFromBelowRoot + "\n";
            if (settings.StartError is { } startError)
                return await FailAsync(connection, startError, Refused, ct, settings).ConfigureAwait(false);
            if (error is not null)
            {
                // log.c: rprintf(FERROR) in a daemon goes to its log file too ("rsync: The server is configured to
                // refuse --delete").
                settings.Log?.Invoke("rsync: " + error.TrimEnd('\n'));
                return await FailAsync(connection, "rsync: " + error, Refused, ct, settings).ConfigureAwait(false);
            }

            // main.c: do_server_sender / do_server_recv refuse a write-only or read-only module before the list starts.
            RefuseByAccess(request, options, settings);
            // flist.c: send_file_list / recv_file_list — the log file says which way the list goes.
            settings.Log?.Invoke(request.IsSender ? "building file list" : "receiving file list");
            TransferResult result = request.IsSender
                ? await SendAsync(connection, request, options, settings, ct).ConfigureAwait(false)
                : await ReceiveAsync(connection, request, options, settings, ct).ConfigureAwait(false);
            RsyncExitCode code = RsyncExitCodes.For(result.Outcome);
            // log.c: log_exit — the totals; a receiving side only when it succeeded (its figures are split between
            // generator and receiver until the end).
            if (code == RsyncExitCode.Ok || request.IsSender)
                settings.Log?.Invoke(Totals(result.Stats));
            // cleanup.c: _exit_cleanup — a server that finished its run is shutting down: it tells the client no exit
            // code (no MSG_ERROR_EXIT), which counts the errors it was sent (log.c: got_xfer_error, MSG_IO_ERROR), and
            // logs no "rsync error" line (am_server 2: it exits through exit_cleanup(0)). A sender that ended before
            // the goodbye (an empty list) is not shutting down: FinishWithErrorAsync tells it the code then.
            if (code != RsyncExitCode.Ok && request.IsSender)
                await FinishWithErrorAsync(connection, code, ct).ConfigureAwait(false);
            else if (code != RsyncExitCode.Ok)
                connection.Out.Send();
            return code;
        }
        catch (RsyncException e) when (!e.IsConnectionLoss && connection.Out.IsMultiplexed)
        {
            settings.Log?.Invoke(e.Message);
            return await FailAsync(connection, e.Message, RsyncExitCodes.For(e), ct, settings).ConfigureAwait(false);
        }
        catch (Exception e) when (RsyncException.IsFault(e) && connection.Out.IsMultiplexed)
        {
            // A fault of ours (whatever input provoked it) is told to the client and the daemon's log in words, where it
            // would otherwise end the connection without one ("connection unexpectedly closed").
            RsyncException fault = RsyncException.Internal(e);
            settings.Log?.Invoke(fault.Message);
            return await FailAsync(connection, "rsync: " + fault.Message, RsyncExitCodes.For(fault), ct, settings).ConfigureAwait(false);
        }
    }

    // A receiving server's own rules (ServerReceiveRules), a '.' merge rule's file read beneath the module for a daemon
    // (a remote-shell server's relative to where it runs); the vector was checked when parsed (ServerArgumentParser), so a
    // rule turned down now came out of a merge file (-C: FilterListBuilder turns a bad rule into an exception).
    private static FilterList? VectorRules(ServerRequest request, ServerSettings settings)
    {
        if (request.FilterRules.Count == 0)
            return null;
        return ServerReceiveRules.Build(request.FilterRules, VectorMergeFiles.Reader(settings))
            ?? throw new RsyncException(RsyncErrorKind.Unsupported, "rsync: The server does not support --filter with -C in a merge file");
    }

    // main.c: do_server_sender and do_server_recv — what the module's access refuses, said before the file list's
    // log line ("building file list" / "receiving file list").
    private static void RefuseByAccess(ServerRequest request, TransferOptions options, ServerSettings settings)
    {
        if (!request.IsSender)
        {
            if (settings.ReadOnly)
                throw new RsyncException(RsyncErrorKind.Usage, "ERROR: module is read only");
            return;
        }
        if (settings.WriteOnly)
            throw new RsyncException(RsyncErrorKind.Usage, "ERROR: module is write only");
        // main.c: do_server_sender — a read-only module's files are not the client's to remove.
        if (settings.ReadOnly && options.RemovesFromSender)
        {
            throw new RsyncException(RsyncErrorKind.Usage,
                $"ERROR: --remove-{(options.RemoveSourceFiles ? "source" : "sent")}-files cannot be used with a read-only module");
        }
    }

    // main.c: do_server_sender.
    private static async Task<TransferResult> SendAsync(Connection connection, ServerRequest request, TransferOptions options,
        ServerSettings settings, CancellationToken ct)
    {
        // A daemon module's sender reads beneath the module root only (Platform/BeneathRoot).
        using BeneathRoot? confinement = settings.Confined ? BeneathRoot.Open(settings.Root, settings.ModuleName ?? "", settings.ModuleSlashAtTop) : null;
        FilterList? xattrRules = ModuleXattrRules(settings);
        SendSource source = request.FilesFrom switch
        {
            null => ServerSources.Resolve(request, options, settings, confinement) with { ModuleXattrRules = xattrRules },
            // The names follow the client's filter list on the connection (Roles/Sender/SenderRole.Server.cs).
            "-" => new SendSource([], null, null, null, null, ListedByPeer: list =>
                ServerSources.Listed(request, options, settings, confinement, list, fromPeer: true) with { ModuleXattrRules = xattrRules }),
            { } file => ServerSources.Listed(request, options, settings, confinement, ServerSources.ReadListFile(settings, file), fromPeer: false)
                with { ModuleXattrRules = xattrRules },
        };
        var sender = new SenderRole(source, options, TransferLog(connection, settings, options, ""), progress: null);
        return await sender.RunAsync(connection, localServer: false, ct).ConfigureAwait(false);
    }

    // main.c: do_server_recv.
    private static async Task<TransferResult> ReceiveAsync(Connection connection, ServerRequest request,
        TransferOptions options, ServerSettings settings, CancellationToken ct)
    {
        if (ModuleReceiveFilter.RejectsDirectory(settings, options.TempDir))
            throw new RsyncException(RsyncErrorKind.Unsupported, "rsync: " + ModuleReceiveFilter.Rejected);
        ServerOptionDirectories.CheckBackupDirectory(settings, options);
        string destination = request.Paths.Count > 0 ? ServerPaths.WithoutModule(request.Paths[0], settings.ModuleName) : ".";
        string named = destination;
        string? tempDir = settings.TempDir ?? options.TempDir;
        if (settings.Confined)
        {
            destination = ServerPaths.Sanitize(destination);
            // main.c: get_local_name — the destination is entered through change_dir (links inside the module
            // followed); its failure names the sanitized destination as given ("change_dir#1 "sub/" (in mod)").
            // With --mkpath and a '/' in the destination, stock's get_local_name runs make_path before it enters the
            // destination: a file or a link out of the module on the way fails its mkdir (RERR_FILEIO), which our
            // receiving side's confined make_path reports (Roles/Receiver/ReceivingSide.MakePath.cs).
            int err = ServerPaths.CheckBeneath(settings.Root, destination, lastMayBeAnything: false);
            // A file on the way fails get_local_name's stat first ("ERROR: cannot stat destination"); a link out of the
            // module its change_dir.
            // util1.c: full_fname from the module's own directory: "/" before it only when chrooted into the module.
            string shown = settings.ModuleSlashAtTop && !destination.StartsWith('/') ? "/" + destination : destination;
            if (err != 0 && !(options.MakePath && destination.Contains('/')))
                throw new RsyncException(RsyncErrorKind.FileSelection, err == Interop.ENOTDIR
                    ? $"rsync: [Receiver] ERROR: cannot stat destination \"{shown}\" (in {settings.ModuleName}): {Marshal.GetPInvokeErrorMessage(err)} ({err})"
                    : $"rsync: [Receiver] change_dir#1 \"{shown}\" (in {settings.ModuleName}) failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
            if (tempDir is not null)
            {
                // A client's --temp-dir is relative to the destination (main.c: do_recv runs in it) and sanitized
                // like every path; the module's own "temp dir" is taken as the operator wrote it.
                tempDir = settings.TempDir ?? ServerPaths.Sanitize(Path.Join(destination.TrimEnd('/'), tempDir));
                if (settings.TempDir is null)
                    Confine(settings, tempDir, "change_dir");
            }
        }
        ModuleReceiveFilter.CheckDestination(settings, destination, named.TrimStart('/'));
        // main.c: do_server_recv — an absolute --partial-dir the module's rules exclude (as a directory, module-relative)
        // rejects the options, as an excluded basis directory does (RERR_SYNTAX).
        if (settings.Confined && options.PartialDir is ['/', ..] && ModuleReceiveFilter.RejectsDirectory(settings, options.PartialDir))
            throw new RsyncException(RsyncErrorKind.Usage, ModuleReceiveFilter.Rejected);
        string fullDestination = !settings.Confined && Path.IsPathFullyQualified(destination) ? destination : Path.Join(settings.Root, destination);
        if (destination.EndsWith('/') && !fullDestination.EndsWith('/'))
            fullDestination += "/";
        string? fullTemp = tempDir is null ? null : Path.IsPathFullyQualified(tempDir) ? tempDir : Path.Join(settings.Root, tempDir);
        // A daemon's per-directory merge files are opened beneath the module through one descriptor for the transfer.
        using BeneathRoot? confinement = settings.Confined ? BeneathRoot.Open(settings.Root, settings.ModuleName ?? "", settings.ModuleSlashAtTop) : null;
        // A client's -M--filter=RULE: this side's own rules, ahead of those the client sends (ServerReceiveRules).
        var target = new ReceiveTarget(fullDestination, RequestedNames.All,
            Filters: VectorRules(request, settings),
            KeepPartial: options.Partial, TempDirectory: fullTemp, DisplayDestination: settings.Confined ? destination : null,
            LinkTargets: settings.Confined ? new ReceivedLinks(settings.MungeSymlinks).Map : null,
            ModuleExcluded: ModuleReceiveFilter.For(settings, destination),
            OptionDirectories: settings.Confined ? ServerOptionDirectories.For(settings) : null,
            ModuleName: settings.Confined ? settings.ModuleName : null,
            ModuleXattrRules: ModuleXattrRules(settings),
            ModuleRoot: settings.Confined ? settings.Root : null,
            ModuleSlashAtTop: settings.ModuleSlashAtTop)
        {
            ReadPerDirectoryFile = confinement is null ? null : ServerSources.PerDirectoryReader(settings, confinement),
        };
        var receiver = new ReceivingSide(target, options, TransferLog(connection, settings, options, settings.Confined ? destination : ""));
        return await receiver.RunAsync(connection, exchangeFilters: true, ct).ConfigureAwait(false);
    }

    // clientserver.c: rsync_module parses the module's rules into daemon_filter_list, which exclude.c: name_is_excluded
    // checks before the transfer's for an xattr name too.
    private static FilterList? ModuleXattrRules(ServerSettings settings) => settings.ModuleFilters is { HasXattrRules: true } rules ? rules : null;

    // The daemon's transfer logging, or nothing (a server's own lines never reach its client this way).
    // %U and %G show ids only when the client asked for them to be preserved (log.c: uid_ndx, gid_ndx).
    private static ITransferLog TransferLog(Connection connection, ServerSettings settings, TransferOptions options,
        string receiveDirectory) =>
        settings.TransferLog is { } line && settings.Log is { } sink
            ? new ServerTransferLog(new LogLine(line.Format, line.Context with
                {
                    Owners = options.Owner, Groups = options.Group,
                    BlankChecksumDigits = BlankChecksumDigits(connection.Parameters, options),
                }),
                sink, settings.Root, receiveDirectory)
            : SilentLog.Instance;

    // log.c %C with no checksum: csum_len_for_type of the file-list checksum with -c (file_sum_nni: the second name of
    // --checksum-choice=A,B), else of the transfer checksum (xfer_sum_nni), twice. The negotiated name counts only
    // when there was a negotiation (compat.c: the client chose, or protocol 30+ with varint flags).
    private static int BlankChecksumDigits(SessionParameters session, TransferOptions options)
    {
        bool chosen = options.ChecksumChoice is not null || (session.Protocol >= 30 && session.VarintFlistFlags);
        string? name = chosen ? session.Checksum : null;
        if (options.AlwaysChecksum && options.ChecksumChoice is { } choice && choice.Contains(','))
            name = choice[(choice.IndexOf(',') + 1)..];
        ChecksumVariant kind = name is not null && ChecksumNames.TryParse(name, out ChecksumKind k)
            ? ChecksumNames.Resolve(k, session.Protocol) : ChecksumNames.Resolve(null, session.Protocol);
        return TransferFigures.BlankDigits(kind, fileList: options.AlwaysChecksum);
    }

    // log.c: log_exit — "sent N bytes  received N bytes  total size N" (big_num: plain digits).
    private static string Totals(TransferStats stats) =>
        FormattableString.Invariant($"sent {stats.TotalBytesSent} bytes  received {stats.TotalBytesReceived} bytes  total size {stats.TotalSize}");

    private static void Confine(ServerSettings settings, string relative, string what)
    {
        int err = ServerPaths.CheckBeneath(settings.Root, relative, lastMayBeAnything: false);
        if (err != 0)
            throw new RsyncException(RsyncErrorKind.FileSelection,
                $"rsync: [Receiver] {what} \"/{relative.TrimEnd('/')}\" (in {settings.ModuleName}) failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
    }

    // cleanup.c: _exit_cleanup — the error goes to the client as MSG_ERROR; from protocol 31 MSG_ERROR_EXIT carries
    // the code; then the server reads until the client closes (noop_io_until_death), so the client sees it all.
    private static async Task<RsyncExitCode> FailAsync(Connection connection, string message, RsyncExitCode code,
        CancellationToken ct, ServerSettings? settings = null)
    {
        // log.c: log_exit — a daemon logs how the run ended ("rsync error: WORDS (code N)"; stock adds its own source
        // line and role, "at main.c(1185) [Receiver=3.5.0]", which are not ours to copy).
        settings?.Log?.Invoke($"rsync error: {RsyncExitCodes.Describe(code)} (code {(int)code})");
        // What the run told the client before it failed comes first (a warning, then the error that ended it).
        connection.ServerLog?.DrainInto(connection.Out);
        // One message a line (log.c: rwrite per line): a client shows a newline inside a message as "\#012".
        foreach (string line in message.TrimEnd('\n').Split('\n'))
            connection.Out.WriteMessage(MessageCode.Error, Encoding.UTF8.GetBytes(line + "\n"));
        await FinishWithErrorAsync(connection, code, ct).ConfigureAwait(false);
        return code;
    }

    // cleanup.c: _exit_cleanup — MSG_ERROR_EXIT and noop_io_until_death only before the end-of-run exchange began
    // (!shutting_down). A sending server that read the client's goodbye and ends with an error (23, 24) sends nothing
    // more: the client already knows the code (MSG_IO_ERROR, MSG_ERROR_XFER), and its receiver, waiting for its
    // generator's SIGUSR2 to print the summary, exited on a late MSG_ERROR_EXIT without it (protocol-notes §89). Stock
    // then sleeps 100 ms before close_all; we stop as soon as the client has closed within that time.
    private static async Task FinishWithErrorAsync(Connection connection, RsyncExitCode code, CancellationToken ct)
    {
        try
        {
            connection.ServerLog?.DrainInto(connection.Out);
            if (connection.Protocol >= 31 && !connection.ShuttingDown
                && code is not (RsyncExitCode.SocketIo or RsyncExitCode.StreamIo or RsyncExitCode.Timeout))
                connection.Out.WriteMessageInt(MessageCode.ErrorExit, (int)code);
            connection.Out.Send();
            await ServerDrain.UntilClosedAsync(connection, connection.ShuttingDown ? ServerDrain.AfterGoodbye : ServerDrain.Limit, ct)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or RsyncException or OperationCanceledException or ObjectDisposedException)
        {
            // The client has gone: nothing more to tell it.
        }
    }

}
