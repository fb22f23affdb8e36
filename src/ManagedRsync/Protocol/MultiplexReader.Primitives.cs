namespace ManagedRsync.Protocol;

// Typed reads over the demultiplexed data: decode from the buffer when it already holds the value (the common,
// synchronous case) and wait for more bytes only when it does not.
internal sealed partial class MultiplexReader
{
    private delegate bool TryDecode<T>(ref WireReader reader, out T value);

    private ValueTask<T> Read<T>(TryDecode<T> decode, CancellationToken ct)
    {
        var reader = new WireReader(Buffered);
        if (decode(ref reader, out T value))
        {
            _start += reader.Consumed;
            return new ValueTask<T>(value);
        }
        return ReadSlow(decode, ct);
    }

    private async ValueTask<T> ReadSlow<T>(TryDecode<T> decode, CancellationToken ct)
    {
        while (true)
        {
            await FillAsync(_end - _start + 1, ct).ConfigureAwait(false);
            if (TryDecodeBuffered(decode, out T value))
                return value;
        }
    }

    private bool TryDecodeBuffered<T>(TryDecode<T> decode, out T value)
    {
        var reader = new WireReader(Buffered);
        if (!decode(ref reader, out value))
            return false;
        _start += reader.Consumed;
        return true;
    }

    private static readonly TryDecode<byte> s_byte = static (ref WireReader r, out byte v) => r.TryReadByte(out v);
    private static readonly TryDecode<ushort> s_uint16 = static (ref WireReader r, out ushort v) => r.TryReadUInt16(out v);
    private static readonly TryDecode<int> s_int32 = static (ref WireReader r, out int v) => r.TryReadInt32(out v);
    private static readonly TryDecode<int> s_varint = static (ref WireReader r, out int v) => r.TryReadVarInt(out v);
    private static readonly TryDecode<long> s_longint = static (ref WireReader r, out long v) => r.TryReadLongInt(out v);
    private static readonly TryDecode<long> s_varlong3 = static (ref WireReader r, out long v) => r.TryReadVarLong(3, out v);
    private static readonly TryDecode<long> s_varlong4 = static (ref WireReader r, out long v) => r.TryReadVarLong(4, out v);

    /// <summary>rsync io.c: read_byte.</summary>
    public ValueTask<byte> ReadByteAsync(CancellationToken ct) => Read(s_byte, ct);

    /// <summary>rsync io.c: read_shortint.</summary>
    public ValueTask<ushort> ReadUInt16Async(CancellationToken ct) => Read(s_uint16, ct);

    /// <summary>rsync io.c: read_int.</summary>
    public ValueTask<int> ReadInt32Async(CancellationToken ct) => Read(s_int32, ct);

    /// <summary>rsync io.c: read_varint.</summary>
    public ValueTask<int> ReadVarIntAsync(CancellationToken ct) => Read(s_varint, ct);

    /// <summary>rsync io.h: read_varint30.</summary>
    public ValueTask<int> ReadVarInt30Async(int protocol, CancellationToken ct) =>
        protocol < 30 ? Read(s_int32, ct) : Read(s_varint, ct);

    /// <summary>rsync io.h: read_varlong30 with min_bytes 3 (sizes) or 4 (times); longint before protocol 30.</summary>
    public ValueTask<long> ReadVarLong30Async(int minBytes, int protocol, CancellationToken ct) =>
        protocol < 30 ? Read(s_longint, ct) : ReadVarLongAsync(minBytes, ct);

    /// <summary>rsync io.c: read_varlong.</summary>
    public ValueTask<long> ReadVarLongAsync(int minBytes, CancellationToken ct) => minBytes switch
    {
        3 => Read(s_varlong3, ct),
        4 => Read(s_varlong4, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(minBytes)),
    };

    /// <summary>rsync io.c: read_ndx, with the per-direction state in <paramref name="codec"/>.</summary>
    public ValueTask<int> ReadNdxAsync(NdxCodec codec, CancellationToken ct) =>
        Read((ref WireReader r, out int v) => codec.TryRead(ref r, out v), ct);

    /// <summary>Fills <paramref name="destination"/> completely.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
    {
        while (!destination.IsEmpty)
        {
            if (_end == _start)
                await FillAsync(1, ct).ConfigureAwait(false);
            int n = Math.Min(destination.Length, _end - _start);
            Buffered[..n].CopyTo(destination.Span);
            _start += n;
            destination = destination[n..];
        }
    }
}
