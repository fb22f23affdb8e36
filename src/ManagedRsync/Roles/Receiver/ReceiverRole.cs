using System.Diagnostics;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The receiving side of a transfer: generator and receiver (rsync main.c: do_recv forks them). Phases: the filter
/// list (sent by a client receiver, read by a server receiver), the file list (validated and sorted), then the
/// generator's requests (ndx, item flags, block sums of our basis) answered by token streams that the receiver
/// applies, the redo pass for files whose whole-file sum did not match, and the end-of-run exchange. It runs as the
/// client of a pull (main.c: client_run, do_recv) or as the server of a push or a local copy (main.c: start_server,
/// do_server_recv), over any <see cref="Connection"/>.
/// </summary>
/// <remarks>
/// rsync forks the receiver from the generator; here the generator runs as a task beside the receiver, and only the
/// generator writes to the connection until it has sent its end of phase 1, after which the receiver's flow writes the
/// redo requests and the closing indexes. The multiplexed input is pumped independently of both, so a sender that
/// writes file data while we are still writing requests cannot deadlock us.
/// Every name is checked by <see cref="FileListGuard"/> and every file-system change goes through
/// <see cref="ConfinedDirectory"/>.
/// </remarks>
internal sealed partial class ReceiverRole : IMessageHandler
{
    private readonly ReceiveTarget _target;
    private readonly TransferOptions _options;
    private ITransferLog _log;
    private readonly TransferStats _stats = new();
    private Connection _conn = null!;
    private MultiplexReader _in = null!;
    private MultiplexWriter _out = null!;
    private SessionParameters _session = null!;
    private ChecksumVariant _checksum;
    private List<FileEntry> _files = [];
    private string[] _names = [];
    private FileListReader _list = null!;
    private int _remoteIoError;
    private bool _sawErrors;
    private long[]? _senderStats;
    private FilterList? _filters;

    public ReceiverRole(ReceiveTarget target, TransferOptions options, ITransferLog log)
    {
        _target = target;
        _options = options;
        _log = log;
        _filters = target.Filters;
    }

    private int Protocol => _session.Protocol;

    /// <summary>rsync's am_server: the client prints the lines, this side reports them over the connection.</summary>
    private bool IsServer => _conn.IsServer;

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
        _conn = connection;
        _conn.Attach(this);
        _in = connection.In;
        _out = connection.Out;
        _session = connection.Parameters;
        int protocol = _session.Protocol;
        _checksum = ResolveChecksum();
        _ndxOut = connection.NdxOut;
        _ndxIn = connection.NdxIn;
        if (IsServer)
        {
            // rsync log.c: a server's messages go to the client (MSG_INFO / MSG_ERROR).
            var serverLog = new ServerMessageLog(_out);
            _conn.ServerLog = serverLog;
            _log = serverLog;
            // rsync exclude.c: recv_filter_list — the client sends its rules only to a receiver that deletes
            // (receiver_wants_list; with --delete-excluded only from protocol 29).
            if (exchangeFilters && _options.IsDeleting && (!_options.DeleteExcluded || protocol >= 29))
            {
                var rules = new FilterListBuilder { DeleteExcluded = _options.DeleteExcluded };
                foreach (byte[] rule in await connection.ReadFilterListAsync(ct).ConfigureAwait(false))
                    rules.AddWireRule(rule, protocol);
                _filters = rules.Build();
            }
        }
        else if (exchangeFilters)
        {
            // rsync exclude.c: send_filter_list — a receiving client always sends its rules (and the closing 0) so that
            // the sender leaves out what is excluded; their spelling depends on the negotiated protocol.
            _conn.SendFilterList(_filters?.GetWireRules(Protocol, localIsSender: false, deleteMode: _options.IsDeleting) ?? []);
            _conn.Send();
        }

        bool incrementalHeader = IncrementalListHeader;
        if (incrementalHeader)
            _log.Info("receiving incremental file list");
        long listStart = _in.TotalRead;
        _list = new FileListReader(_in, _session, _options, ChecksumNames.DigestLength(_checksum));
        _files = await _list.ReadAsync(ct).ConfigureAwait(false);
        _stats.FileListSize = _in.TotalRead - listStart;
        _remoteIoError |= _list.IoError;
        CheckAndSortFileList();
        if (ListHeader && !incrementalHeader)
            _log.Info(ListHeaderLine(_files.Count));

        if (_target.Destination is null)
            ListOnly();
        // A client receives only a list with entries (main.c: client_run); a server runs get_local_name and do_recv
        // whatever arrived (do_server_recv), so an empty list still makes the destination and ends with the goodbye.
        if (_files.Count > 0 || IsServer)
        {
            if (_target.Destination is { } destination)
                await ReceiveTreeAsync(destination, ct).ConfigureAwait(false);
            else
                await FinishWithoutTransfersAsync(ct).ConfigureAwait(false);
        }

