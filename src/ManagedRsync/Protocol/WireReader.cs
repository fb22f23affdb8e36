using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ManagedRsync.Protocol;

/// <summary>
/// Decodes rsync's wire primitives from a span (rsync io.c is the reference for every form). Each <c>TryRead</c>
/// returns false without consuming anything when the span ends before the value does, so a caller over a stream
/// can fetch more bytes and retry; a value that is malformed (not merely short) throws a protocol error.
/// </summary>
internal ref struct WireReader
{
    // rsync io.c: int_byte_extra, indexed by the first byte / 4: how many bytes follow it in a varint/varlong.
    private static ReadOnlySpan<byte> IntByteExtra =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6,
    ];

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Consumed => _position;

    public readonly ReadOnlySpan<byte> Remaining => _buffer[_position..];

    /// <summary>rsync io.c: read_byte.</summary>
    public bool TryReadByte(out byte value)
    {
        if (_position >= _buffer.Length)
        {
            value = 0;
            return false;
        }
        value = _buffer[_position++];
        return true;
    }

    /// <summary>rsync io.c: read_shortint, two bytes little-endian.</summary>
    public bool TryReadUInt16(out ushort value)
    {
        if (_buffer.Length - _position < 2)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_position..]);
        _position += 2;
        return true;
    }

    /// <summary>rsync io.c: read_int, four bytes little-endian, signed.</summary>
    public bool TryReadInt32(out int value)
    {
        if (_buffer.Length - _position < 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return true;
    }

    /// <summary>rsync io.c: read_longint: an int32, or 0xFFFFFFFF followed by an int64 (protocols &lt; 30).</summary>
    public bool TryReadLongInt(out long value)
    {
        value = 0;
        if (_buffer.Length - _position < 4)
            return false;
        int head = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_position..]);
        if (head != -1)
        {
            _position += 4;
            value = head;
            return true;
        }
        if (_buffer.Length - _position < 12)
            return false;
        value = BinaryPrimitives.ReadInt64LittleEndian(_buffer[(_position + 4)..]);
        _position += 12;
        return true;
    }

    /// <summary>
    /// rsync io.c: read_varint. The high bits of the first byte count the extra bytes that follow (little-endian);
    /// the remaining low bits of the first byte are the most significant byte.
    /// </summary>
    public bool TryReadVarInt(out int value)
    {
        value = 0;
        if (_position >= _buffer.Length)
            return false;
        byte first = _buffer[_position];
        int extra = IntByteExtra[first / 4];
        if (extra == 0)
        {
            _position++;
            value = first;
            return true;
        }
        if (extra > 4)
            throw RsyncException.Protocol("Overflow in varint from peer");
        if (_buffer.Length - _position < 1 + extra)
            return false;
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        _buffer.Slice(_position + 1, extra).CopyTo(b);
        if (extra < 4)
            b[extra] = (byte)(first & ((1 << (8 - extra)) - 1));
        value = BinaryPrimitives.ReadInt32LittleEndian(b);
        _position += 1 + extra;
        return true;
    }

    /// <summary>
    /// rsync io.c: read_varlong(min_bytes): <paramref name="minBytes"/> bytes always present (the first carries the
    /// extra-byte count and the top bits), then the extra bytes.
    /// </summary>
    public bool TryReadVarLong(int minBytes, out long value)
    {
        value = 0;
        if (_buffer.Length - _position < minBytes)
            return false;
        byte first = _buffer[_position];
        int extra = IntByteExtra[first / 4];
        if (minBytes + extra > 9)
            throw RsyncException.Protocol("Overflow in varlong from peer");
        if (_buffer.Length - _position < minBytes + extra)
            return false;
        Span<byte> b = stackalloc byte[9];
        b.Clear();
        _buffer.Slice(_position + 1, minBytes - 1 + extra).CopyTo(b);
        int topIndex = minBytes + extra - 1;
        if (topIndex < 8)
            b[topIndex] = extra > 0 ? (byte)(first & ((1 << (8 - extra)) - 1)) : first;
        value = BinaryPrimitives.ReadInt64LittleEndian(b);
        _position += minBytes + extra;
        return true;
    }

    /// <summary>Copies <paramref name="destination"/>.Length raw bytes.</summary>
    public bool TryReadBytes(Span<byte> destination)
    {
        if (_buffer.Length - _position < destination.Length)
            return false;
        _buffer.Slice(_position, destination.Length).CopyTo(destination);
        _position += destination.Length;
        return true;
    }

    /// <summary>Returns the next <paramref name="count"/> bytes without copying.</summary>
    public bool TryReadSpan(int count, out ReadOnlySpan<byte> value)
    {
        if (_buffer.Length - _position < count)
        {
            value = default;
            return false;
        }
        value = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;
}
