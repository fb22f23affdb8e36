using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles;

/// <summary>
/// One file-list index with the attributes that travel with it between generator and sender (rsync rsync.c:
/// read_ndx_and_attrs, write_ndx_and_attrs): the item flags from protocol 29, the basis type when
/// ITEM_BASIS_TYPE_FOLLOWS, and the alternate name when ITEM_XNAME_FOLLOWS. The sender reads what the generator
/// writes and echoes it; the receiver reads the echo. One codec for all three, so the checks are the same on each side.
/// </summary>
/// <param name="Ndx">The index, or <see cref="Protocol.Ndx.Done"/>.</param>
/// <param name="Flags">The item flags (before protocol 29 always ITEM_TRANSFER | ITEM_MISSING_DATA).</param>
/// <param name="BasisType">rsync's fnamecmp_type; FNAMECMP_FNAME (0x80) when none follows.</param>
/// <param name="Xname">The alternate name (a basis name, or a hard-link follower's "=> leader"), or null.</param>
internal readonly record struct NdxAndAttrs(int Ndx, ItemChanges Flags, byte BasisType, byte[]? Xname)
{
    /// <summary>rsync rsync.h: FNAMECMP_FNAME, the file itself as the basis.</summary>
    public const byte BasisIsFile = 0x80;

    public bool IsDone => Ndx == Protocol.Ndx.Done;

    /// <summary>
    /// Reads the next index and its attributes. NDX_DEL_STATS is consumed on the way (its counts go into
    /// <paramref name="deleteStats"/>, or are dropped when null), protocol 29's keep-alive (the index one past the end
    /// with ITEM_IS_NEW) is skipped, and an index outside the list is a protocol error (rsync rsync.c:
    /// read_ndx_and_attrs, "Invalid file index").
    /// </summary>
    /// <param name="connection">The connection whose input and ndx codec are read.</param>
    /// <param name="files">The file list the indexes point into.</param>
    /// <param name="deleteStats">Where the peer's deletion counts go; null drops them.</param>
    /// <param name="alternatesOffered">
    /// False on a receiver whose generator never offers another basis: a basis type other than the file itself, or an
    /// alternate name with a transfer, is refused as soon as its flags say it follows.
    /// </param>
    /// <param name="listAnnounced">
    /// An incremental receiver's reader of NDX_FLIST_EOF and NDX_FLIST_OFFSET - dir (rsync.c: read_ndx_and_attrs reads
    /// the announced file list and goes on); null refuses them as any other negative index.
    /// </param>
    /// <param name="ct">Cancels the read.</param>
    /// <param name="echoDeleteStats">
    /// A sending server passes NDX_DEL_STATS on to the client's receiver, which prints the counts its generator made
    /// (rsync.c: read_ndx_and_attrs, "if (am_sender &amp;&amp; am_server) write_del_stats(f_out)").
    /// </param>
    public static async ValueTask<NdxAndAttrs> ReadAsync(Connection connection, IReadOnlyList<FileEntry> files,
        TransferStats? deleteStats, bool alternatesOffered, CancellationToken ct,
        Func<int, CancellationToken, Task>? listAnnounced = null, bool echoDeleteStats = false)
    {
        MultiplexReader input = connection.In;
        int protocol = connection.Protocol;
        while (true)
        {
            int ndx = await ReadIndexAsync(connection, files.Count, deleteStats, ct, listAnnounced is not null, echoDeleteStats).ConfigureAwait(false);
            if (ndx < Protocol.Ndx.Done)
            {
                await listAnnounced!(ndx, ct).ConfigureAwait(false);
                continue;
            }
            if (ndx == Protocol.Ndx.Done)
                return new NdxAndAttrs(ndx, 0, BasisIsFile, null);
            // Past the end is an error before anything else is read, except protocol 29's keep-alive.
            if (ndx > files.Count || (ndx == files.Count && protocol >= 30))
                throw InvalidIndex(ndx, files.Count);

            var iflags = protocol >= 29
                ? (ItemChanges)await input.ReadUInt16Async(ct).ConfigureAwait(false)
                : ItemChanges.Transfer | ItemChanges.MissingData;
            if (protocol < 30 && ndx == files.Count && iflags == ItemChanges.IsNew)
                continue;
            if (ndx >= files.Count)
                throw InvalidIndex(ndx, files.Count);
            // An index into a part both sides have ended, whose entries are gone (rsync.c: flist_for_ndx finds no
            // list for it).
            if (files[ndx] is null)
                throw RsyncException.Protocol($"File-list index {ndx} is in a file list that was already freed");

            byte basisType = BasisIsFile;
            if ((iflags & ItemChanges.BasisTypeFollows) != 0)
                basisType = await input.ReadByteAsync(ct).ConfigureAwait(false);
            byte[]? xname = null;
            if (!alternatesOffered && basisType != BasisIsFile)
                throw RsyncException.Protocol($"basis type 0x{basisType:x2} for \"{files[ndx].LocalName}\", which we never offered");
            if ((iflags & ItemChanges.OtherNameFollows) != 0)
            {
                // A hard link's leader travels as an xname without ITEM_TRANSFER (hlink.c: maybe_hard_link); only a
                // transfer's xname names a basis.
                if (!alternatesOffered && (iflags & ItemChanges.Transfer) != 0)
                    throw RsyncException.Protocol($"alternate basis name for \"{files[ndx].LocalName}\", which we never offered");
                // io.c: read_vstring — one byte, or two with the high bit set; bounded by MAXPATHLEN.
                int length = await input.ReadByteAsync(ct).ConfigureAwait(false);
                if ((length & 0x80) != 0)
                    length = ((length & 0x7F) << 8) | await input.ReadByteAsync(ct).ConfigureAwait(false);
                if (length >= Connection.MaxPathLength)
                    throw RsyncException.Protocol($"xname of {length} bytes exceeds MAXPATHLEN");
                xname = new byte[length];
                await input.ReadExactlyAsync(xname, ct).ConfigureAwait(false);
            }
            return new NdxAndAttrs(ndx, iflags, basisType, xname);
        }
    }

    /// <summary>
    /// The next index alone, NDX_DEL_STATS consumed on the way (main.c: read_final_goodbye wants nothing after it);
    /// a negative index other than NDX_DONE is a protocol error.
    /// </summary>
    public static async ValueTask<int> ReadIndexAsync(Connection connection, int fileCount, TransferStats? deleteStats,
        CancellationToken ct, bool listIndexes = false, bool echoDeleteStats = false)
    {
        while (true)
        {
            int ndx = await connection.In.ReadNdxAsync(connection.NdxIn, ct).ConfigureAwait(false);
            if (ndx != Protocol.Ndx.DelStats)
                return ndx >= Protocol.Ndx.Done || (listIndexes && (ndx == Protocol.Ndx.FlistEof || ndx <= Protocol.Ndx.FlistOffset))
                    ? ndx : throw InvalidIndex(ndx, fileCount);
            var stats = deleteStats ?? (echoDeleteStats ? new TransferStats() : null);
            await connection.ReadDeleteStatsAsync(stats, ct).ConfigureAwait(false);
            if (echoDeleteStats)
                connection.WriteDeleteStats(stats!);
        }
    }

    /// <summary>
    /// rsync rsync.c: write_ndx_and_attrs — the index, and from protocol 29 the flags with what they say follows.
    /// </summary>
    public static void Write(Connection connection, int ndx, ItemChanges iflags, byte basisType = BasisIsFile, byte[]? xname = null)
    {
        MultiplexWriter output = connection.Out;
        connection.NdxOut.Write(output, ndx);
        if (connection.Protocol < 29)
            return;
        output.WriteUInt16((ushort)iflags);
        if ((iflags & ItemChanges.BasisTypeFollows) != 0)
            output.WriteByte(basisType);
        if ((iflags & ItemChanges.OtherNameFollows) != 0)
            output.WriteVString(xname ?? []);
    }

    private static RsyncException InvalidIndex(int ndx, int count) =>
        RsyncException.Protocol($"Invalid file index: {ndx} ({Protocol.Ndx.Done} - {count - 1})");
}
