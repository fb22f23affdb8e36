using System.Buffers;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Protocol;

// Golden bytes below were captured from stock rsync 3.5.0 pushing to a stock daemon (protocol 32).
public class WirePrimitivesTests
{
    private static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return w.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0x1ff, new byte[] { 0x81, 0xff })]              // compat flags sent by a 3.5.0 daemon
    [InlineData(0x2001, new byte[] { 0xa0, 0x01 })]             // xflags: XMIT_MOD_NSEC | XMIT_TOP_DIR
    [InlineData(0x2efc69ee, new byte[] { 0xf0, 0xee, 0x69, 0xfc, 0x2e })] // mtime nanoseconds
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(5, new byte[] { 0x05 })]
    [InlineData(-1, new byte[] { 0xf0, 0xff, 0xff, 0xff, 0xff })]
    public void VarIntMatchesRsync(int value, byte[] wire)
    {
        Assert.Equal(wire, Encode(w => w.WriteVarInt(value)));
        var r = new WireReader(wire);
        Assert.True(r.TryReadVarInt(out int back));
        Assert.Equal(value, back);
        Assert.Equal(wire.Length, r.Consumed);
    }

    [Theory]
    [InlineData(4096L, 3, new byte[] { 0x00, 0x00, 0x10 })]          // directory size
    [InlineData(5L, 3, new byte[] { 0x00, 0x05, 0x00 })]             // symlink length
    [InlineData(0x6b07b7f6L, 4, new byte[] { 0x6b, 0xf6, 0xb7, 0x07 })] // mtime
    public void VarLongMatchesRsync(long value, int minBytes, byte[] wire)
    {
        Assert.Equal(wire, Encode(w => w.WriteVarLong(value, minBytes)));
        var r = new WireReader(wire);
        Assert.True(r.TryReadVarLong(minBytes, out long back));
        Assert.Equal(value, back);
    }

    [Fact]
    public void RoundTripsAcrossTheRange()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            int bits = rng.Next(0, 64);
            long v = (long)((ulong)rng.NextInt64() >> (63 - bits)) * (rng.Next(8) == 0 ? -1 : 1);
            int vi = (int)v;
            foreach (int min in new[] { 3, 4 })
            {
                byte[] b = Encode(w => w.WriteVarLong(v, min));
                var r = new WireReader(b);
                Assert.True(r.TryReadVarLong(min, out long back));
                Assert.Equal(v, back);
                Assert.Equal(b.Length, r.Consumed);
            }
            byte[] bi = Encode(w => w.WriteVarInt(vi));
            var ri = new WireReader(bi);
            Assert.True(ri.TryReadVarInt(out int backi));
            Assert.Equal(vi, backi);
            byte[] bl = Encode(w => w.WriteLongInt(v));
            var rl = new WireReader(bl);
            Assert.True(rl.TryReadLongInt(out long backl));
            Assert.Equal(v, backl);
        }
    }

    [Fact]
    public void ShortInputIsNotConsumed()
    {
        byte[] b = Encode(w => w.WriteVarLong(1L << 40, 3));
        var r = new WireReader(b.AsSpan(0, b.Length - 1));
        Assert.False(r.TryReadVarLong(3, out _));
        Assert.Equal(0, r.Consumed);
        var r2 = new WireReader(new byte[] { 0xff, 0xff, 0xff, 0xff });
        Assert.False(r2.TryReadLongInt(out _));
    }

    [Fact]
    public void OverlongVarIntIsAProtocolError()
    {
        var ex = Assert.Throws<RsyncException>(() =>
        {
            var r = new WireReader(new byte[] { 0xfc, 1, 2, 3, 4, 5, 6 });
            r.TryReadVarInt(out _);
        });
        Assert.Equal(RsyncExitCode.StreamIo, ex.ExitCode);
    }

    [Fact]
    public void VStringUsesTwoLengthBytesOver127()
    {
        byte[] shortOne = Encode(w => w.WriteVString("md5"u8));
        Assert.Equal(new byte[] { 3, (byte)'m', (byte)'d', (byte)'5' }, shortOne);
        byte[] longOne = Encode(w => w.WriteVString(new byte[300]));
        Assert.Equal(0x81, longOne[0]);
        Assert.Equal(300 - 256, longOne[1]);
        Assert.Equal(302, longOne.Length);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(29)]
    public void NdxRoundTrips(int protocol)
    {
        int[] seq = [0, 1, 2, 5, 300, 301, 70000, 3, Ndx.Done, Ndx.DelStats, 70001, Ndx.FlistEof, 100000000, 0];
        var writer = new NdxCodec(protocol);
        var w = new ArrayBufferWriter<byte>();
        foreach (int n in seq)
            writer.Write(w, n);
        var reader = new NdxCodec(protocol);
        var r = new WireReader(w.WrittenSpan);
        foreach (int n in seq)
        {
            Assert.True(reader.TryRead(ref r, out int back));
            Assert.Equal(n, back);
        }
        Assert.Equal(w.WrittenCount, r.Consumed);
    }

    [Fact]
    public void NdxMatchesRsyncBytes()
    {
        // rsync io.c: write_ndx starts from prev_positive = -1, so the first two indexes are one-byte diffs of 1.
        var w = new ArrayBufferWriter<byte>();
        var codec = new NdxCodec(32);
        codec.Write(w, 0);
        codec.Write(w, 1);
        codec.Write(w, Ndx.Done);
        codec.Write(w, 1000);
        Assert.Equal(new byte[] { 0x01, 0x01, 0x00, 0xfe, 0x03, 0xe7 }, w.WrittenSpan.ToArray());
    }
}
