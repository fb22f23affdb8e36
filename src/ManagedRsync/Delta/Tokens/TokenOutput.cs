using System.Buffers.Binary;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// Collects an encoder's bytes and hands them to the session stream in large writes. The encoder flushes it at the
/// end of every file so that whatever the caller writes after the token stream (the whole-file sum) stays in order.
/// </summary>
internal sealed class TokenOutput(Stream stream)
{
    private const int Capacity = 64 * 1024;
    private readonly byte[] _buffer = new byte[Capacity];
    private int _count;

    public void WriteByte(byte value)
    {
        if (_count == Capacity)
            Flush();
        _buffer[_count++] = value;
    }

    /// <summary>rsync io.c: write_int, a little-endian int32.</summary>
    public void WriteInt32(int value)
    {
        if (Capacity - _count < 4)
            Flush();
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_count), value);
        _count += 4;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length > Capacity - _count)
        {
            Flush();
            if (data.Length >= Capacity)
            {
                stream.Write(data);
                return;
            }
        }
        data.CopyTo(_buffer.AsSpan(_count));
        _count += data.Length;
    }

    /// <summary>One DEFLATED_DATA chunk: flag with the high 6 bits of the length, the low byte, the bytes (token.c).</summary>
    public void WriteDataChunk(ReadOnlySpan<byte> compressed)
    {
        System.Diagnostics.Debug.Assert(compressed.Length is > 0 and <= TokenFraming.MaxDataCount);
        WriteByte((byte)(TokenFraming.DeflatedData + (compressed.Length >> 8)));
        WriteByte((byte)compressed.Length);
        Write(compressed);
    }

    public void Flush()
    {
        if (_count == 0)
            return;
        stream.Write(_buffer, 0, _count);
        _count = 0;
    }
}
