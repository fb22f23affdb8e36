using System.Buffers;
using System.Buffers.Binary;

namespace ManagedRsync.Protocol;

/// <summary>
/// Encodes rsync's wire primitives into an <see cref="IBufferWriter{T}"/>. Each method names the rsync io.c
/// function whose bytes it produces; all integers are little-endian.
/// </summary>
internal static class WireWriter
{
    /// <summary>rsync io.c: write_byte.</summary>
    public static void WriteByte(this IBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    /// <summary>rsync io.c: write_shortint: two bytes.</summary>
    public static void WriteUInt16(this IBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    /// <summary>rsync io.c: write_int: four bytes.</summary>
    public static void WriteInt32(this IBufferWriter<byte> w, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    /// <summary>rsync io.c: write_longint: int32 when 0 &lt;= x &lt;= int.MaxValue, else 0xFFFFFFFF then int64.</summary>
    public static void WriteLongInt(this IBufferWriter<byte> w, long value)
    {
        if (value is >= 0 and <= int.MaxValue)
        {
            w.WriteInt32((int)value);
            return;
        }
        Span<byte> s = w.GetSpan(12);
        BinaryPrimitives.WriteInt32LittleEndian(s, -1);
        BinaryPrimitives.WriteInt64LittleEndian(s[4..], value);
        w.Advance(12);
    }

    /// <summary>
    /// rsync io.c: write_varint: the little-endian bytes without leading zero bytes, preceded by a byte whose high
    /// bits count the bytes that follow and whose low bits hold the top byte when it fits there.
    /// </summary>
    public static void WriteVarInt(this IBufferWriter<byte> w, int value)
    {
        Span<byte> b = stackalloc byte[5];
        BinaryPrimitives.WriteInt32LittleEndian(b[1..], value);
        int cnt = 4;
        while (cnt > 1 && b[cnt] == 0)
            cnt--;
        int bit = 1 << (7 - cnt + 1);
        if (b[cnt] >= bit)
        {
            cnt++;
            b[0] = (byte)~(bit - 1);
        }
        else if (cnt > 1)
        {
            b[0] = (byte)(b[cnt] | ~(bit * 2 - 1));
        }
        else
        {
            b[0] = b[1];
        }
        b[..cnt].CopyTo(w.GetSpan(cnt));
        w.Advance(cnt);
    }

    /// <summary>rsync io.c: write_varlong(x, min_bytes): as write_varint with at least min_bytes bytes.</summary>
    public static void WriteVarLong(this IBufferWriter<byte> w, long value, int minBytes)
    {
        Span<byte> b = stackalloc byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(b[1..], value);
        int cnt = 8;
        while (cnt > minBytes && b[cnt] == 0)
            cnt--;
        int bit = 1 << (7 - cnt + minBytes);
        if (b[cnt] >= bit)
        {
            cnt++;
            b[0] = (byte)~(bit - 1);
        }
        else if (cnt > minBytes)
        {
            b[0] = (byte)(b[cnt] | ~(bit * 2 - 1));
        }
        else
        {
            b[0] = b[cnt];
        }
        b[..cnt].CopyTo(w.GetSpan(cnt));
        w.Advance(cnt);
    }

    /// <summary>rsync io.h: write_varint30: int32 before protocol 30, varint from 30.</summary>
    public static void WriteVarInt30(this IBufferWriter<byte> w, int value, int protocol)
    {
        if (protocol < 30)
            w.WriteInt32(value);
        else
            w.WriteVarInt(value);
    }

    /// <summary>rsync io.h: write_varlong30: longint before protocol 30, varlong from 30.</summary>
    public static void WriteVarLong30(this IBufferWriter<byte> w, long value, int minBytes, int protocol)
    {
        if (protocol < 30)
            w.WriteLongInt(value);
        else
            w.WriteVarLong(value, minBytes);
    }

    /// <summary>rsync io.c: write_vstring: a length of one byte (or two, high bit set, when over 0x7F), then the bytes.</summary>
    public static void WriteVString(this IBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        if (value.Length > 0x7FFF)
            throw new ArgumentException("vstring longer than 32767 bytes", nameof(value));
        if (value.Length > 0x7F)
            w.WriteByte((byte)(value.Length / 0x100 + 0x80));
        w.WriteByte((byte)value.Length);
        w.Write(value);
    }
}
