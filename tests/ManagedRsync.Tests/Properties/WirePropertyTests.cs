using System.Buffers;
using CsCheck;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Properties;

/// <summary>
/// The wire primitives over random values (CsCheck, shrinking to the smallest failing value): every varint and every
/// varlong(min_bytes) reads back as written, consuming exactly the bytes written, and an index stream of random
/// indexes decodes in order (rsync io.c: write_varint/read_varint, write_varlong/read_varlong, write_ndx/read_ndx).
/// </summary>
public sealed class WirePropertyTests
{
    [Fact]
    public void VarIntRoundTrips() =>
        Gen.Int.Sample(value =>
        {
            var w = new ArrayBufferWriter<byte>();
            w.WriteVarInt(value);
            var r = new WireReader(w.WrittenSpan);
            Assert.True(r.TryReadVarInt(out int back));
            Assert.Equal(value, back);
            Assert.Equal(0, r.Remaining.Length);
        }, iter: 20_000);

    // rsync sends varlongs with min_bytes 3 (sizes, never negative) and 4 (modification times, which may be).
    [Fact]
    public void VarLongRoundTripsAsRsyncUsesIt() =>
        Gen.Frequency((1, Gen.Long[0, long.MaxValue].Select(v => (v, 3))), (1, Gen.Long.Select(v => (v, 4))))
            .Sample(pair =>
            {
                var (value, minBytes) = pair;
                var w = new ArrayBufferWriter<byte>();
                w.WriteVarLong(value, minBytes);
                var r = new WireReader(w.WrittenSpan);
                Assert.True(r.TryReadVarLong(minBytes, out long back));
                Assert.Equal(value, back);
                Assert.Equal(0, r.Remaining.Length);
            }, iter: 20_000);

    [Fact]
    public void IndexStreamRoundTrips() =>
        Gen.Select(Gen.Int[28, 32], Gen.Frequency((4, Gen.Int[0, 300]), (2, Gen.Int[0, int.MaxValue]),
                (1, Gen.OneOf(Ndx.Done, Ndx.FlistEof, Ndx.DelStats, Ndx.FlistOffset)), (1, Gen.Int[-100_000, -1])).Array[1, 64])
            .Sample((protocol, indexes) =>
            {
                var w = new ArrayBufferWriter<byte>();
                var writer = new NdxCodec(protocol);
                foreach (int ndx in indexes)
                    writer.Write(w, ndx);
                var reader = new NdxCodec(protocol);
                var r = new WireReader(w.WrittenSpan);
                foreach (int ndx in indexes)
                {
                    Assert.True(reader.TryRead(ref r, out int back));
                    Assert.Equal(ndx, back);
                }
                Assert.Equal(0, r.Remaining.Length);
            }, iter: 5_000);
}
