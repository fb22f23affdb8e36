using System.Buffers;
using System.Text;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Writes file-list entries the way a protocol-32 sender with varint file-list flags does (rsync flist.c:
/// send_file_entry, write_end_of_flist), but with whatever names, lengths and link targets a test wants: no prefix
/// compression, every field sent in full. Which optional fields appear follows the options the client sent.
/// </summary>
internal sealed class HostileFileList(HostileSession session)
{
    private const int XmitTopDir = 1 << 0;
    private const int XmitExtendedFlags = 1 << 2;
    private const int XmitLongName = 1 << 6;
    private const int XmitHardLinked = 1 << 9;
    private const int XmitModNsec = 1 << 13;

    private readonly ArrayBufferWriter<byte> _bytes = new();

    public const int Directory = 0x4000 | 0x1ED;
    public const int Regular = 0x8000 | 0x1A4;
    public const int Symlink = 0xA000 | 0x1FF;

    public HostileFileList Add(string name, int mode, long size = 0, string? linkTarget = null) =>
        Add(Encoding.UTF8.GetBytes(name), mode, size, linkTarget is null ? null : Encoding.UTF8.GetBytes(linkTarget));

    /// <summary>
    /// Appends one entry. <paramref name="hardLinkTo"/> makes it a later hard link naming that file-list index
    /// (XMIT_HLINKED without XMIT_HLINK_FIRST: nothing else follows the index); <paramref name="nanoseconds"/> sends
    /// XMIT_MOD_NSEC and the value (rsync flist.c: send_file_entry, protocol 31+).
    /// </summary>
    public HostileFileList Add(byte[] name, int mode, long size, byte[]? linkTarget, int? declaredNameLength = null,
        int? declaredLinkLength = null, int? hardLinkTo = null, int? nanoseconds = null)
    {
        int xflags = name is [(byte)'.'] ? XmitTopDir : 0;
        int nameLength = declaredNameLength ?? name.Length;
        if (nameLength > 255)
            xflags |= XmitLongName;
        if (hardLinkTo is not null)
            xflags |= XmitHardLinked;
        if (nanoseconds is not null)
            xflags |= XmitModNsec;
        _bytes.WriteVarInt(xflags == 0 ? XmitExtendedFlags : xflags);
        if ((xflags & XmitLongName) != 0)
            _bytes.WriteVarInt(nameLength);
        else
            _bytes.WriteByte((byte)nameLength);
        _bytes.Write(name);
        if (hardLinkTo is int first)
        {
            _bytes.WriteVarInt(first);
            return this;
        }
        _bytes.WriteVarLong(size, 3);
        _bytes.WriteVarLong(1_700_000_000, 4);
        if (nanoseconds is int nsec)
            _bytes.WriteVarInt(nsec);
        _bytes.WriteInt32(mode);
        if (session.PreserveUid)
            _bytes.WriteVarInt(0);
        if (session.PreserveGid)
            _bytes.WriteVarInt(0);
        if (session.PreserveLinks && (mode & 0xF000) == 0xA000)
        {
            _bytes.WriteVarInt(declaredLinkLength ?? linkTarget!.Length);
            _bytes.Write(linkTarget);
        }
        return this;
    }

    /// <summary>Appends raw bytes, for entries no encoder would produce.</summary>
    public HostileFileList Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    /// <summary>
    /// The end marker and io_error (varint 0, varint io_error), then the uid list (empty, or the ids 1..N with empty
    /// names when <paramref name="userIds"/> is given) and the empty gid list (rsync uidlist.c: send_id_lists).
    /// </summary>
    public HostileFileList End(int ioError = 0, int userIds = 0)
    {
        _bytes.WriteVarInt(0);
        _bytes.WriteVarInt(ioError);
        for (int id = 1; id <= userIds; id++)
        {
            _bytes.WriteVarInt(id);
            _bytes.WriteByte(0);
        }
        if (session.PreserveUid && !session.NumericIds)
            _bytes.WriteVarInt(0);
        if (session.PreserveGid && !session.NumericIds)
            _bytes.WriteVarInt(0);
        return this;
    }

    /// <summary>
    /// The end of one part of an incremental list: the end marker and io_error only (flist.c: write_end_of_flist; with
    /// inc_recurse no id lists follow, the names travel in the entries).
    /// </summary>
    public HostileFileList EndPart(int ioError = 0)
    {
        _bytes.WriteVarInt(0);
        _bytes.WriteVarInt(ioError);
        return this;
    }

    /// <summary>An index as the sender writes it between parts (NDX_FLIST_OFFSET - dir, NDX_FLIST_EOF).</summary>
    public HostileFileList Index(NdxCodec codec, int ndx)
    {
        codec.Write(_bytes, ndx);
        return this;
    }

    public ReadOnlyMemory<byte> Bytes => _bytes.WrittenMemory;

    public Task SendAsync(CancellationToken ct) => session.SendDataAsync(_bytes.WrittenMemory, ct);
}
