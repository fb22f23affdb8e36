using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Roles.Sender;

// The sending side of incremental recursion (protocol-notes §25; flist.c: send_file_list with inc_recurse,
// send_extra_file_list; sender.c: send_files; io.c: the idle-time sending of lists): the first list holds the top
// level, every directory's contents follow in a list of their own, depth first, as the generator works through the
// earlier ones, and a list the generator is done with is dropped.
internal sealed partial class SenderRole
{
    /// <summary>rsync.h: MIN_FILECNT_LOOKAHEAD — entries listed ahead of the generator before each index is read.</summary>
    private const int MinLookahead = 1000;

    /// <summary>rsync.h: MAX_FILECNT_LOOKAHEAD — the most entries listed ahead while the sender would wait.</summary>
    private const int MaxLookahead = 10000;

    private SentLists? _lists;
    private FileListBuilder? _builder;
    private FileListWriter? _writer;
    private bool _listWhileIdle;

    /// <summary>
    /// After the first list: NDX_FLIST_EOF at once when it has no directory to list, else, when it holds a single
    /// entry, one more list at once (flist.c: send_file_list, "to check if this is a 1-file xfer").
    /// </summary>
    private void StartIncremental(List<FileEntry> first)
    {
        _lists = new SentLists();
        _lists.AddFirst(first);
        _files = _lists;
        if (_lists.Complete)
            _conn.NdxOut.Write(_conn.Out, Ndx.FlistEof);
        else if (_lists.FileTotal == 1)
            SendMoreLists(1);
    }

    /// <summary>
    /// flist.c: send_extra_file_list — lists until <paramref name="atLeast"/> entries are listed beyond the part the
    /// generator works in, or all are sent: the announcement NDX_FLIST_OFFSET - dir, the directory's entries, the end
    /// of the list; after the last, NDX_FLIST_EOF.
    /// </summary>
    private void SendMoreLists(int atLeast)
    {
        SentLists lists = _lists!;
        int savedIoError = _ioError;
        while (!lists.Complete && lists.FileTotal - lists.OldTotal < atLeast)
        {
            FileEntry dir = lists.NextDirectory!;
            long start = _conn.Out.TotalWritten;
            _conn.NdxOut.Write(_conn.Out, Ndx.FlistOffset - lists.NextDirectoryIndex);
            int before = _builder!.IoError;
            List<FileEntry> part = _builder.ListContents(dir, _conn.Protocol);
            _ioError |= _builder.IoError & ~before;
            if (_options.AlwaysChecksum)
                ComputeListChecksums(part);
            // flist.c: send_extra_file_list numbers the list from its ndx_start (hard-link group numbers are global).
            WriteEntries(part, lists.NextStart);
            // flist.c: send_extra_file_list — the end marker carries io_error only when this list added to it.
            bool newError = _ioError != savedIoError && !_options.IgnoreErrors;
            if (newError)
                RefuseUnsafeIoError();
            _writer!.WriteEnd(_conn.Out, newError && _conn.Parameters.SafeFlist ? _ioError : 0);
            _stats.FileListSize += _conn.Out.TotalWritten - start;
            if (lists.AddNext(part))
                _conn.NdxOut.Write(_conn.Out, Ndx.FlistEof);
        }
        // flist.c: send_extra_file_list — protocol 30 without the safe list reports a new io_error in a message.
        if (_ioError != savedIoError && _conn.Protocol == 30 && !_options.IgnoreErrors)
            _conn.Out.WriteMessageInt(MessageCode.IoError, _ioError);
    }

    // flist.c: fatal_unsafe_io_error — a receiver older than 3.0.7 (protocol 30 without CF_SAFE_FLIST) learns of a list's
    // io_error only after the list, and with --delete-during/--delete-delay it would already have deleted what the
    // unreadable part held: stock ends the transfer first (RERR_UNSUPPORTED).
    private void RefuseUnsafeIoError()
    {
        if (_conn.Parameters.IncRecurse && !_conn.Parameters.SafeFlist && _options.Delete is DeleteTiming.During or DeleteTiming.Delay)
            throw new RsyncException(RsyncErrorKind.Unsupported,
                $"FATAL I/O ERROR: dying to avoid a --delete-{(_options.Delete == DeleteTiming.Delay ? "delay" : "during")} issue with a pre-3.0.7 receiver.");
    }

    // io.c: perform_io — while send_files waits for an index and nothing has arrived (its poll with no timeout), one
    // more list goes out, and again, up to MAX_FILECNT_LOOKAHEAD entries ahead; each is sent at once, so that the
    // generator can start on it while we look for the next.
    private void ListWhileIdle()
    {
        if (!_listWhileIdle || _lists is not { } lists)
            return;
        while (!lists.Complete && lists.FileTotal - lists.OldTotal < MaxLookahead && !_conn.In.HasArrived)
        {
            SendMoreLists(lists.FileTotal - lists.OldTotal + 1);
            _conn.Send();
        }
    }
}
