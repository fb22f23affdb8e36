using System.Buffers.Binary;

namespace ManagedRsync.Delta;

/// <summary>
/// The header in front of a file's block sums (rsync io.c: write_sum_head / read_sum_head): how many blocks, their
/// length, how many bytes of each strong sum are sent, and the length of the short last block (0: none).
/// </summary>
public readonly record struct SumHeader(int Count, int BlockLength, int StrongLength, int Remainder)
{
    /// <summary>rsync MAX_BLOCK_SIZE (rsync.h): the largest block from protocol 30.</summary>
    public const int MaxBlockLength = 1 << 17;

    /// <summary>rsync OLD_MAX_BLOCK_SIZE (rsync.h): the largest block before protocol 30.</summary>
    public const int OldMaxBlockLength = 1 << 29;

    /// <summary>The largest block length a peer may announce at <paramref name="protocol"/>.</summary>
    public static int MaxBlockLengthFor(int protocol) => protocol < 30 ? OldMaxBlockLength : MaxBlockLength;

    /// <summary>Length of a block by index: every block is <see cref="BlockLength"/> except a short last one.</summary>
    public int LengthOf(int blockIndex) =>
        blockIndex == Count - 1 && Remainder != 0 ? Remainder : BlockLength;

    /// <summary>Length of the basis file the header describes.</summary>
    public long FileLength => Count == 0 ? 0 : (long)(Count - 1) * BlockLength + LengthOf(Count - 1);

    /// <summary>Bytes the header takes on the wire: s2length is only sent from protocol 27.</summary>
    public static int WireSize(int protocol) => protocol >= 27 ? 16 : 12;

    /// <summary>Writes the header as rsync does (four or three little-endian int32).</summary>
    public int Write(Span<byte> destination, int protocol)
    {
        int i = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[i..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(i += 4)..], BlockLength);
        if (protocol >= 27)
            BinaryPrimitives.WriteInt32LittleEndian(destination[(i += 4)..], StrongLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(i += 4)..], Remainder);
        return i + 4;
    }

    /// <summary>
    /// Reads and validates a peer's header. Before protocol 27 the strong length is not sent: pass the session's
    /// <paramref name="impliedStrongLength"/> (rsync csum_length: 2, or 16 in the redo pass).
    /// </summary>
    public static SumHeader Read(ReadOnlySpan<byte> source, int protocol, int digestLength, int impliedStrongLength = 2)
    {
        if (source.Length < WireSize(protocol))
            throw RsyncException.Protocol($"Truncated sum header: {source.Length} bytes");
        int count = BinaryPrimitives.ReadInt32LittleEndian(source);
        int blength = BinaryPrimitives.ReadInt32LittleEndian(source[4..]);
        int s2length = protocol >= 27 ? BinaryPrimitives.ReadInt32LittleEndian(source[8..]) : impliedStrongLength;
        int remainder = BinaryPrimitives.ReadInt32LittleEndian(source[(protocol >= 27 ? 12 : 8)..]);
        var header = new SumHeader(count, blength, s2length, remainder);
        header.Validate(protocol, digestLength);
        return header;
    }

    /// <summary>
    /// Throws a protocol violation unless every field is within what rsync itself accepts (rsync io.c: read_sum_head):
    /// count &gt;= 0, 0 &lt;= blength &lt;= MAX_BLOCK_SIZE for the protocol, blength &gt; 0 when there are blocks,
    /// 0 &lt;= s2length &lt;= the digest length, 0 &lt;= remainder &lt;= blength. We also require remainder &lt; blength,
    /// which every rsync generator satisfies (remainder = len % blength), and a describable file length.
    /// </summary>
    public void Validate(int protocol, int digestLength)
    {
        if (Count < 0)
            throw RsyncException.Protocol($"Invalid checksum count {Count}");
        if (BlockLength < 0 || BlockLength > MaxBlockLengthFor(protocol))
            throw RsyncException.Protocol($"Invalid block length {BlockLength}");
        if (Count > 0 && BlockLength == 0)
            throw RsyncException.Protocol("Invalid zero block length");
        if (StrongLength < 0 || StrongLength > digestLength)
            throw RsyncException.Protocol($"Invalid checksum length {StrongLength} (digest has {digestLength})");
        if (Remainder < 0 || Remainder > BlockLength || (Remainder == BlockLength && Remainder != 0))
            throw RsyncException.Protocol($"Invalid remainder length {Remainder} for block length {BlockLength}");
        // count * blength needs at most 31 + 29 bits: it cannot overflow a long, so FileLength is always exact.
    }
}
