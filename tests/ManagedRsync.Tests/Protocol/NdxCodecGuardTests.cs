using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Protocol;

/// <summary>
/// The index decoder's own overflow guard (rsync io.c: read_ndx). A pull cannot reach it through a daemon: the
/// largest index the four-byte form can carry is int.MaxValue, which the receiver refuses as out of range before a
/// two-byte difference could be added to it; so the decoder is fed the two in a row directly.
/// </summary>
public sealed class NdxCodecGuardTests
{
    [Fact]
    public void DifferenceThatOverflowsAnInt32IsRefused()
    {
        var codec = new NdxCodec(32);
        var reader = new WireReader([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x05]);
        Assert.True(codec.TryRead(ref reader, out int first));
        Assert.Equal(int.MaxValue, first);
        RsyncException? e = null;
        try
        {
            codec.TryRead(ref reader, out _);
        }
        catch (RsyncException caught)
        {
            e = caught;
        }
        Assert.NotNull(e);
        Assert.Equal($"Invalid file index from peer: {(uint)int.MaxValue + 5}", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }
}
