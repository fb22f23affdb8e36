using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Session;

namespace ManagedRsync.Transports;

/// <summary>
/// --read-batch=FILE (rsync main.c: start_client and client_run with read_batch, batch.c, compat.c: setup_protocol):
/// the batch file stands in for the sender. Its header's stream flags set the options the data depends on
/// (batch.c: check_batch_flags), then its protocol, compat flags and seed settle the session; a client receiver
/// (generator and receiver) runs over its data stream, the generator telling the receiver which files it wants
/// (<see cref="BatchWants"/>), its writes going nowhere.
/// </summary>
internal static class BatchReplay
{
    /// <summary>rsync batch.c: flag_name, in flag_ptr's order (the bits of the stream flags).</summary>
    private static readonly string[] s_flagNames =
    [
        "--recurse (-r)", "--owner (-o)", "--group (-g)", "--links (-l)", "--devices (-D)", "--hard-links (-H)",
        "--checksum (-c)", "--dirs (-d)", "--compress (-z)", "--iconv", "--acls (-A)", "--xattrs (-X)", "--inplace",
        "--append", "--append-verify",
    ];

    /// <param name="batchName">The batch file, or "-" for stdin.</param>
    /// <param name="target">The local destination.</param>
    /// <param name="options">The command line's options (the batch's flags change the data options).</param>
    /// <param name="log">The client's output.</param>
    /// <param name="remoteDestination">The destination names a host (the caller parses addresses): refused, as stock
    /// refuses it once the batch is open (main.c: start_client after main's open_batch_files).</param>
    /// <param name="ct">Cancels the replay.</param>
    public static async Task<TransferResult> RunAsync(string batchName, ReceiveTarget target, TransferOptions options, ITransferLog log,
        bool remoteDestination, CancellationToken ct)
    {
        await using Stream input = Open(batchName);
        if (remoteDestination)
            throw new RsyncException(RsyncErrorKind.Usage, "remote destination is not allowed with --read-batch");
        await using var connection = new Connection(new BatchStream(input), isServer: false, log);
        MultiplexReader header = connection.In;
        int streamFlags = await header.ReadInt32Async(ct).ConfigureAwait(false);
        int protocol = await header.ReadInt32Async(ct).ConfigureAwait(false);
        // compat.c: setup_protocol — the batch's protocol may not be newer than ours (--protocol lowers ours).
        if (protocol > options.Protocol && protocol <= 40)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"The protocol version in the batch file is too new ({protocol} > {options.Protocol}).");
        if (protocol < 20 || protocol > 40)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, "protocol version mismatch -- is your shell clean?\n(see the rsync manpage for an explanation)");
        if (protocol < SessionSetup.MinProtocol)
            throw new RsyncException(RsyncErrorKind.Unsupported, $"--read-batch of a protocol {protocol} batch file is not supported yet");
        bool allowIncremental = IncrementalRecursion.StockAllows(options, weSend: false);
        options = ApplyStreamFlags(options, streamFlags, protocol, log);
        // Our generator picks a hard-link group's leader where stock's does not always, so the batch's update of a group
        // could be skipped for the wrong member: refused by name until the two agree.
        if (options.HardLinks)
            throw new RsyncException(RsyncErrorKind.Unsupported, "--read-batch with --hard-links (-H) is not supported yet");
        var flags = CompatFlags.None;
        if (protocol >= 30)
            flags = (CompatFlags)await header.ReadVarIntAsync(ct).ConfigureAwait(false);
        int seed = await header.ReadInt32Async(ct).ConfigureAwait(false);
        // compat.c: "Incompatible options specified for inc-recursive batch file." (RERR_SYNTAX): the command line's
        // options would not have let the run recurse incrementally.
        if ((flags & CompatFlags.IncRecurse) != 0 && !allowIncremental)
            throw new RsyncException(RsyncErrorKind.Usage, "Incompatible options specified for inc-recursive batch file.");
        // compat.c: no names are negotiated in a batch: md5 (md4 before 30) unless --checksum-choice, zlib with -z.
        string? checksum = options.ChecksumChoice?.Split(',')[0];
        connection.SetupFromBatch(new SessionParameters(protocol, flags, seed, checksum is null or "auto" ? null : checksum,
            options.Compress ? "zlib" : "none"));
        var receiver = new ReceivingSide(target, options, log);
        return await receiver.RunAsync(connection, exchangeFilters: true, ct).ConfigureAwait(false);
    }

    // batch.c: open_batch_files — "-" is stdin; else the file, through the walk that refuses another user's symlink,
    // and only a regular file (its bytes drive the protocol parser).
    private static Stream Open(string name)
    {
        if (name == "-")
            return Console.OpenStandardInput();
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.Open(name, Interop.O_RDONLY, 0);
        if (opened.Handle is not { } handle)
        {
            string reason = opened.UntrustedSymlink ? OwnerCheckedOpen.RefusalNote
                : System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(opened.Errno);
            throw new RsyncException(RsyncErrorKind.FileIo, $"[Receiver] Batch file \"{Path.GetFullPath(name)}\" open error: {reason} ({opened.Errno})");
        }
        var stream = new FileStream(handle, FileAccess.Read, 64 * 1024);
        if ((NativeStat.OwnerAndMode(handle).Mode & FileList.FileEntry.S_IFMT) != FileList.FileEntry.S_IFREG)
        {
            stream.Dispose();
            throw new RsyncException(RsyncErrorKind.FileIo, $"[Receiver] Batch file \"{Path.GetFullPath(name)}\" is not a regular file");
        }
        return stream;
    }

    /// <summary>
    /// rsync batch.c: check_batch_flags — each data-stream option takes the batch's value ("Setting/Clearing the X option
    /// to match the batchfile." with info=misc1); a batch made with --iconv needs it given again (RERR_SYNTAX). Before
    /// protocol 29 only the first seven flags exist, before 30 the first nine. -A and -X, which mrsync does not carry,
    /// are refused by name.
    /// </summary>
    private static TransferOptions ApplyStreamFlags(TransferOptions o, int flags, int protocol, ITransferLog log)
    {
        int count = protocol < 29 ? 7 : protocol < 30 ? 9 : s_flagNames.Length;
        // The variables as options.c left them: -r is recurse 2 (-a's is 1), -d without -r is xfer_dirs 2; check_batch_flags
        // compares each with the bit, so those two always differ.
        int[] now =
        [
            o.RecurseGiven ? 2 : o.Recursive ? 1 : 0, Bit(o.Owner), Bit(o.Group), Bit(o.Links), Bit(o.Devices), Bit(o.HardLinks),
            Bit(o.AlwaysChecksum), o.DirsGiven ? 2 : Bit(o.Dirs), Bit(o.Compress), 0, 0, 0, Bit(o.Inplace),
            Bit(o.Append && !o.AppendVerify), Bit(o.AppendVerify),
        ];
        bool[] set = new bool[now.Length];
        for (int i = 0; i < now.Length; i++)
            set[i] = i < count ? (flags & (1 << i)) != 0 : now[i] != 0;
        for (int i = 0; i < count; i++)
        {
            if (Bit(set[i]) == now[i])
                continue;
            if (i == 9)
                throw new RsyncException(RsyncErrorKind.Usage, $"{(set[i] ? "Please" : "Do not")} specify the --iconv option to use this batch file.");
            if (i is 10 or 11)
                throw new RsyncException(RsyncErrorKind.Unsupported, $"--read-batch of a batch file made with {s_flagNames[i]} is not supported yet");
            if (o.Info.Gte(InfoFlag.Misc, 1))
                log.Info($"{(set[i] ? "Sett" : "Clear")}ing the {s_flagNames[i]} option to match the batchfile.");
        }
        return o with
        {
            RecurseGiven = false,
            DirsGiven = false,
            Recursive = set[0], Owner = set[1], Group = set[2], Links = set[3], Devices = set[4], HardLinks = set[5],
            AlwaysChecksum = set[6], Dirs = protocol < 29 ? set[0] || o.Dirs : set[7], Compress = set[8], Inplace = set[12],
            Append = set[13] || set[14], AppendVerify = set[14],
        };
    }

    private static int Bit(bool value) => value ? 1 : 0;

    /// <summary>The batch's data as the connection's input; what the run writes is dropped.</summary>
    private sealed class BatchStream(Stream input) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            input.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
        public override void Write(ReadOnlySpan<byte> buffer) { }
    }
}
