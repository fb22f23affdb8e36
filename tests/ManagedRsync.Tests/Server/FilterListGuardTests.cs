using System.Buffers.Binary;
using ManagedRsync.Session;
using ManagedRsync.Tests.Support;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// The server's read of the client's filter list (rsync exclude.c: recv_filter_list): a rule longer than MAXPATHLEN
/// (or a negative length), and more rules than any real client sends, each end the session with the guard's own
/// message and exit 12. The table of every guard and the test that reaches it is protocol-notes.md §26.
/// </summary>
public sealed class FilterListGuardTests
{
    private static async Task<RsyncException> ReadAsync(byte[] clientSends)
    {
        (Stream serverEnd, Stream clientEnd) = LocalPipe.Create();
        await using var _ = clientEnd;
        await using var connection = new Connection(serverEnd, isServer: true, new RecordingLog());
        Task writing = Task.Run(async () =>
        {
            try
            {
                await clientEnd.WriteAsync(clientSends);
                await clientEnd.FlushAsync();
            }
            catch (IOException)
            {
                // The server stopped reading at the guard.
            }
        });
        var e = await Assert.ThrowsAsync<RsyncException>(() => connection.ReadFilterListAsync(default).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        return e;
    }

    private static byte[] Int(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task ARuleOfAnImpossibleLength(int length) =>
        Assert.Equal($"filter rule of {length} bytes (the limit is 4095)", (await ReadAsync(Int(length))).Message);

    [Fact]
    public async Task MoreRulesThanTheLimit()
    {
        var stream = new MemoryStream();
        for (int i = 0; i <= Connection.MaxFilterRules; i++)
        {
            stream.Write(Int(1));
            stream.WriteByte((byte)'x');
        }
        Assert.Equal($"more than {Connection.MaxFilterRules} filter rules", (await ReadAsync(stream.ToArray())).Message);
    }
}
