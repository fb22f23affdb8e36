using System.Buffers.Binary;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Push;

public class SessionSetupTests
{
    [Theory]
    [InlineData("xxh128 xxh3 xxh64 md5 md4 sha1 none", "xxh128")]
    [InlineData("md4 md5", "md5")]
    [InlineData("none sha1 md4", "md4")]
    public void ChoosesOurBestOfThePeersList(string peer, string expected) =>
        Assert.Equal(expected, SessionSetup.Choose(peer, SessionSetup.Checksums, "checksum"));

    [Fact]
    public void NoCommonChecksumIsUnsupported()
    {
        var ex = Assert.Throws<RsyncException>(() => SessionSetup.Choose("sha256 none", SessionSetup.Checksums, "checksum"));
        Assert.Equal(RsyncExitCode.Unsupported, ex.ExitCode);
    }

    private sealed class Ignore : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
        {
        }
    }

    [Fact]
    public async Task ReadsWhatA350DaemonSends()
    {
        // The daemon's side of the setup, captured: compat flags 0x1FE (all but CF_INC_RECURSE), its checksum list, the seed.
        byte[] daemon = [0x81, 0xfe, 0x23, .. "xxh128 xxh3 xxh64 md5 md4 sha1 none"u8, 0x51, 0x87, 0x0f, 0x6b];
        var sent = new MemoryStream();
        await using var input = new MultiplexReader(new MemoryStream(daemon), new Ignore());
        var output = new MultiplexWriter(sent);
        SessionParameters p = await SessionSetup.RunAsync(input, output, 32, TransferOptions.Archive, weSend: true, default);
        Assert.Equal((CompatFlags)0x1FE, p.Flags);
        Assert.Equal("xxh128", p.Checksum);
        Assert.Equal("none", p.Compression);
        Assert.Equal(BinaryPrimitives.ReadInt32LittleEndian(daemon.AsSpan(daemon.Length - 4)), p.ChecksumSeed);
        Assert.True(p.SafeFlist && p.VarintFlistFlags && p.Id0Names);
        // Our checksum list went out as one vstring, byte for byte what the stock client sends.
        Assert.Equal([0x1e, .. "xxh128 xxh3 xxh64 md5 md4 sha1"u8], sent.ToArray());
    }

    [Fact]
    public async Task OversizedNegotiationStringIsRefused()
    {
        byte[] daemon = [0x81, 0xff, 0x8f, 0xff, 0, 0, 0];
        await using var input = new MultiplexReader(new MemoryStream(daemon), new Ignore());
        var ex = await Assert.ThrowsAsync<RsyncException>(() =>
            SessionSetup.RunAsync(input, new MultiplexWriter(new MemoryStream()), 32, TransferOptions.Archive, weSend: true, default));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, ex.Kind);
    }
}
