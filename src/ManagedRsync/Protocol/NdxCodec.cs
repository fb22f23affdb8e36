using System.Buffers;

namespace ManagedRsync.Protocol;

/// <summary>
/// File-list index encoding (rsync io.c: write_ndx / read_ndx). Before protocol 30 an index is a plain int32;
/// from 30 it is a difference to the previous index of the same sign: 1-253 in one byte, 0xFE + two bytes
/// (big-endian) up to 32767, or 0xFE + four bytes with the high bit set; negatives are prefixed by 0xFF and
/// NDX_DONE is the single byte 0. Each direction keeps its own previous values.
/// </summary>
internal sealed class NdxCodec(int protocol)
{
    private int _prevPositive = -1;
    private int _prevNegative = 1;

    public void Write(IBufferWriter<byte> w, int ndx)
    {
        if (protocol < 30)
        {
            w.WriteInt32(ndx);
            return;
        }
        int diff;
        if (ndx >= 0)
        {
            diff = ndx - _prevPositive;
            _prevPositive = ndx;
        }
        else if (ndx == Ndx.Done)
        {
            w.WriteByte(0);
            return;
        }
        else
        {
            w.WriteByte(0xFF);
            ndx = -ndx;
            diff = ndx - _prevNegative;
            _prevNegative = ndx;
        }

        if (diff is > 0 and < 0xFE)
        {
            w.WriteByte((byte)diff);
        }
        else if (diff < 0 || diff > 0x7FFF)
        {
            Span<byte> b = w.GetSpan(5);
            b[0] = 0xFE;
            b[1] = (byte)((ndx >> 24) | 0x80);
            b[2] = (byte)ndx;
            b[3] = (byte)(ndx >> 8);
            b[4] = (byte)(ndx >> 16);
            w.Advance(5);
        }
        else
        {
            Span<byte> b = w.GetSpan(3);
            b[0] = 0xFE;
            b[1] = (byte)(diff >> 8);
            b[2] = (byte)diff;
            w.Advance(3);
        }
    }

    /// <summary>Decodes one index; false when <paramref name="reader"/> ends first (nothing consumed then).</summary>
    public bool TryRead(ref WireReader reader, out int ndx)
    {
        ndx = 0;
        if (protocol < 30)
            return reader.TryReadInt32(out ndx);

        ReadOnlySpan<byte> s = reader.Remaining;
        if (s.Length < 1)
            return false;
        int pos = 0;
        bool negative = false;
        byte b0 = s[pos++];
        if (b0 == 0)
        {
            reader.Advance(1);
            ndx = Ndx.Done;
            return true;
        }
        if (b0 == 0xFF)
        {
            if (s.Length < 2)
                return false;
            negative = true;
            b0 = s[pos++];
        }
        uint num;
        ref int prev = ref negative ? ref _prevNegative : ref _prevPositive;
        if (b0 == 0xFE)
        {
            if (s.Length < pos + 2)
                return false;
            if ((s[pos] & 0x80) != 0)
            {
                if (s.Length < pos + 4)
                    return false;
                num = (uint)(s[pos + 1] | (s[pos + 2] << 8) | (s[pos + 3] << 16) | ((s[pos] & 0x7F) << 24));
                pos += 4;
            }
            else
            {
                num = (uint)((s[pos] << 8) + s[pos + 1]) + (uint)prev;
                pos += 2;
            }
        }
        else
        {
            num = b0 + (uint)prev;
        }
        // rsync io.c: read_ndx rejects an index that overflows a signed int32.
        if (num > int.MaxValue)
            throw RsyncException.Protocol($"Invalid file index from peer: {num}");
        prev = (int)num;
        ndx = negative ? -(int)num : (int)num;
        reader.Advance(pos);
        return true;
    }
}