        SettleTotals();
        bool errors = _sawErrors || _conn.SawErrors || _remoteIoError != 0 || _conn.RemoteIoError != 0;
        return new TransferResult
        {
            Stats = _stats,
            ExitCode = errors ? RsyncExitCode.Partial : RsyncExitCode.Ok,
            Protocol = $"protocol {protocol}, checksum {_session.Checksum}, compression {_session.Compression}",
            ProtocolVersion = protocol,
        };
    }

    // rsync flist.c: recv_file_list announces the list with -v; stock rsync names it "incremental" whenever it would
    // recurse incrementally (compat.c: set_allow_inc_recurse: -r, protocol 30+, no --delete-before/-after), which is
    // what a user of stock rsync sees, although mrsync always takes the whole list first.
    private bool IncrementalListHeader =>
        ListHeader && _options.Recursive && Protocol >= 30
        && _options.Delete is not (DeleteTiming.Before or DeleteTiming.After);

    // rsync flist.c: start_filelist_progress, maybe_emit_filelist_progress, finish_filelist_progress — with --progress
    // (info=flist2) the count every 100 entries, each ending in '\r', then "N files to consider"; else "done".
    private string ListHeaderLine(int count)
    {
        if (!_options.Progress)
            return "receiving file list ... done";
        var line = new StringBuilder("receiving file list ... ");
        for (int k = 100; k <= count; k += 100)
            line.Append(' ').Append(k).Append(" files...\r");
        return line.Append(count).Append(count == 1 ? " file to consider" : " files to consider").ToString();
    }

    // rsync flist.c: show_filelist_progress — info=flist1 (-v, or --progress) on a client that transfers
    // directories (-r or -d), and never for a listing.
    private bool ListHeader =>
        (_options.Verbose > 0 || _options.Progress) && !_options.Quiet && (_options.Recursive || _options.Dirs)
        && _target.Destination is not null && !IsServer;

    // Without negotiation the protocol implies the checksum (rsync checksum.c: parse_csum_name "auto").
    private ChecksumVariant ResolveChecksum()
    {
        bool chosen = _options.ChecksumChoice is not null || (Protocol >= 30 && _session.VarintFlistFlags);
        return chosen && ChecksumNames.TryParse(_session.Checksum, out ChecksumKind kind)
            ? ChecksumNames.Resolve(kind, Protocol)
            : ChecksumNames.Resolve(null, Protocol);
    }

    private TokenCodec Codec =>
        _session.Compressing && TokenCodecNames.TryParse(_session.Compression, out TokenCodec codec) ? codec : TokenCodec.None;

    // rsync flist.c: recv_file_entry's checks, then flist_sort_and_clean; the ndx the generator sends is the
    // index in this sorted list.
    private void CheckAndSortFileList()
    {
        var guard = new FileListGuard(_target.Requested);
        foreach (FileEntry file in _files)
        {
            guard.Accept(file.LocalName, file.IsDirectory);
            if (file.IsSymlink && file.LinkTarget is { } target)
                FileListGuard.CheckSymlinkTarget(file.DisplayName, FileNameEncoding.Decode(target));
        }
        _files.Sort(new FileNameOrder(Protocol));
        _names = _files.Select(f => f.LocalName).ToArray();
        foreach (FileEntry file in _files)
        {
            if (file.IsRegular || file.IsSymlink)
                _stats.TotalSize += file.Size;
        }
        _stats.NumFiles = _files.Count;
    }

    // rsync main.c: handle_stats for a receiving client — the sender's totals, read and written swapped, are the
    // ones stock prints ("sent"/"received", total size, the file-list times), not the client's own byte counts.
    private void ReadSenderStats(CancellationToken ct)
    {
        _senderStats = new long[5];
        _senderStats[0] = Wait(_in.ReadVarLong30Async(3, Protocol, ct));
        _senderStats[1] = Wait(_in.ReadVarLong30Async(3, Protocol, ct));
        _senderStats[2] = Wait(_in.ReadVarLong30Async(3, Protocol, ct));
        if (Protocol >= 29)
        {
            _senderStats[3] = Wait(_in.ReadVarLong30Async(3, Protocol, ct));
            _senderStats[4] = Wait(_in.ReadVarLong30Async(3, Protocol, ct));
        }
    }

    /// <summary>The client's totals: the sender's report when it came (main.c: handle_stats), else our own counts.</summary>
    private void SettleTotals()
    {
        if (_senderStats is { } sender)
        {
            _stats.TotalBytesSent = sender[0];
            _stats.TotalBytesReceived = sender[1];
            _stats.TotalSize = sender[2];
            _stats.FileListBuildMs = sender[3];
            _stats.FileListTransferMs = sender[4];
            return;
        }
        _stats.TotalBytesSent = _out.TotalWritten;
        _stats.TotalBytesReceived = _in.RawBytesRead;
    }
}
