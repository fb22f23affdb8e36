using ManagedRsync.Filters;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Sender;

// The sender as a server (rsync main.c: start_server with am_sender, do_server_sender): a pull from a daemon or from
// `mrsync --server --sender` over a remote shell.
internal sealed partial class SenderRole
{
    /// <summary>
    /// rsync main.c: start_server — a sending server's messages go to the client (log.c: rwrite, MSG_INFO/MSG_ERROR),
    /// and it always reads the client's filter list (exclude.c: recv_filter_list, am_sender); -C adds the CVS rules
    /// on this side (":C" and "-C", as recv_filter_list does for a sender).
    /// </summary>
    private async Task StartAsServerAsync(CancellationToken ct)
    {
        var serverLog = new ServerMessageLog(_conn.Out, _log, _conn.Protocol, _conn.DaemonLog);
        _conn.ServerLog = serverLog;
        _log = serverLog;
        // Messages wait in the log until the output is written; every wait for the client sends them first (RunAsync).
        List<byte[]> rules = await _conn.ReadFilterListAsync(ct).ConfigureAwait(false);
        var builder = _source.ReadRuleFile is { } read ? new FilterListBuilder(read, NoStdin) : new FilterListBuilder(readStdin: NoStdin);
        // options.c: OPT_FILTER parsed the vector's rules into filter_list before recv_filter_list appends the client's.
        foreach (string rule in _source.ArgumentRules ?? [])
            builder.AddFilter(rule);
        foreach (byte[] rule in rules)
            builder.AddWireRule(rule, _conn.Protocol);
        if (_options.CvsExclude)
            builder.Add(FilterOptionKind.CvsExclude);
        _filters = builder.Build();
        // flist.c: send_file_list reads "--files-from=-" from the client after its filter list (protocol 31+: in
        // MSG_DATA frames; RsyncServer refuses it below).
        if (_source.ListedByPeer is { } listed)
            _source = listed(await _conn.ReadFilesFromAsync(ct).ConfigureAwait(false));
    }

    // A server has no standard input of its own to read rules from: "merge -" from a client is refused.
    private static byte[] NoStdin() =>
        throw new RsyncException(RsyncErrorKind.Usage, "a server cannot read filter rules from its standard input");

    /// <summary>
    /// rsync main.c: handle_stats for a sending server — total read, total written and the total size, then (protocol
    /// 29+) the file-list build and transfer times, each a varlong30(3); the receiving client prints them.
    /// </summary>
    private void WriteStats()
    {
        int protocol = _conn.Protocol;
        _conn.Out.WriteVarLong30(_conn.In.RawBytesRead, 3, protocol);
        _conn.Out.WriteVarLong30(_conn.Out.TotalWritten, 3, protocol);
        _conn.Out.WriteVarLong30(_stats.TotalSize, 3, protocol);
        if (protocol >= 29)
        {
            _conn.Out.WriteVarLong30(_stats.FileListBuildMs, 3, protocol);
            _conn.Out.WriteVarLong30(_stats.FileListTransferMs, 3, protocol);
        }
        // Not flushed: read_final_goodbye's wait sends the stats, with its echo when the client's NDX_DONE is already here.
    }
}
