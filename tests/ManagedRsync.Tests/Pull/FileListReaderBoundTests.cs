using System.Buffers;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// The file list's entry bound (<see cref="FileListReader.MaxEntries"/>, 50 million) reached directly: through a
/// daemon it would take gigabytes of entries, so the bound is lowered for the test and the same check is reached.
/// </summary>
public sealed class FileListReaderBoundTests
{
    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload) =>
            Assert.Fail($"unexpected message {code}");
    }

    // Regular files "a", "b", ... as a protocol-32 sender with varint flags writes them (rsync flist.c: send_file_entry).
    private static byte[] Entries(int count)
    {
        var w = new ArrayBufferWriter<byte>();
        for (int i = 0; i < count; i++)
        {
            w.WriteVarInt(1 << 2); // XMIT_EXTENDED_FLAGS alone: nothing shared with the previous entry
            w.WriteByte(1);
            w.WriteByte((byte)('a' + i));
            w.WriteVarLong(0, 3);
            w.WriteVarLong(1_700_000_000, 4);
            w.WriteInt32(0x8000 | 0x1A4);
        }
        w.WriteVarInt(0);
        w.WriteVarInt(0);
        return w.WrittenSpan.ToArray();
    }

    private static async Task<int> ReadAsync(byte[] wire, int maxEntries)
    {
        await using var input = new MultiplexReader(new MemoryStream(wire), new NoMessages());
        var session = new SessionParameters(32, CompatFlags.VarintFlistFlags, 0, "md5", "none");
        var reader = new FileListReader(input, session, new TransferOptions(), 16, maxEntries);
        return (await reader.ReadAsync(CancellationToken.None)).Count;
    }

    [Fact]
    public async Task ListAtTheBoundIsRead() => Assert.Equal(3, await ReadAsync(Entries(3), maxEntries: 3));

    [Fact]
    public async Task OneEntryPastTheBoundIsRefused()
    {
        var e = await Assert.ThrowsAsync<RsyncException>(() => ReadAsync(Entries(4), maxEntries: 3));
        Assert.Equal("file list has more than 3 entries", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }
}
