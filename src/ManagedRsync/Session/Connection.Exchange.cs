using ManagedRsync.Protocol;

namespace ManagedRsync.Session;

// The exchanges both directions share: the filter list (rsync exclude.c: send_filter_list, recv_filter_list) and the
// deletion counts (main.c: write_del_stats, read_del_stats).
internal sealed partial class Connection
{
    /// <summary>rsync rsync.h: MAXPATHLEN, the bound on one filter rule and on an xname from the peer.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>The most filter rules we take from a peer (stock has no limit; a real list is far below this).</summary>
    public const int MaxFilterRules = 1 << 16;

    /// <summary>
    /// rsync exclude.c: send_filter_list — each rule as int32 length + bytes, then int32 0; null sends nothing at
    /// all (a sender to a receiver that neither deletes nor prunes: <see cref="Filters.FilterList.GetWireRules"/>).
    /// </summary>
    public void SendFilterList(IReadOnlyList<byte[]>? rules)
    {
        if (rules is null)
            return;
        foreach (byte[] rule in rules)
        {
            Out.WriteInt32(rule.Length);
            Out.Write(rule);
        }
        Out.WriteInt32(0);
    }

    /// <summary>
    /// rsync exclude.c: recv_filter_list — the rules the client sends (as <see cref="SendFilterList"/> writes them),
    /// each bounded by MAXPATHLEN, until a zero length.
    /// </summary>
    public async Task<List<byte[]>> ReadFilterListAsync(CancellationToken ct)
    {
        var rules = new List<byte[]>();
        while (true)
        {
            int length = await In.ReadInt32Async(ct).ConfigureAwait(false);
            if (length == 0)
                return rules;
            if (length < 0 || length >= MaxPathLength)
                throw RsyncException.Protocol($"filter rule of {length} bytes (the limit is {MaxPathLength - 1})");
            if (rules.Count >= MaxFilterRules)
                throw RsyncException.Protocol($"more than {MaxFilterRules} filter rules");
            byte[] rule = new byte[length];
            await In.ReadExactlyAsync(rule, ct).ConfigureAwait(false);
            rules.Add(rule);
        }
    }

    /// <summary>
    /// The most bytes of a --files-from list a sending server takes from its client (stock reads without a limit; a
    /// list of a million names of 200 bytes is below it).
    /// </summary>
    public const int MaxFilesFromBytes = 256 << 20;

    /// <summary>
    /// rsync flist.c: send_file_list reading "--files-from=-" from the client (io.c: read_line with RL_EOL_NULLS, as
    /// the client's forward_filesfrom_data sends it): names ended by NUL, the list by an empty name. The bytes as they
    /// came, each name but the ending one with its NUL; over <see cref="MaxFilesFromBytes"/> is a protocol error.
    /// </summary>
    public Task<byte[]> ReadFilesFromAsync(CancellationToken ct) => ReadFilesFromAsync(MaxFilesFromBytes, ct);

    /// <summary>As <see cref="ReadFilesFromAsync(CancellationToken)"/>, with a list of at most <paramref name="maxBytes"/>.</summary>
    public async Task<byte[]> ReadFilesFromAsync(int maxBytes, CancellationToken ct)
    {
        var list = new MemoryStream();
        bool atNameStart = true;
        while (true)
        {
            await In.EnsureAsync(1, ct).ConfigureAwait(false);
            ReadOnlySpan<byte> buffered = In.Buffered;
            int k = 0;
            for (; k < buffered.Length; k++)
            {
                if (buffered[k] != 0)
                {
                    atNameStart = false;
                    continue;
                }
                if (atNameStart)
                {
                    if (list.Length + k > maxBytes)
                        throw RsyncException.Protocol($"a --files-from list of more than {maxBytes} bytes");
                    list.Write(buffered[..k]);
                    In.Advance(k + 1);
                    return list.ToArray();
                }
                atNameStart = true;
            }
            if (list.Length + k > maxBytes)
                throw RsyncException.Protocol($"a --files-from list of more than {maxBytes} bytes");
            list.Write(buffered[..k]);
            In.Advance(k);
        }
    }

    /// <summary>rsync main.c: write_del_stats — NDX_DEL_STATS and five varints (files, dirs, symlinks, devices, specials).</summary>
    public void WriteDeleteStats(TransferStats stats)
    {
        NdxOut.Write(Out, Ndx.DelStats);
        Out.WriteVarInt(stats.DeletedFiles);
        Out.WriteVarInt(stats.DeletedDirs);
        Out.WriteVarInt(stats.DeletedSymlinks);
        Out.WriteVarInt(stats.DeletedDevices);
        Out.WriteVarInt(stats.DeletedSpecials);
    }

    /// <summary>rsync main.c: read_del_stats, after NDX_DEL_STATS; null <paramref name="into"/> reads and drops them.</summary>
    public async ValueTask ReadDeleteStatsAsync(TransferStats? into, CancellationToken ct)
    {
        int files = await In.ReadVarIntAsync(ct).ConfigureAwait(false);
        int dirs = await In.ReadVarIntAsync(ct).ConfigureAwait(false);
        int symlinks = await In.ReadVarIntAsync(ct).ConfigureAwait(false);
        int devices = await In.ReadVarIntAsync(ct).ConfigureAwait(false);
        int specials = await In.ReadVarIntAsync(ct).ConfigureAwait(false);
        if (into is null)
            return;
        into.DeletedFiles = files;
        into.DeletedDirs = dirs;
        into.DeletedSymlinks = symlinks;
        into.DeletedDevices = devices;
        into.DeletedSpecials = specials;
    }
}
