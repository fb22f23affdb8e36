using System.Net.Sockets;

namespace ManagedRsync.Daemon;

/// <summary>
/// A NetworkStream that acknowledges what it has received at once (Linux TCP_QUICKACK, tcp(7)) before each read.
/// Stock rsync daemons leave Nagle's algorithm on, and the rsync handshake is a ping-pong of small writes: the
/// daemon's second small write (the checksum seed after the checksum list, the final statistics after the last
/// file) waits for our ACK of its first, and Linux delays that ACK by up to 40 ms while we have nothing to send,
/// so every connection stalled twice for ~40 ms (seen with strace on both ends; `mrsync watch` opens one connection
/// per batch, so this was most of its event-to-replica latency). tcp(7): quickack mode is not permanent, hence the
/// option is set again before every read. `mrsync daemon` reads its connections through it too (protocol-notes §71):
/// stock's client leaves Nagle on as well, and its daemon handshake stalled twice on our delayed ACKs.
/// </summary>
/// <param name="socket">The connection.</param>
/// <param name="afterReads">
/// Set the option after each read as well: what the read took is then acknowledged at once even when the kernel went
/// back to delaying ACKs while the read waited (we wrote meanwhile: a sending daemon's requests from a stock client,
/// each batch of them held by Nagle until we acknowledged the one before).
/// </param>
internal sealed class QuickAckNetworkStream(Socket socket, bool afterReads = false) : NetworkStream(socket, ownsSocket: true)
{
    private bool _unsupported;

    /// <summary>Data or an end of stream is waiting to be read (poll(2) POLLIN without blocking).</summary>
    public bool HasInput
    {
        get
        {
            try
            {
                return Socket.Poll(0, SelectMode.SelectRead);
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
            catch (SocketException)
            {
                return true;
            }
        }
    }

    public override int Read(Span<byte> buffer)
    {
        QuickAck();
        // NetworkStream.Read(Span) of a derived type goes through Stream's, which rents an array and calls the array
        // overload below: a second setsockopt and a copy per read (the pulling client's reader thread reads spans).
        // The socket is read as NetworkStream reads it, its failure wrapped the same way.
        int n = Socket.Receive(buffer, SocketFlags.None, out SocketError error);
        if (error != SocketError.Success)
            throw new IOException($"Unable to read data from the transport connection: {new SocketException((int)error).Message}.",
                new SocketException((int)error));
        Acknowledged();
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        QuickAck();
        int n = base.Read(buffer, offset, count);
        Acknowledged();
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        QuickAck();
        ValueTask<int> read = base.ReadAsync(buffer, cancellationToken);
        if (!afterReads || read.IsCompleted)
        {
            Acknowledged();
            return read;
        }
        return AcknowledgedAsync(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> AcknowledgedAsync(ValueTask<int> read)
    {
        int n = await read.ConfigureAwait(false);
        QuickAck();
        return n;
    }

    private void Acknowledged()
    {
        if (afterReads)
            QuickAck();
    }

    private void QuickAck()
    {
        if (!_unsupported && !TcpQuickAck.TryArm(Socket))
            _unsupported = true; // not Linux, or not TCP: plain reads
    }
}

/// <summary>
/// Linux TCP_QUICKACK (tcp(7)): what arrives next is acknowledged at once instead of after the delayed-ACK timer (up to
/// 40 ms), so that a peer whose small writes wait under Nagle's algorithm for our ACK is not held. The mode lapses
/// (the kernel goes back to delaying ACKs once we answer quickly: "pingpong" mode), so it is set before every read.
/// </summary>
public static class TcpQuickAck
{
    private const int IpProtoTcp = 6, TcpQuickAckOption = 12;
    private static readonly byte[] On = BitConverter.GetBytes(1);

    /// <summary>Sets TCP_QUICKACK on <paramref name="socket"/>; false when it cannot (not Linux, not TCP, closed).</summary>
    public static bool TryArm(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpQuickAckOption, On);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
