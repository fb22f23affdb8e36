using System.Buffers.Binary;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Session;

/// <summary>
/// The file <c>--write-batch=FILE</c> writes (rsync batch.c, io.c: start_write_batch, main.c: handle_stats): a header
/// of the data-stream flags (int32, batch.c: write_stream_flags), the protocol (int32), from protocol 30 the compat flags
/// (varint) and the checksum seed (int32); then, byte for byte, the data the receiving side reads from the sender after
/// the setup (the file lists, the ndx/attrs, sum headers and delta tokens, the phase ends and the goodbye), before
/// multiplexing and without messages. A client receiver copies what it reads (io.c: write_batch_monitor_in), a client
/// sender what it writes (write_batch_monitor_out), and then also the statistics a server sender would have sent
/// (main.c: handle_stats), so that both are the stream a receiver reads. <c>--read-batch</c> replays it.
/// </summary>
internal sealed class BatchFile : IDisposable
{
    private readonly FileStream _stream;

    private BatchFile(FileStream stream) => _stream = stream;

    private Action? _detach;

    /// <summary>
    /// A client's --write-batch, once the setup is done (<paramref name="connection"/>'s parameters settled, and a
    /// sender's filter rules already sent: main.c client_run calls start_write_batch after send_filter_list): creates
    /// the files, writes FILE.sh and the header, and copies from here on what a receiving client reads, or what a sending
    /// client writes. Null on a server or without --write-batch.
    /// </summary>
    public static BatchFile? StartFor(Connection connection, TransferOptions options, bool sending)
    {
        if (options.WriteBatch is not { } name || connection.IsServer)
            return null;
        (BatchFile batch, FileStream script) = Create(name);
        using (script)
        {
            // compat.c: setup_protocol writes the script once the protocol is settled (write_batch_shell_file).
            if (options.BatchScript is { } text)
                script.Write(FileNameEncoding.Encode(text(connection.Protocol)));
        }
        batch.WriteHeader(StreamFlags(options), connection.Parameters);
        if (sending)
        {
            connection.Out.StartTee(batch.Data);
            batch._detach = connection.Out.StopTee;
        }
        else
        {
            connection.In.Tee = batch.Data;
            batch._detach = () => connection.In.Tee = null;
        }
        return batch;
    }

    /// <summary>The data stream after the header.</summary>
    public Stream Data => _stream;

    /// <summary>rsync options.c: MAX_BATCH_NAME_LEN (256 - the ".sh" suffix's room).</summary>
    public const int MaxNameLength = 256 - 4;

    /// <summary>
    /// Creates (truncates) FILE (0600) and FILE.sh (0700) as batch.c: open_batch_files does, through a walk that
    /// refuses a symlink owned by another user anywhere on the path (open_no_attacker_symlinks); a failure is exit 3
    /// for the script ("Batch file X.sh open error", RERR_FILESELECT) and 11 for the batch (RERR_FILEIO).
    /// </summary>
    public static (BatchFile Batch, FileStream Script) Create(string name)
    {
        const int flags = Interop.O_WRONLY | Interop.O_CREAT | Interop.O_TRUNC;
        SafeFileHandle script = OpenOrThrow(name + ".sh", flags, 0x1C0 /* 0700 */, RsyncErrorKind.FileSelection);
        SafeFileHandle batch;
        try
        {
            batch = OpenOrThrow(name, flags, 0x180 /* 0600 */, RsyncErrorKind.FileIo);
        }
        catch
        {
            script.Dispose();
            throw;
        }
        return (new BatchFile(new FileStream(batch, FileAccess.Write, 64 * 1024)), new FileStream(script, FileAccess.Write, 4096));
    }

    private static SafeFileHandle OpenOrThrow(string path, int flags, uint mode, RsyncErrorKind kind)
    {
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.Open(path, flags, mode);
        if (opened.Handle is { } handle)
            return handle;
        string reason = opened.UntrustedSymlink ? OwnerCheckedOpen.RefusalNote : System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(opened.Errno);
        throw new RsyncException(kind, $"Batch file \"{Path.GetFullPath(path)}\" open error: {reason} ({opened.Errno})");
    }

    /// <summary>
    /// rsync batch.c: write_stream_flags — bit i set when flag i of its flag_ptr table is on: -r, -o, -g, -l, -D
    /// (devices), -H, -c, xfer_dirs, -z, --iconv, -A, -X, --inplace, --append, --append-verify.
    /// </summary>
    public static int StreamFlags(TransferOptions o)
    {
        bool[] bits =
        [
            o.Recursive, o.Owner, o.Group, o.Links, o.Devices, o.HardLinks, o.AlwaysChecksum,
            o.Recursive || o.Dirs, o.Compress, false, o.Acls, false, o.Inplace, o.Append && !o.AppendVerify, o.AppendVerify,
        ];
        int flags = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i])
                flags |= 1 << i;
        }
        return flags;
    }

    /// <summary>The header: the stream flags (main.c writes them before connecting), then io.c: start_write_batch's part.</summary>
    public void WriteHeader(int streamFlags, SessionParameters parameters)
    {
        Span<byte> b = stackalloc byte[9];
        BinaryPrimitives.WriteInt32LittleEndian(b, streamFlags);
        _stream.Write(b[..4]);
        BinaryPrimitives.WriteInt32LittleEndian(b, parameters.Protocol);
        _stream.Write(b[..4]);
        if (parameters.Protocol >= 30)
        {
            var varint = new System.Buffers.ArrayBufferWriter<byte>(9);
            varint.WriteVarInt((int)parameters.Flags);
            _stream.Write(varint.WrittenSpan);
        }
        BinaryPrimitives.WriteInt32LittleEndian(b, parameters.ChecksumSeed);
        _stream.Write(b[..4]);
    }

    /// <summary>
    /// main.c: handle_stats on a client sender writing a batch — what a server sender sends its client: bytes read,
    /// bytes written, total size, and from protocol 29 the list's build and transfer times (varlong30, 3 bytes at least).
    /// </summary>
    public void WriteSenderStats(int protocol, long read, long written, long totalSize, long buildMs, long transferMs)
    {
        var w = new System.Buffers.ArrayBufferWriter<byte>(64);
        w.WriteVarLong30(read, 3, protocol);
        w.WriteVarLong30(written, 3, protocol);
        w.WriteVarLong30(totalSize, 3, protocol);
        if (protocol >= 29)
        {
            w.WriteVarLong30(buildMs, 3, protocol);
            w.WriteVarLong30(transferMs, 3, protocol);
        }
        _stream.Write(w.WrittenSpan);
    }

    /// <summary>Stops the copying (what a sender still buffers is sent, and copied, first) and closes the file.</summary>
    public void Dispose()
    {
        try
        {
            _detach?.Invoke();
        }
        finally
        {
            _detach = null;
            _stream.Dispose();
        }
    }
}
