using System.Net.Sockets;

namespace ManagedRsync.Daemon;

/// <summary>
/// A NetworkStream that acknowledges what it has received at once (Linux TCP_QUICKACK, tcp(7)) before each read.
/// Stock rsync daemons leave Nagle's algorithm on, and the rsync handshake is a ping-pong of small writes: the
/// daemon's second small write (the checksum seed after the checksum list, the final statistics after the last
/// file) waits for our ACK of its first, and Linux delays that ACK by up to 40 ms while we have nothing to send,
/// so every connection stalled twice for ~40 ms (seen with strace on both ends; `mrsync watch` opens one connection
/// per batch, so this was most of its event-to-replica latency). tcp(7): quickack mode is not permanent, hence the
/// option is set again before every read.
/// </summary>
internal sealed class QuickAckNetworkStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    private const int IpProtoTcp = 6, TcpQuickAck = 12;
    private static readonly byte[] On = BitConverter.GetBytes(1);
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
        return base.Read(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        QuickAck();
        return base.Read(buffer, offset, count);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        QuickAck();
        return base.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        QuickAck();
        return base.ReadAsync(buffer, offset, count, cancellationToken);
    }

    private void QuickAck()
    {
        if (_unsupported)
            return;
        try
        {
            Socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, On);
        }
        catch (SocketException)
        {
            _unsupported = true; // not Linux, or not TCP: plain reads
        }
        catch (ObjectDisposedException)
        {
            _unsupported = true;
        }
    }
}
