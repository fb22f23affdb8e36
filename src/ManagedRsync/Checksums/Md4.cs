using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ManagedRsync.Checksums;

/// <summary>
/// MD4 (RFC 1320), which rsync still uses for daemon authentication of old peers and for block and file sums of
/// protocols before 30. The BCL has no MD4, so this is our own: span-based and allocation-free after construction.
/// </summary>
/// <remarks>
/// rsync's legacy variants (rsync lib/mdfour.c, checksum.c) differ only in the finalisation, so the internal
/// <see cref="GetHashAndReset(Span{byte}, Md4Finish)"/> overload takes <see cref="Md4Finish"/> flags for them.
/// </remarks>
public sealed class Md4
{
    /// <summary>Size of an MD4 digest in bytes.</summary>
    public const int HashSizeInBytes = 16;

    /// <summary>Size of the block MD4 compresses at a time.</summary>
    public const int BlockSizeInBytes = 64;

    private uint _a, _b, _c, _d;
    private ulong _length;              // total bytes appended since the last reset
    private readonly byte[] _pending = new byte[BlockSizeInBytes];
    private int _pendingCount;

    /// <summary>Creates a hasher in its initial state.</summary>
    public Md4() => Reset();

    /// <summary>Discards everything appended so far.</summary>
    public void Reset()
    {
        _a = 0x67452301;
        _b = 0xefcdab89;
        _c = 0x98badcfe;
        _d = 0x10325476;
        _length = 0;
        _pendingCount = 0;
    }

    /// <summary>Number of bytes appended since the last reset.</summary>
    internal ulong Length => _length;

    /// <summary>Feeds <paramref name="data"/> into the hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_pendingCount > 0)
        {
            int take = Math.Min(BlockSizeInBytes - _pendingCount, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < BlockSizeInBytes)
            {
                return;
            }
            Compress(_pending);
            _pendingCount = 0;
        }

