using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.DaemonServer;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// A scripted client that pushes into the in-process daemon the way upstream's raw sender does (rsync testsuite:
/// rsync_proto.py, DaemonSender): protocol 30 with byte file-list flags (no 'v' capability), so after the server
/// arguments the daemon sends only its compat flags and checksum seed, and from then on everything the client sends
/// is MSG_DATA frames of file-list entries, indexes and end markers that no real sender would send.
/// </summary>
internal sealed class HostilePushClient : IAsyncDisposable
{
    private const int XmitTopDir = 1 << 0;
    private const int XmitSameUid = 1 << 3;
    private const int XmitSameGid = 1 << 4;
    private const int XmitHardLinked = 1 << 9;
    private const int XmitHardLinkFirst = 1 << 12;
    private const int XmitExtendedFlags = 1 << 2;

    /// <summary>rsync flist.c: NDX_FLIST_OFFSET.</summary>
    public const int FlistOffset = -101;

    public const int Directory = 0x4000 | 0x1ED;
    public const int Regular = 0x8000 | 0x1A4;

    private readonly TcpListener _listener;
    private readonly TcpClient _client;
    private readonly TcpClient _served;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly NdxCodec _ndx = new(30);
    private readonly ArrayBufferWriter<byte> _data = new();

    private HostilePushClient(TcpListener listener, TcpClient client, TcpClient served, Task<RsyncExitCode> daemon)
    {
        _listener = listener;
        _client = client;
        _served = served;
        _stream = client.GetStream();
        Daemon = daemon;
    }

    /// <summary>The daemon's exit code for this connection.</summary>
    public Task<RsyncExitCode> Daemon { get; }

