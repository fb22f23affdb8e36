using System.Runtime.ExceptionServices;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Generator;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The receiving side of a transfer (rsync main.c: do_recv, and do_server_recv before it): the filter list (sent by a
/// client receiver, read by a server receiver), the file list (validated and sorted), the destination
/// (get_local_name), then the two units stock forks into two processes, run here on two threads over the same
/// <see cref="Connection"/>: <see cref="GeneratorRole"/> (the walk, requests, deletions, every write to the sender)
/// and <see cref="ReceiverRole"/> (the sender's answers, temp files, renames). What they share is one
/// <see cref="ReceiveRun"/> (protocol-notes §20 says why this shape). It runs as the client of a pull (main.c:
/// client_run) or as the server of a push or a local copy (main.c: start_server), over any transport.
/// </summary>
/// <remarks>
/// Every name is checked by <see cref="FileListGuard"/> and every file-system change goes through
/// <see cref="ConfinedDirectory"/>. The multiplexed input is pumped independently of both units, so a sender that
/// writes file data while the generator is still writing requests cannot deadlock us.
/// </remarks>
internal sealed partial class ReceivingSide : IMessageHandler
{
    private readonly ReceiveTarget _target;
    private readonly TransferOptions _options;
    private readonly ITransferLog _log;
    private ReceiveRun _run = null!;

    public ReceivingSide(ReceiveTarget target, TransferOptions options, ITransferLog log)
    {
        _target = target;
        _options = options;
        _log = log;
    }

    /// <summary>
    /// Runs generator and receiver over a connection whose setup is done and whose multiplexing is on.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="exchangeFilters">
    /// Whether the filter list travels: a client receiver sends its rules, a server receiver reads the client's when
    /// the client sends them (exclude.c: recv_filter_list, receiver_wants_list); false for a local copy, whose server
    /// half shares the client's parsed rules in memory as stock's forked child does (local_server).
    /// </param>
    /// <param name="ct">Cancels the run.</param>
    public async Task<TransferResult> RunAsync(Connection connection, bool exchangeFilters, CancellationToken ct)
    {
        // Only a local copy's server half shares the client's rules instead of exchanging them.
        var run = _run = new ReceiveRun(connection, _target, _options, _log) { Filters = _target.Filters, LocalServer = !exchangeFilters };
        connection.Attach(this);
        int protocol = connection.Protocol;
        if (_options.ReadBatch is not null && !connection.IsServer)
            run.Batch = new BatchWants(connection.Parameters.IncRecurse);
        run.Checksum = ResolveChecksum(connection.Parameters);
        run.ListChecksum = ResolveListChecksum(connection.Parameters, run.Checksum);
        if (!connection.IsServer)
            _log.ChecksumSettled(TransferFigures.SessionBlankDigits(_options.AlwaysChecksum, run.Checksum, run.ListChecksum));
        run.Codec = connection.Parameters.Compressing && TokenCodecNames.TryParse(connection.Parameters.Compression, out TokenCodec codec)
            ? codec : TokenCodec.None;
        if (connection.IsServer)
        {
            // rsync log.c: a server's messages go to the client (MSG_INFO / MSG_ERROR).
            var serverLog = new ServerMessageLog(connection.Out, _log, protocol, connection.DaemonLog);
            connection.ServerLog = serverLog;
            run.Log = serverLog;
            // rsync exclude.c: recv_filter_list — the client sends its rules only to a receiver that deletes
            // (receiver_wants_list; with --delete-excluded only from protocol 29) or prunes empty directories (-m:
            // its protect rules keep one).
            if (exchangeFilters && (_options.PruneEmptyDirs || (_options.IsDeleting && (!_options.DeleteExcluded || protocol >= 29))))
            {
                var rules = new FilterListBuilder { DeleteExcluded = _options.DeleteExcluded };
                foreach (byte[] rule in await connection.ReadFilterListAsync(ct).ConfigureAwait(false))
                    rules.AddWireRule(rule, protocol);
                // options.c: a server's own --filter rules (RsyncServer: the target's) come first in filter_list.
                run.Filters = _target.Filters is { } own ? rules.Build().Prepend(own.Rules) : rules.Build();
            }
        }
        else if (exchangeFilters)
        {
            // rsync exclude.c: send_filter_list — a receiving client always sends its rules (and the closing 0) so that
            // the sender leaves out what is excluded; their spelling depends on the negotiated protocol.
            connection.SendFilterList(run.Filters?.GetWireRules(protocol, localIsSender: false, deleteMode: _options.IsDeleting) ?? []);
            connection.Send();
        }
        // main.c: client_run — a receiving client's --write-batch copies what it reads from here on (start_write_batch(f_in)).
        using BatchFile? batch = BatchFile.StartFor(connection, _options, sending: false);

        bool incrementalHeader = IncrementalListHeader(protocol);
        if (incrementalHeader)
            run.Log.Client("receiving incremental file list");
        // flist.c: recv_file_list — rprintf(FLOG, "receiving file list"): a client's log file only.
        bool logFile = !connection.IsServer && _options.LogFileFormat is not null;
        if (logFile)
            run.Log.LogFile("receiving file list");
        // flist.c: start_filelist_progress — "receiving file list ... " is out before the list's first byte is read
        // (a daemon's refusal of an option comes after it, on a line of its own).
        if (ListHeader && !incrementalHeader)
            run.Log.ClientStart(FileListProgress.Start("receiving file list"));
        long listStart = connection.In.TotalRead;
        run.List = new FileListReader(connection.In, connection.Parameters, _options, ChecksumNames.DigestLength(run.ListChecksum))
        {
            Xattrs = run.Xattrs,
        };
        run.MapNamesAsTheyArrive();
        var guard = new FileListGuard(_target.Requested);
        if (connection.Parameters.IncRecurse)
        {
            // rsync flist.c: recv_file_list with inc_recurse — the first part now, the rest while files move.
            run.Lists = new IncrementalLists(run, guard);
            await run.Lists.ReadFirstAsync(ct).ConfigureAwait(false);
        }
        else
        {
            List<FileEntry> files = await run.List.ReadAsync(ct).ConfigureAwait(false);
            run.AcceptList(files, guard);
            run.Files = new EntryTable<FileEntry>(files);
            run.Names = new EntryTable<string>(files.Select(f => f.LocalName));
            if (_options.PruneEmptyDirs)
                PruneEmptyDirectories(run);
            run.FindHardLinkGroups();
        }
        run.Stats.FileListSize = connection.In.TotalRead - listStart;
        run.ListIoError = run.List.IoError;
        if (ListHeader && !incrementalHeader)
        {
            run.Log.Client(ListHeaderLine(run.Files.Count));
            if (logFile)
                run.Log.LogFile(FileListProgress.Finish(run.Files.Count, _options.Info.Gte(InfoFlag.Flist, 2)));
        }

        if (_target.Destination is null)
            GeneratorRole.ListOnly(run);
        // A client receives only a list with entries (main.c: client_run); a server runs get_local_name and do_recv
        // whatever arrived (do_server_recv), so an empty list still makes the destination and ends with the goodbye.
        long[]? senderStats = null;
        if (run.FileTotal > 0 || connection.IsServer)
        {
            senderStats = _target.Destination is { } destination
                ? await ReceiveTreeAsync(destination, ct).ConfigureAwait(false)
                : await RunUnitsAsync(ct).ConfigureAwait(false);
        }

        SettleTotals(senderStats);
        return new TransferResult
        {
            Stats = run.Stats,
            // A sender's vanished files alone end the run 24, as stock's client does (they were 23 here).
            Outcome = RsyncExitCodes.OutcomeOf(run.SawErrors || connection.SawErrors, run.ListIoError | connection.RemoteIoError,
                run.DeletionLimitReached),
            Checksum = connection.Parameters.Checksum,
            Compression = connection.Parameters.Compression,
            ProtocolVersion = protocol,
        };
    }

    /// <summary>
    /// The generator and the receiver, each on a thread of its own (both are synchronous: most reads are served from
    /// the multiplex reader's buffer without waiting, and hopping threads per file cost more than a small file).
    /// Whichever fails first ends the run: the other is cancelled and not waited for (it may be blocked on a peer
    /// that is gone). Returns the sender's totals when a client receiver read them.
    /// </summary>
    private async Task<long[]?> RunUnitsAsync(CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Cancelled when the receiver's thread is done, however it ended (after its failure, if any, is recorded and
        // has cancelled `failed`): the generator waits on it when the receiver may yet fail (GeneratorRole.Handle).
        using var receiverEnded = new CancellationTokenSource();
        Exception? failure = null;
        var generator = new GeneratorRole(_run) { ReceiverEnded = receiverEnded.Token };
        var receiver = new ReceiverRole(_run);
        Task Start(Action<CancellationToken> work, CancellationTokenSource? ended = null) => Task.Factory.StartNew(() =>
        {
            try
            {
                work(failed.Token);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                failed.Cancel();
                throw;
            }
            finally
            {
                ended?.Cancel();
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        Task generating = Start(generator.Run);
        Task receiving = Start(receiver.Run, receiverEnded);
        Task first = await Task.WhenAny(generating, receiving).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully && failure is not null)
        {
            // The other role was cancelled; it must have stopped before the caller hears of the failure, or it could
            // still be writing into the destination after the call returned (IncrementalListGuardTests found a
            // generator's temporary symlink name there, renamed a moment later). Both roles observe the token; the
            // bound only keeps a role stuck in a system call from holding the error back for ever.
            Task other = first == generating ? receiving : generating;
            try
            {
                await other.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // its own failure is a consequence of the first one, which is what is reported
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            ExceptionDispatchInfo.Throw(failure);
        }
        await first.ConfigureAwait(false);
        await (first == generating ? receiving : generating).ConfigureAwait(false);
        _run.Connection.In.DrainArrived();
        return receiver.SenderStats;
    }

    // rsync flist.c: flist_sort_and_clean — the receiver prunes after sorting, before anything is made. Its rules are
    // the global ones only: no directory has been entered yet, so no dir-merge file has been read (exclude.c:
    // push_local_filters runs in the generator's walk).
    private static void PruneEmptyDirectories(ReceiveRun run)
    {
        FilterMatcher? rules = run.Filters is { } filters && (filters.Rules.Count > 0 || filters.CvsExclude)
            ? filters.CreateMatcher(FilterSide.Receiver, new FilterMatcherOptions { ReadFile = static _ => null })
            : null;
        EmptyDirectories.Prune(run.Files, run.Names, name => rules is not null && rules.IsExcluded(name, isDirectory: true));
    }

    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        switch (code)
        {
            case MessageCode.NoSend:
            {
                // rsync receiver.c: the sender could not open a file we asked for; it will not come. Not an error by
                // itself (io.c: got_flist_entry_status, FES_NO_SEND): the sender's MSG_ERROR_XFER or MSG_IO_ERROR says
                // what the run ends with, 24 for a file that vanished.
                int ndx = PeerMessages.Int(payload, code);
                if (_run.Pending.TryRemove(ndx, out _))
                {
                    if (_run.Lists is not null)
                        _run.ToGenerator.FileSettled(ndx);
                }
                _run.Order?.TransferDone(ndx);
                break;
            }
            case MessageCode.Deleted or MessageCode.Success:
                // Bookkeeping: nothing for a receiving side to do.
                break;
            default:
                throw PeerMessages.Unexpected(code, _run.IsServer ? "client" : "daemon");
        }
    }

    // rsync flist.c: recv_file_list announces the list with -v; stock rsync names it "incremental" whenever it would
    // recurse incrementally (compat.c: set_allow_inc_recurse), which is what a user of stock rsync sees; mrsync offers it
    // wherever stock's client does (IncrementalRecursion.Offered).
    // A --read-batch run prints what its batch is (flist.c: recv_file_list reads inc_recurse from the compat flags).
    private bool IncrementalListHeader(int protocol) =>
        ListHeader && (_run.Batch is not null ? _run.Connection.Parameters.IncRecurse
            : protocol >= 30 && IncrementalRecursion.StockAllows(_options, weSend: false));

    private string ListHeaderLine(int count) =>
        FileListProgress.Line("receiving file list", count, _options.Info.Gte(InfoFlag.Flist, 2), sender: false);

    // rsync flist.c: show_filelist_progress — info=flist1 (-v, or --progress) on a client that transfers
    // directories (-r or -d), and never for a listing.
    private bool ListHeader =>
        _options.Info.Gte(InfoFlag.Flist, 1) && !_options.Quiet && (_options.Recursive || _options.Dirs)
        && _target.Destination is not null && !_run.IsServer;

    // Without negotiation the protocol implies the checksum (rsync checksum.c: parse_csum_name "auto").
    // checksum.c: parse_checksum_choice — a negotiated name serves both; otherwise "--checksum-choice=A,B" gives the
    // file-list sums B.
    private ChecksumVariant ResolveListChecksum(SessionParameters session, ChecksumVariant transfer)
    {
        string? choice = _options.ChecksumChoice;
        if (choice is null || !choice.Contains(',') || !ChecksumNames.TryParse(choice.AsSpan(choice.IndexOf(',') + 1), out ChecksumKind kind))
            return transfer;
        return ChecksumNames.Resolve(kind, session.Protocol);
    }

    private ChecksumVariant ResolveChecksum(SessionParameters session)
    {
        bool chosen = _options.ChecksumChoice is not null || (session.Protocol >= 30 && session.VarintFlistFlags);
        return chosen && ChecksumNames.TryParse(session.Checksum, out ChecksumKind kind)
            ? ChecksumNames.Resolve(kind, session.Protocol)
            : ChecksumNames.Resolve(null, session.Protocol);
    }

    /// <summary>
    /// The client's totals: the sender's report when it came (main.c: handle_stats — a receiving client prints the
    /// sender's figures, read and written swapped, total size, the file-list times), else our own counts.
    /// </summary>
    private void SettleTotals(long[]? sender)
    {
        TransferStats stats = _run.Stats;
        if (sender is not null)
        {
            stats.TotalBytesSent = sender[0];
            stats.TotalBytesReceived = sender[1];
            stats.TotalSize = sender[2];
            stats.FileListBuildMs = sender[3];
            stats.FileListTransferMs = sender[4];
            return;
        }
        stats.TotalBytesSent = _run.Connection.Out.TotalWritten;
        stats.TotalBytesReceived = _run.Connection.In.RawBytesRead;
    }
}
