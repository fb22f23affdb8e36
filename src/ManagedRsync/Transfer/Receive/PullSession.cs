using System.Diagnostics;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Daemon;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// The client side of a pull from an rsync daemon: the daemon is the sender, we are generator and receiver (rsync
/// main.c: client_run without am_sender, then do_recv). Phases: session setup, filter list, file list (validated and
/// sorted), then the generator's requests (ndx, item flags, block sums of our basis) answered by token streams that
/// the receiver applies, the redo pass for files whose whole-file sum did not match, and the end-of-run exchange.
/// </summary>
/// <remarks>
/// rsync forks the receiver from the generator; here the generator runs as a task beside the receiver, and only the
/// generator writes to the socket until it has sent its end of phase 1, after which the receiver's flow writes the
/// redo requests and the closing indexes. The multiplexed input is pumped independently of both, so a daemon that
/// writes file data while we are still writing requests cannot deadlock us.
/// Every name is checked by <see cref="FileListGuard"/> and every file-system change goes through
/// <see cref="ConfinedDirectory"/>.
/// </remarks>
internal sealed partial class PullSession : IMessageHandler
{
    private readonly PullRequest _request;
    private readonly TransferOptions _options;
    private readonly ITransferLog _log;
    private readonly TransferStats _stats = new();
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> _openModule;
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

    public PullSession(PullRequest request, ITransferLog log,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>? openModule = null)
    {
        _request = request;
        _options = request.Options;
        _log = log;
        _openModule = openModule ?? OpenModuleAsync;
    }

    private int Protocol => _session.Protocol;

    public async Task<TransferResult> RunAsync(CancellationToken ct)
    {
        List<string> args = PullArguments.Build(_options, _request.Source.ModulePath, _request.ExtraSourcePaths);
        await using DaemonSession daemon = await _openModule(args, ct).ConfigureAwait(false);

        int protocol = daemon.ProtocolVersion;
        _in = new MultiplexReader(daemon.Stream, this);
        // rsync main.c: do_recv: the generator's writes (sums, indexes) are paced by --bwlimit; the receiver's are not.
        _out = new MultiplexWriter(PacedStream.Wrap(daemon.Stream, _options.BandwidthLimit));
        await using (_in.ConfigureAwait(false))
        {
            _session = await SessionSetup.RunAsync(_in, _out, protocol, _options, ct).ConfigureAwait(false);
            _checksum = ResolveChecksum();
            _ndxOut = new NdxCodec(protocol);
            _ndxIn = new NdxCodec(protocol);
            // rsync main.c: client_run, receiver: input multiplexed from 23, output from 30 (need_messages_from_generator).
            _in.StartMultiplexing(_options.Timeout > 0 ? TimeSpan.FromSeconds(_options.Timeout) : default);
            if (protocol >= 30)
                _out.StartMultiplexing();

            SendFilterList();
            _out.Send();

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

            if (_request.Destination is null)
                ListOnly();
            if (_files.Count > 0)
            {
                if (_request.Destination is { } destination)
                    await ReceiveTreeAsync(destination, ct).ConfigureAwait(false);
                else
                    await FinishWithoutTransfersAsync(ct).ConfigureAwait(false);
            }
        }

        SettleTotals();
        RsyncExitCode code = _sawErrors || _remoteIoError != 0 ? RsyncExitCode.Partial : RsyncExitCode.Ok;
        return new TransferResult
        {
            Stats = _stats,
            ExitCode = code,
            Protocol = $"protocol {protocol}, checksum {_session.Checksum}, compression {_session.Compression}",
            ProtocolVersion = protocol,
        };
    }

    private Task<DaemonSession> OpenModuleAsync(IReadOnlyList<string> args, CancellationToken ct) =>
        DaemonMessages.OpenModuleAsync(_request.Source, _request.Port, _request.ConnectTimeout, _options.Protocol,
            _request.Password, args, _log, ct);

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
        && _request.Destination is not null;

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

    // rsync exclude.c: send_filter_list — a receiving client always sends its rules (int32 length + bytes each, then
    // int32 0) so that the sender leaves out what is excluded; their spelling depends on the negotiated protocol.
    private void SendFilterList()
    {
        IReadOnlyList<byte[]>? rules = _request.Filters?.GetWireRules(Protocol, localIsSender: false, deleteMode: _options.IsDeleting);
        foreach (byte[] rule in rules ?? [])
        {
            _out.WriteInt32(rule.Length);
            _out.Write(rule);
        }
        _out.WriteInt32(0);
    }

    // rsync flist.c: recv_file_entry's checks, then flist_sort_and_clean; the ndx the generator sends is the
    // index in this sorted list.
    private void CheckAndSortFileList()
    {
        // Further sources are sent as "module/path"; rsync matches them without the module (exclude.c:
        // add_implied_include with skip_daemon_module).
        var extras = _request.ExtraSourcePaths.Select(p => p.IndexOf('/') is int slash and >= 0 ? p[(slash + 1)..] : "");
        var requested = RequestedNames.FromSources([_request.Source.Path, .. extras], _options.Relative);
        var guard = new FileListGuard(requested);
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