    /// <summary>Serves one connection and runs the handshake up to the file list (module "m", the given arguments).</summary>
    public static async Task<HostilePushClient> ConnectAsync(DaemonOptions options, params string[] args)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        TcpClient served = await listener.AcceptTcpClientAsync();
        var session = new HostilePushClient(listener, client, served,
            RsyncDaemon.ServeAsync(served.GetStream(), served.Client.RemoteEndPoint, options, CancellationToken.None));
        await session.HandshakeAsync(args);
        return session;
    }

    private async Task HandshakeAsync(string[] args)
    {
        await ReadLineAsync(); // the greeting
        await _stream.WriteAsync("@RSYNCD: 30.0\nm\n"u8.ToArray(), _stop.Token);
        while (await ReadLineAsync() is var line && line != "@RSYNCD: OK")
        {
            if (line.StartsWith("@ERROR", StringComparison.Ordinal))
                throw new InvalidDataException(line);
        }
        var argv = new StringBuilder();
        foreach (string arg in args)
            argv.Append(arg).Append('\0');
        argv.Append('\0');
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(argv.ToString()), _stop.Token);
        // compat.c: setup_protocol — the compat flags (io.c: read_varint: the first byte's leading one bits count the
        // low-order bytes that follow, its remaining bits are the high-order ones) and the seed.
        int first = await ReadByteAsync();
        int extra = 0;
        while (extra < 4 && (first & (0x80 >> extra)) != 0)
            extra++;
        int compat = 0;
        for (int i = 0; i < extra; i++)
            compat |= await ReadByteAsync() << (8 * i);
        CompatFlags = compat | ((first & ((0x80 >> extra) - 1)) << (8 * extra));
        for (int i = 0; i < 4; i++)
            await ReadByteAsync();
    }

    /// <summary>The compat flags the daemon sent (CF_INC_RECURSE = 1).</summary>
    public int CompatFlags { get; private set; }

    /// <summary>
    /// One entry as rsync_proto.py's FileEntry encodes it (flist.c: send_file_entry at protocol 30 with byte flags, no
    /// prefix compression, same uid and gid): flags, name, size, mtime, mode; with <paramref name="hardLinkTo"/> a
    /// later hard link naming that index (XMIT_HLINKED without XMIT_HLINK_FIRST), abbreviated (nothing after the
    /// index, as for a first in the same list) with <paramref name="abbreviated"/>; with <paramref name="hardLinkFirst"/>
    /// the first of a group (XMIT_HLINKED | XMIT_HLINK_FIRST).
    /// </summary>
    public HostilePushClient Entry(string name, int mode, long size = 0, bool topDir = false, int? hardLinkTo = null,
        bool abbreviated = false, bool hardLinkFirst = false)
    {
        int xflags = XmitSameUid | XmitSameGid | (topDir ? XmitTopDir : 0) | (hardLinkTo is null ? 0 : XmitHardLinked)
            | (hardLinkFirst ? XmitHardLinked | XmitHardLinkFirst : 0);
        if ((xflags & 0xFF00) != 0)
        {
            xflags |= XmitExtendedFlags;
            Span<byte> two = _data.GetSpan(2);
            BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)xflags);
            _data.Advance(2);
        }
        else
        {
            _data.Write([(byte)xflags]);
        }
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        _data.Write([(byte)bytes.Length]);
        _data.Write(bytes);
        if (hardLinkTo is int first)
        {
            _data.WriteVarInt(first);
            if (abbreviated)
                return this;
        }
        _data.WriteVarLong(size, 3);
        _data.WriteVarLong(1_700_000_000, 4);
        _data.WriteInt32(mode);
        return this;
    }

    /// <summary>The end of a list in byte-flags mode: one zero flag byte (flist.c: write_end_of_flist).</summary>
    public HostilePushClient End()
    {
        _data.Write([(byte)0]);
        return this;
    }

    /// <summary>An index (io.c: write_ndx): a transfer index, NDX_DONE, or NDX_FLIST_OFFSET - dir.</summary>
    public HostilePushClient Index(int ndx)
    {
        _ndx.Write(_data, ndx);
        return this;
    }

    /// <summary>An index and its item flags (rsync.c: write_ndx_and_attrs).</summary>
    public HostilePushClient Transfer(int ndx, ushort iflags = 0)
    {
        Index(ndx);
        Span<byte> two = _data.GetSpan(2);
        BinaryPrimitives.WriteUInt16LittleEndian(two, iflags);
        _data.Advance(2);
        return this;
    }

    /// <summary>Sends what was written as one MSG_DATA frame.</summary>
    public async Task SendAsync()
    {
        byte[] frame = new byte[4 + _data.WrittenCount];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (7u << 24) | (uint)_data.WrittenCount);
        _data.WrittenSpan.CopyTo(frame.AsSpan(4));
        _data.Clear();
        await _stream.WriteAsync(frame, _stop.Token);
    }

    /// <summary>
    /// Reads what the daemon sends until its error (or the end of the stream), then hangs up, and returns the daemon's
    /// exit code. The client never hangs up before the daemon has refused, on its own, what the script sent; after its
    /// error the daemon reads until the client goes (io.c: noop_io_until_death; ServerDrain, bounded at 10 s), which a
    /// client that never hung up made every case wait out.
    /// </summary>
    public async Task<RsyncExitCode> FinishAsync()
    {
        await ReadUntilErrorAsync();
        _client.Client.Shutdown(SocketShutdown.Both);
        return await Daemon.WaitAsync(TimeSpan.FromSeconds(60));
    }

    // The daemon's multiplexed frames (io.c: a header whose high byte is MPLEX_BASE 7 plus the message code and whose
    // low three bytes are the length) up to the first MSG_ERROR (3), or the end of the stream.
    private async Task ReadUntilErrorAsync()
    {
        byte[] header = new byte[4];
        while (true)
        {
            try
            {
                await _stream.ReadExactlyAsync(header, _stop.Token);
                uint value = BinaryPrimitives.ReadUInt32LittleEndian(header);
                await _stream.ReadExactlyAsync(new byte[value & 0xFFFFFF], _stop.Token);
                if ((value >> 24) == 7 + 3)
                    return;
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                return;
            }
        }
    }

    private async Task<int> ReadByteAsync()
    {
        byte[] one = new byte[1];
        if (await _stream.ReadAsync(one, _stop.Token) == 0)
            throw new EndOfStreamException("the daemon closed the connection");
        return one[0];
    }

    private async Task<string> ReadLineAsync()
    {
        var line = new StringBuilder();
        for (int b = await ReadByteAsync(); b != '\n'; b = await ReadByteAsync())
            line.Append((char)b);
        return line.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _served.Dispose();
        _listener.Stop();
        _listener.Dispose();
        try
        {
            await Daemon.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // the test has asserted what it needed
        }
        _stop.Dispose();
    }
}
