using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// A peer that leaves Nagle's algorithm on (stock rsync's client, and its daemon) sends its second small write only once
/// its first is acknowledged, and Linux delays that ACK (TCP_DELACK_MIN, 40 ms) once the connection has gone back and
/// forth ("pingpong" mode): a stock client's arguments and its checksum choice waited so on `mrsync daemon`, two stalls
/// per connection. Read through <see cref="QuickAckNetworkStream"/> (TCP_QUICKACK before each read), the first write
/// is acknowledged when it is read and the second follows at once (protocol-notes §71).
/// </summary>
public sealed class QuickAckTests
{
    // Below the kernel's smallest delayed-ACK time: a held write cannot arrive sooner.
    private const double DelayedAckMs = 40;

    [Fact]
    public async Task A_second_small_write_is_not_held_for_a_delayed_ack()
    {
        // The plain stream shows the stall this guards against (so the test means something on this kernel); the best
        // of a few tries is taken, so that a loaded machine's scheduling delays do not decide it.
        double plain = await FastestAsync(quickAck: false, tries: 2);
        double quick = await FastestAsync(quickAck: true, tries: 5);
        Assert.True(plain >= DelayedAckMs * 0.9, $"without TCP_QUICKACK the held write came after {plain:F1} ms: no delayed ACK to avoid here?");
        Assert.True(quick < DelayedAckMs * 0.75, $"with TCP_QUICKACK the held write still came after {quick:F1} ms");
    }

    [Fact]
    public void Arming_a_tcp_socket_succeeds_and_a_non_tcp_one_is_declined()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.True(TcpQuickAck.TryArm(tcp));
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Assert.False(TcpQuickAck.TryArm(unix));
    }

    private static async Task<double> FastestAsync(bool quickAck, int tries)
    {
        double best = double.MaxValue;
        for (int i = 0; i < tries && best >= DelayedAckMs * 0.75; i++)
            best = Math.Min(best, await HeldWriteAsync(quickAck));
        return best;
    }

    // Milliseconds from a Nagled client's two 1-byte writes to the server's having both.
    private static async Task<double> HeldWriteAsync(bool quickAck)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = false };
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket accepted = await listener.AcceptAsync();
        await using Stream server = quickAck ? new QuickAckNetworkStream(accepted) : new NetworkStream(accepted, ownsSocket: true);
        byte[] one = [1];
        byte[] back = new byte[16];
        // A few exchanges answered at once, as a daemon's handshake goes: the server's side delays its ACKs from here on.
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync(one);
            await ReadAsync(server, 1);
            await server.WriteAsync(one);
            await client.ReceiveAsync(back);
        }
        var clock = Stopwatch.StartNew();
        await client.SendAsync(one);
        await client.SendAsync(one);
        await ReadAsync(server, 2);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task ReadAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(got));
            Assert.True(n > 0, "the connection ended");
            got += n;
        }
    }
}
