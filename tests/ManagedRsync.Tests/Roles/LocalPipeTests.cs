using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Roles;

public sealed class LocalPipeTests
{
    [Fact]
    public void SynchronousReadsGetEveryByteInOrderThroughASmallRingThenTheEnd()
    {
        var (client, server) = LocalPipe.Create(capacity: 7);
        byte[] sent = new byte[10_000];
        new Random(3).NextBytes(sent);
        var writer = new Thread(() =>
        {
            for (int at = 0; at < sent.Length; at += 333)
                client.Write(sent.AsSpan(at, Math.Min(333, sent.Length - at)));
            client.Dispose();
        });
        writer.Start();

        var got = new MemoryStream();
        Span<byte> buffer = stackalloc byte[5];
        int n;
        while ((n = server.Read(buffer)) > 0)
            got.Write(buffer[..n]);

        Assert.True(writer.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal(sent, got.ToArray());
    }

    [Fact]
    public async Task AnAsynchronousReadWaitsForTheOtherEndsWrite()
    {
        var (client, server) = LocalPipe.Create(capacity: 16);
        var buffer = new byte[16];
        ValueTask<int> pending = server.ReadAsync(buffer);
        Assert.False(pending.IsCompleted);
        client.Write([1, 2, 3]);
        Assert.Equal(3, await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
    }
}
