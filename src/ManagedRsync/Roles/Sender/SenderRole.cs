using System.Diagnostics;
using ManagedRsync.Checksums;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Sender;

/// <summary>
/// The sender (rsync sender.c: send_files, with flist.c: send_file_list before it): sends the filter list when the
/// receiver wants it, builds and sends the file list, then answers the generator's requests with token streams, and
/// ends with the end-of-run exchange (main.c: read_final_goodbye). It runs over any <see cref="Connection"/>: a push
/// to a daemon, or a local copy's client half (stock's local copy is always a client sender with a forked server
/// receiver, pipe.c: local_child).
/// </summary>
internal sealed partial class SenderRole : IMessageHandler
{
    private SendSource _source;
    private readonly TransferOptions _options;
    private ITransferLog _log;
    private FilterList? _filters;
    private readonly IProgress<TransferProgress>? _progress;
    private readonly TransferStats _stats = new();
    private Connection _conn = null!;
    private IReadOnlyList<FileEntry> _files = [];
    private int _ioError;
    private bool _localServer;

    /// <param name="source">What to send.</param>
    /// <param name="options">The transfer's options.</param>
    /// <param name="log">Where file names and messages go.</param>
    /// <param name="progress">Per-file progress, or null.</param>
    public SenderRole(SendSource source, TransferOptions options, ITransferLog log, IProgress<TransferProgress>? progress)
    {
        _source = source;
        _options = options;
        _log = log;
        _progress = progress;
        _filters = source.Filters;
    }

    /// <summary>
    /// Runs the sender over a connection whose setup is done and whose multiplexing is on.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="localServer">
    /// rsync's local_server: the receiver is this process's own server half (a local copy). It shares our filter list
    /// in memory (exclude.c: send_filter_list sends nothing), and the item lines show '>' as a receiver's do (log.c:
    /// log_item, "!local_server &amp;&amp; *op == 's' ? '&lt;' : '&gt;'").
    /// </param>
    /// <param name="ct">Cancels the run.</param>
    public async Task<TransferResult> RunAsync(Connection connection, bool localServer, CancellationToken ct)
    {
        _conn = connection;
        _conn.Attach(this);
        int protocol = _conn.Protocol;
        // Every wait for the peer sends what we hold first (a server's messages too), and lists while idle.
        _conn.In.BeforeWait = () =>
        {
            ListWhileIdle();
            _conn.Send();
        };

        _localServer = localServer;
        if (!connection.IsServer)
            _log.ChecksumSettled(BlankChecksumDigits);
        if (connection.IsServer)
            await StartAsServerAsync(ct).ConfigureAwait(false);
        else if (!localServer)
            _conn.SendFilterList((_filters ?? FilterList.Empty).GetWireRules(protocol, localIsSender: true, _options.IsDeleting, _options.PruneEmptyDirs));
        // main.c: client_run — a sending client's --write-batch copies what it writes from here on (start_write_batch(f_out)).
        using BatchFile? batch = BatchFile.StartFor(_conn, _options, sending: true);
        // rsync flist.c: send_file_list — a client's -v header: "sending incremental file list" when the lists go
        // directory by directory, else "building file list ... done" (a local copy's client too), and only where
        // directories are transferred (flist.c: show_filelist_progress needs xfer_dirs: -r, -d, --files-from); with
        // info=flist2 the counts, once the list is built.
        bool listHeader = !connection.IsServer && _options.Info.Gte(InfoFlag.Flist, 1) && !_options.Quiet
            && (_options.Recursive || _options.Dirs);
        bool listCounts = listHeader && !_conn.Parameters.IncRecurse && _options.Info.Gte(InfoFlag.Flist, 2);
        // flist.c: send_file_list starts with rprintf(FLOG, "building file list"): a client's log file only.
        bool logFile = !connection.IsServer && _options.LogFileFormat is not null;
        if (logFile)
            _log.LogFile("building file list");
        if (listHeader && !listCounts)
            _log.Client(_conn.Parameters.IncRecurse ? "sending incremental file list" : "building file list ... done");
        long listStart = _conn.Out.TotalWritten;
        var listClock = Stopwatch.StartNew();
        BuildFileList();
        _stats.FileListBuildMs = Math.Max(1, listClock.ElapsedMilliseconds);
        if (listCounts)
            _log.Client(FileListProgress.Line("building file list", _files.Count, counts: true, sender: true));
        // flist.c: finish_filelist_progress's FINFO "done" (or the count) reaches a log file once the list is built.
        if (logFile && listHeader && !_conn.Parameters.IncRecurse)
            _log.LogFile(FileListProgress.Finish(_files.Count, listCounts));
        listClock.Restart();
        SendFileList();
        // Not sent yet: flist.c: send_file_list ends without io_flush, and send_files adds the next lists before its
        // first wait for an index, which sends them all, with the server's messages from the listing ahead of them
        // (io.c: perform_io writes iobuf.msg first). A flush here cost stock's client another frame header in its
        // "File list size" and a pull's "Total bytes received".
        _stats.FileListTransferMs = listClock.ElapsedMilliseconds;
        _stats.FileListSize = _conn.Out.TotalWritten - listStart;

        // rsync main.c: do_server_sender ends at once when the list is empty (exit_cleanup(0), no stats, no goodbye).
        if (_conn.IsServer && _stats.NumFiles == 0)
        {
            _conn.Send();
            return Result(protocol);
        }
        await SendFilesAsync(ct).ConfigureAwait(false);
        if (_conn.IsServer)
            WriteStats();
        if (batch is not null)
        {
            // main.c: handle_stats — "The --read-batch process is going to be a client receiver, so we need to give it
            // the stats", after everything sent so far.
            _conn.Out.Send();
            batch.WriteSenderStats(protocol, _conn.In.RawBytesRead, _conn.Out.TotalWritten, _stats.TotalSize,
                _stats.FileListBuildMs, _stats.FileListTransferMs);
        }
        await ReadFinalGoodbyeAsync(ct).ConfigureAwait(false);
        return Result(protocol);
    }

