using System.Diagnostics;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Daemon;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer;

/// <summary>
/// The client side of a push to an rsync daemon: the client is the sender and the daemon runs generator and
/// receiver (rsync main.c: client_run with am_sender). Phases: session setup, filter list, file list, then
/// answering the generator's requests with token streams (sender.c: send_files), then the end-of-run exchange
/// (main.c: read_final_goodbye).
/// </summary>
internal sealed partial class PushSession : IMessageHandler, IAsyncDisposable
{
    private readonly PushRequest _request;
    private readonly TransferOptions _options;
    private readonly ITransferLog _log;
    private readonly IProgress<TransferProgress>? _progress;
    private readonly TransferStats _stats = new();
    private MultiplexReader _in = null!;
    private MultiplexWriter _out = null!;
    private SessionParameters _session = null!;
    private List<FileEntry> _files = [];
    private int _ioError;
    private int _remoteIoError;
    private bool _sawErrors;

    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>> _openModule;

    /// <param name="request">What to push.</param>
    /// <param name="log">Where file names and messages go.</param>
    /// <param name="progress">Per-file progress, or null.</param>
    /// <param name="openModule">
    /// Connects, authenticates and sends the server arguments (the CLI brings its own, with its connect options);
    /// null to connect with what <paramref name="request"/> says.
    /// </param>
    public PushSession(PushRequest request, ITransferLog log, IProgress<TransferProgress>? progress,
        Func<IReadOnlyList<string>, CancellationToken, Task<DaemonSession>>? openModule = null)
    {
        _openModule = openModule ?? OpenModuleAsync;
        _request = request;
        _options = request.Options;
        _log = log;
        _progress = progress;
    }

    public async Task<TransferResult> RunAsync(CancellationToken ct)
    {
        List<string> args = ServerArguments.Build(_options, daemonSends: false, [_request.Destination.ModulePath]);
        await using DaemonSession daemon = await _openModule(args, ct).ConfigureAwait(false);

        int protocol = daemon.ProtocolVersion;
        _in = new MultiplexReader(daemon.Stream, this);
        // rsync io.c: perform_io paces every write of the sender by --bwlimit (sleep_for_bwlimit).
        _out = new MultiplexWriter(PacedStream.Wrap(daemon.Stream, _options.BandwidthLimit));
        _in.BeforeWait = _out.Send;
        await using (_in.ConfigureAwait(false))
        {
            _session = await SessionSetup.RunAsync(_in, _out, protocol, _options, ct).ConfigureAwait(false);
            // rsync main.c: client_run, am_sender: output multiplexed from 30, input from 23.
            if (protocol >= 30)
                _out.StartMultiplexing();
            _in.StartMultiplexing(_options.Timeout > 0 ? TimeSpan.FromSeconds(_options.Timeout) : default);

            SendFilterList();
            long listStart = _out.TotalWritten;
            var listClock = Stopwatch.StartNew();
            BuildFileList();
            _stats.FileListBuildMs = Math.Max(1, listClock.ElapsedMilliseconds);
            listClock.Restart();
            SendFileList();
            _out.Send();
            _stats.FileListTransferMs = listClock.ElapsedMilliseconds;
            _stats.FileListSize = _out.TotalWritten - listStart;

            await SendFilesAsync(ct).ConfigureAwait(false);
            await ReadFinalGoodbyeAsync(ct).ConfigureAwait(false);
        }

        _stats.TotalBytesSent = _out.TotalWritten;
        _stats.TotalBytesReceived = _in.RawBytesRead;
        RsyncExitCode code = _sawErrors || (_ioError & FileListBuilder.IoErrorGeneral) != 0 ? RsyncExitCode.Partial
            : (_ioError & FileListBuilder.IoErrorVanished) != 0 ? RsyncExitCode.Vanished
            : RsyncExitCode.Ok;
        return new TransferResult
        {
            Stats = _stats,
            ExitCode = code,
            Protocol = $"protocol {protocol}, checksum {_session.Checksum ?? "auto"}, compression {_session.Compression}",
            ProtocolVersion = protocol,
        };
    }

    private Task<DaemonSession> OpenModuleAsync(IReadOnlyList<string> args, CancellationToken ct) =>
        DaemonMessages.OpenModuleAsync(_request.Destination, _request.Port, _request.ConnectTimeout, _options.Protocol,
            _request.Password, args, _log, ct);

    // rsync exclude.c: send_filter_list — only sent to a receiver that deletes (or prunes); each rule as int32
    // length + bytes, then int32 0; nothing at all otherwise.
    private void SendFilterList()
    {
        bool deleting = _options.IsDeleting;
        IReadOnlyList<byte[]>? rules = (_request.Filters ?? FilterList.Empty).GetWireRules(_session.Protocol, localIsSender: true, deleting);
        if (rules is null)
            return;
        foreach (byte[] rule in rules)
        {
            _out.WriteInt32(rule.Length);
            _out.Write(rule);
        }
        _out.WriteInt32(0);
    }