        int whole = data.Length & ~(BlockSizeInBytes - 1);
        if (whole > 0)
        {
            CompressBlocks(data[..whole]);
            data = data[whole..];
        }
        if (!data.IsEmpty)
        {
            data.CopyTo(_pending);
            _pendingCount = data.Length;
        }
    }

    /// <summary>Writes the 16-byte digest to <paramref name="destination"/> and resets the hasher.</summary>
    public void GetHashAndReset(Span<byte> destination) => GetHashAndReset(destination, Md4Finish.Standard);

    /// <summary>
    /// Writes the digest finalised the way <paramref name="finish"/> says (rsync's legacy md4 forms) and resets.
    /// </summary>
    internal void GetHashAndReset(Span<byte> destination, Md4Finish finish)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException($"The destination must hold {HashSizeInBytes} bytes.", nameof(destination));
        }

        // rsync checksum.c (CSUM_MD4_BUSTED, CSUM_MD4_ARCHAIC; protocol < 27): the tail was only processed when
        // bytes were left over, so input whose length is a multiple of 64 (including empty input) got no padding
        // and no length block at all: the digest is the bare chaining state.
        bool skipTail = (finish & Md4Finish.SkipTailOnBlockBoundary) != 0 && _pendingCount == 0;
        if (!skipTail)
        {
            Span<byte> tail = stackalloc byte[2 * BlockSizeInBytes];
            tail.Clear();
            _pending.AsSpan(0, _pendingCount).CopyTo(tail);
            tail[_pendingCount] = 0x80;
            int tailLength = _pendingCount <= 55 ? BlockSizeInBytes : 2 * BlockSizeInBytes;
            ulong bits = _length << 3;
            BinaryPrimitives.WriteUInt32LittleEndian(tail[(tailLength - 8)..], (uint)bits);
            // rsync lib/mdfour.c: mdfour_tail: before protocol 27 only the bit count modulo 2^32 was included.
            if ((finish & Md4Finish.BitCountModulo32) == 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(tail[(tailLength - 4)..], (uint)(bits >> 32));
            }
            CompressBlocks(tail[..tailLength]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], _b);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], _c);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], _d);
        Reset();
    }

    /// <summary>Computes the MD4 of <paramref name="source"/> into <paramref name="destination"/> (16 bytes).</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var md4 = new Md4();
        md4.Append(source);
        md4.GetHashAndReset(destination);
    }

    /// <summary>Computes the MD4 of <paramref name="source"/> and returns it as a new array.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> source)
    {
        var digest = new byte[HashSizeInBytes];
        HashData(source, digest);
        return digest;
    }

    private void CompressBlocks(ReadOnlySpan<byte> blocks)
    {
        for (int i = 0; i < blocks.Length; i += BlockSizeInBytes)
        {
            Compress(blocks.Slice(i, BlockSizeInBytes));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint F(uint x, uint y, uint z) => (x & y) | (~x & z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint G(uint x, uint y, uint z) => (x & y) | (x & z) | (y & z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint H(uint x, uint y, uint z) => x ^ y ^ z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint R1(uint a, uint b, uint c, uint d, uint x, int s) => BitOperations.RotateLeft(a + F(b, c, d) + x, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint R2(uint a, uint b, uint c, uint d, uint x, int s) =>
        BitOperations.RotateLeft(a + G(b, c, d) + x + 0x5A827999u, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint R3(uint a, uint b, uint c, uint d, uint x, int s) =>
        BitOperations.RotateLeft(a + H(b, c, d) + x + 0x6ED9EBA1u, s);

    // RFC 1320 section 3.4: three rounds of sixteen operations over the sixteen little-endian words of a block.
    private void Compress(ReadOnlySpan<byte> block)
    {
        uint x0 = BinaryPrimitives.ReadUInt32LittleEndian(block);
        uint x1 = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
        uint x2 = BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
        uint x3 = BinaryPrimitives.ReadUInt32LittleEndian(block[12..]);
        uint x4 = BinaryPrimitives.ReadUInt32LittleEndian(block[16..]);
        uint x5 = BinaryPrimitives.ReadUInt32LittleEndian(block[20..]);
        uint x6 = BinaryPrimitives.ReadUInt32LittleEndian(block[24..]);
        uint x7 = BinaryPrimitives.ReadUInt32LittleEndian(block[28..]);
        uint x8 = BinaryPrimitives.ReadUInt32LittleEndian(block[32..]);
        uint x9 = BinaryPrimitives.ReadUInt32LittleEndian(block[36..]);
        uint x10 = BinaryPrimitives.ReadUInt32LittleEndian(block[40..]);
        uint x11 = BinaryPrimitives.ReadUInt32LittleEndian(block[44..]);
        uint x12 = BinaryPrimitives.ReadUInt32LittleEndian(block[48..]);
        uint x13 = BinaryPrimitives.ReadUInt32LittleEndian(block[52..]);
        uint x14 = BinaryPrimitives.ReadUInt32LittleEndian(block[56..]);
        uint x15 = BinaryPrimitives.ReadUInt32LittleEndian(block[60..]);

        uint a = _a, b = _b, c = _c, d = _d;

        a = R1(a, b, c, d, x0, 3); d = R1(d, a, b, c, x1, 7); c = R1(c, d, a, b, x2, 11); b = R1(b, c, d, a, x3, 19);
        a = R1(a, b, c, d, x4, 3); d = R1(d, a, b, c, x5, 7); c = R1(c, d, a, b, x6, 11); b = R1(b, c, d, a, x7, 19);
        a = R1(a, b, c, d, x8, 3); d = R1(d, a, b, c, x9, 7); c = R1(c, d, a, b, x10, 11); b = R1(b, c, d, a, x11, 19);
        a = R1(a, b, c, d, x12, 3); d = R1(d, a, b, c, x13, 7); c = R1(c, d, a, b, x14, 11); b = R1(b, c, d, a, x15, 19);

        a = R2(a, b, c, d, x0, 3); d = R2(d, a, b, c, x4, 5); c = R2(c, d, a, b, x8, 9); b = R2(b, c, d, a, x12, 13);
        a = R2(a, b, c, d, x1, 3); d = R2(d, a, b, c, x5, 5); c = R2(c, d, a, b, x9, 9); b = R2(b, c, d, a, x13, 13);
        a = R2(a, b, c, d, x2, 3); d = R2(d, a, b, c, x6, 5); c = R2(c, d, a, b, x10, 9); b = R2(b, c, d, a, x14, 13);
        a = R2(a, b, c, d, x3, 3); d = R2(d, a, b, c, x7, 5); c = R2(c, d, a, b, x11, 9); b = R2(b, c, d, a, x15, 13);

        a = R3(a, b, c, d, x0, 3); d = R3(d, a, b, c, x8, 9); c = R3(c, d, a, b, x4, 11); b = R3(b, c, d, a, x12, 15);
        a = R3(a, b, c, d, x2, 3); d = R3(d, a, b, c, x10, 9); c = R3(c, d, a, b, x6, 11); b = R3(b, c, d, a, x14, 15);
        a = R3(a, b, c, d, x1, 3); d = R3(d, a, b, c, x9, 9); c = R3(c, d, a, b, x5, 11); b = R3(b, c, d, a, x13, 15);
        a = R3(a, b, c, d, x3, 3); d = R3(d, a, b, c, x11, 9); c = R3(c, d, a, b, x7, 11); b = R3(b, c, d, a, x15, 15);

        _a += a;
        _b += b;
        _c += c;
        _d += d;
    }
}

/// <summary>How <see cref="Md4"/> finishes a digest: standard MD4, or one of rsync's legacy forms.</summary>
[Flags]
internal enum Md4Finish
{
    /// <summary>RFC 1320 (rsync CSUM_MD4 and CSUM_MD4_OLD, protocol 27 and later).</summary>
    Standard = 0,

    /// <summary>
    /// No padding or length block when the input ended on a 64-byte boundary (rsync checksum.c CSUM_MD4_BUSTED and
    /// CSUM_MD4_ARCHAIC, protocols before 27).
    /// </summary>
    SkipTailOnBlockBoundary = 1,

    /// <summary>Only the low 32 bits of the bit count go into the length block (rsync lib/mdfour.c, protocol &lt; 27).</summary>
    BitCountModulo32 = 2,

    /// <summary>What rsync computes for protocols 21-26 (CSUM_MD4_BUSTED) and before (CSUM_MD4_ARCHAIC).</summary>
    RsyncBeforeProtocol27 = SkipTailOnBlockBoundary | BitCountModulo32,
}