    private TransferResult Result(int protocol)
    {
        _stats.TotalBytesSent = _conn.Out.TotalWritten;
        _stats.TotalBytesReceived = _conn.In.RawBytesRead;
        TransferOutcome outcome = RsyncExitCodes.OutcomeOf(_conn.SawErrors || _removeFailed, _ioError, deleteLimitReached: false);
        return new TransferResult
        {
            Stats = _stats,
            Outcome = outcome,
            Checksum = _conn.Parameters.Checksum,
            Compression = _conn.Parameters.Compression,
            ProtocolVersion = protocol,
        };
    }

    // exclude.c: name_is_excluded(NAME_IS_XATTR) with per-directory merge files — the module's rules, then the ones
    // in effect in the entry's directory; none until an 'x' rule has been seen (saw_xattr_filter).
    private Func<byte[], Func<byte[], bool>?> XattrRulesAt(FilterMatcher matcher)
    {
        FilterList? module = _source.ModuleXattrRules;
        return entry => !matcher.SawXattrRules && module is null ? null
            : name => (module is not null && module.IsXattrExcluded(name, sender: true)) || matcher.IsXattrExcluded(entry, name);
    }

    private void BuildFileList()
    {
        FilterMatcher? matcher = _filters is { Rules.Count: > 0 } or { CvsExclude: true }
            ? _filters.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = TransferRoot(), ReadFile = _source.ReadPerDirectoryFile })
            : null;
        var builder = new FileListBuilder(_options, matcher, _source.IsExcluded, line => _log.Error(line), _source.LinkTarget, line => _log.Info(line))
        {
            IgnoreNonreadable = _source.IgnoreNonreadable,
            ArgumentExcluded = _source.ArgumentExcluded,
            ArgumentsListed = _source.Listed,
            Confinement = _source.Confinement,
            DivertDirectories = _conn.Parameters.IncRecurse,
            SendImpliedDirectories = _options.ImpliedDirs || _conn.Protocol >= 30,
            XattrExcluded = FilterList.XattrExclusion(_source.ModuleXattrRules, _filters, sender: true),
            XattrRulesAt = matcher is not null && _filters is { HasPerDirectoryMerge: true } ? XattrRulesAt(matcher) : null,
        };
        _builder = builder;
        if (_source.RelativePaths is { } paths)
        {
            string root = _source.SourceRoot ?? throw new ArgumentException("RelativePaths need a SourceRoot");
            foreach (string p in paths)
                builder.AddRelative(root, p, isArgument: true);
        }
        foreach (string s in _source.Sources)
            builder.AddSource(s);
        List<FileEntry> files = builder.Result(_conn.Protocol);
        _files = files;
        _ioError |= builder.IoError;
        if (_options.AlwaysChecksum)
            ComputeListChecksums(files);
    }

    // The directory names in the list are relative to (rsync's curr_dir when it sends): "dir/" -> dir, "dir" -> its parent.
    private string TransferRoot()
    {
        if (_source.SourceRoot is { } root)
            return root;
        string first = _source.Sources.Count > 0 ? _source.Sources[0] : ".";
        if (first.EndsWith('/') || first == ".")
            return first;
        return Path.GetDirectoryName(Path.GetFullPath(first)) ?? "/";
    }

    private void ComputeListChecksums(List<FileEntry> files)
    {
        using FileChecksum sum = FileChecksum.CreateListSum(ListChecksumVariant);
        byte[] buffer = new byte[256 * 1024];
        // flist.c: make_file checksums each file right after its lstat, in the scan's order: with -U a hard link met
        // after another name of its inode was read lists the access time that read left (relatime), so the names are
        // read in that order and such a one is looked at again just before.
        bool atimesMove = _options.Atimes && !_options.OpenNoAtime;
        foreach (FileEntry f in atimesMove ? files.OrderBy(e => e.ScanOrder) : (IEnumerable<FileEntry>)files)
        {
            if (!f.IsRegular || f.LocalPath is null)
                continue;
            if (atimesMove && Platform.NativeStat.TryLstat(f.LocalPath, out Platform.NativeStat.Info now) == 0 && now.Nlink > 1)
                f.AccessTime = now.ATime;
            try
            {
                // checksum.c: file_checksum opens with do_open (O_NOATIME under --open-noatime); a file it cannot
                // open gets an empty sum.
                using var fs = _options.OpenNoAtime
                    ? new FileStream(LocalFile.OpenWithoutAtime(f.LocalPath), FileAccess.Read, 1)
                    : LocalFile.OpenRead(f.LocalPath, new FileStreamOptions { Share = FileShare.ReadWrite, BufferSize = 1, Options = FileOptions.SequentialScan });
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
        ChecksumNames.Resolve(_conn.Parameters.Checksum is null ? null : Parse(_conn.Parameters.Checksum), _conn.Protocol);

    // log.c %C with no checksum to show: twice csum_len_for_type of the -c kind or the transfer kind.
    private int BlankChecksumDigits => TransferFigures.SessionBlankDigits(_options.AlwaysChecksum, XferChecksumVariant, ListChecksumVariant);

    // rsync checksum.c: the --checksum sums use file_sum_nni: the second name of "--checksum-choice=a,b".
    private ChecksumVariant ListChecksumVariant
    {
        get
        {
            string? choice = _options.ChecksumChoice;
            if (choice is not null && choice.Contains(','))
                return ChecksumNames.Resolve(Parse(choice[(choice.IndexOf(',') + 1)..]), _conn.Protocol);
            return XferChecksumVariant;
        }
    }

    private static ChecksumKind Parse(string name) =>
        ChecksumNames.TryParse(name, out ChecksumKind k) ? k
            : throw new RsyncException(RsyncErrorKind.Unsupported, $"unknown checksum name: {name}");

    private void SendFileList()
    {
        // rsync flist.c: flist_csum_len — csum_len_for_type of the file-list kind: 16 bytes of MD4 before protocol 30
        // unless --checksum-choice names another kind (8 for xxh64 or xxh3 at protocol 29 as at 31).
        int csumLength = _options.AlwaysChecksum ? ChecksumNames.DigestLength(ListChecksumVariant) : 0;
        FileListBuilder builder = _builder!;
        _writer = new FileListWriter(_conn.Parameters, _options)
        {
            ChecksumLength = Math.Max(csumLength, 1),
            Xattrs = NewXattrTable(),
            Rooted = builder.HasRootedNames ? file => builder.IsRootedName(file.LocalName) : null,
        };
        var files = (List<FileEntry>)_files;
        WriteEntries(files, _conn.Parameters.IncRecurse ? 1 : 0);
        // rsync flist.c: send_file_list — with --ignore-errors (or a module's "ignore errors") the list's io_error
        // goes out as 0, so the receiver deletes all the same.
        int listIoError = _options.IgnoreErrors ? 0 : _ioError;
        if (listIoError != 0)
            RefuseUnsafeIoError();
        _writer.WriteEnd(_conn.Out, listIoError);
        // rsync flist.c: protocol 30 without the safe file list reports io_error in a message.
        if (_conn.Protocol == 30 && !_conn.Parameters.SafeFlist && listIoError != 0)
            _conn.Out.WriteMessageInt(MessageCode.IoError, listIoError);
        if (_conn.Parameters.IncRecurse)
            StartIncremental(files);
    }

    // The entries of one list, the first numbered from firstNdx (a hard link's leader is named by its index), and
    // their counts in the statistics (flist.c: stats.num_files and the per-type counts grow with every list).
    private void WriteEntries(List<FileEntry> files, int firstNdx)
    {
        _writer!.ListStart = firstNdx;
        for (int i = 0; i < files.Count; i++)
        {
            FileEntry f = files[i];
            _writer!.Write(_conn.Out, f, firstNdx + i);
            CountEntry(f);
        }
        _stats.TotalSize = _writer!.TotalSize;
        _stats.NumFiles += files.Count;
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
}