    private void BuildFileList()
    {
        FilterMatcher? matcher = _request.Filters is { Rules.Count: > 0 } or { CvsExclude: true }
            ? _request.Filters.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = TransferRoot() })
            : null;
        var builder = new FileListBuilder(_options, matcher, _request.IsExcluded, line => _log.Error(line));
        if (_request.RelativePaths is { } paths)
        {
            string root = _request.SourceRoot ?? throw new ArgumentException("RelativePaths need a SourceRoot");
            foreach (string p in paths)
                builder.AddRelative(root, p, isArgument: true);
        }
        foreach (string s in _request.Sources)
            builder.AddSource(s);
        _files = builder.Result(_session.Protocol);
        _ioError |= builder.IoError;
        if (_options.AlwaysChecksum)
            ComputeListChecksums();
    }

    // The directory names in the list are relative to (rsync's curr_dir when it sends): "dir/" -> dir, "dir" -> its parent.
    private string TransferRoot()
    {
        if (_request.SourceRoot is { } root)
            return root;
        string first = _request.Sources.Count > 0 ? _request.Sources[0] : ".";
        if (first.EndsWith('/') || first == ".")
            return first;
        return Path.GetDirectoryName(Path.GetFullPath(first)) ?? "/";
    }

    private void ComputeListChecksums()
    {
        using FileChecksum sum = FileChecksum.CreateListSum(ListChecksumVariant);
        byte[] buffer = new byte[256 * 1024];
        foreach (FileEntry f in _files)
        {
            if (!f.IsRegular || f.LocalPath is null)
                continue;
            try
            {
                using var fs = LocalFile.OpenRead(f.LocalPath, new FileStreamOptions { Share = FileShare.ReadWrite, BufferSize = 1, Options = FileOptions.SequentialScan });
                int n;
                while ((n = fs.Read(buffer)) > 0)
                    sum.Append(buffer.AsSpan(0, n));
                f.Checksum = new byte[sum.DigestLength];
                sum.GetDigestAndReset(f.Checksum);
            }
            catch (IOException)
            {
                sum.Reset();
            }
        }
    }

    private ChecksumVariant XferChecksumVariant =>
        ChecksumNames.Resolve(_session.Checksum is null ? null : Parse(_session.Checksum), _session.Protocol);

    // rsync checksum.c: the --checksum sums use file_sum_nni: the second name of "--checksum-choice=a,b".
    private ChecksumVariant ListChecksumVariant
    {
        get
        {
            string? choice = _options.ChecksumChoice;
            if (choice is not null && choice.Contains(','))
                return ChecksumNames.Resolve(Parse(choice[(choice.IndexOf(',') + 1)..]), _session.Protocol);
            return XferChecksumVariant;
        }
    }

    private static ChecksumKind Parse(string name) =>
        ChecksumNames.TryParse(name, out ChecksumKind k) ? k
            : throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported, $"unknown checksum name: {name}");

    private void SendFileList()
    {
        int csumLength = _options.AlwaysChecksum ? ChecksumNames.DigestLength(ListChecksumVariant) : 0;
        // rsync flist.c: flist_csum_len — protocols before 30 always send 16 bytes (MD4) with -c.
        if (_options.AlwaysChecksum && _session.Protocol < 30)
            csumLength = 16;
        var writer = new FileListWriter(_session, _options) { ChecksumLength = Math.Max(csumLength, 1) };
        for (int i = 0; i < _files.Count; i++)
        {
            FileEntry f = _files[i];
            writer.Write(_out, f, i);
            CountEntry(f);
        }
        writer.WriteEnd(_out, _ioError);
        _stats.TotalSize = writer.TotalSize;
        _stats.NumFiles = _files.Count;
        // rsync flist.c: protocol 30 without the safe file list reports io_error in a message.
        if (_session.Protocol == 30 && !_session.SafeFlist && _ioError != 0)
            _out.WriteMessageInt(MessageCode.IoError, _ioError);
    }

    private void CountEntry(FileEntry f)
    {
        if (f.IsRegular)
            _stats.NumRegular++;
        else if (f.IsDirectory)
            _stats.NumDirs++;
        else if (f.IsSymlink)
            _stats.NumSymlinks++;
        else if (f.IsDevice)
            _stats.NumDevices++;
        else if (f.IsSpecial)
            _stats.NumSpecials++;
    }

    public async ValueTask DisposeAsync()
    {
        if (_in is not null)
            await _in.DisposeAsync().ConfigureAwait(false);
    }
}
