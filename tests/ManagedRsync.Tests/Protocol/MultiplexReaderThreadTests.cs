using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ManagedRsync.Daemon;
using ManagedRsync.Protocol;
using ManagedRsync.Tests.Support;
using static ManagedRsync.Tests.Support.MultiplexFrames;

namespace ManagedRsync.Tests.Protocol;

/// <summary>
/// The multiplexed reader's own thread (a pulling client's input: poll(2) on the socket and an eventfd, then a read
/// through the stream) over a real loopback TCP connection: what it delivers, a silent peer under --timeout, a peer
/// that hangs up, and Dispose ending the thread while it waits.
/// </summary>
public sealed class MultiplexReaderThreadTests : IAsyncDisposable
{
    private readonly Socket _ours;
    private readonly Socket _theirs;
    private readonly DaemonStream _stream;

    public MultiplexReaderThreadTests()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _ours = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _ours.Connect((IPEndPoint)listener.LocalEndpoint);
        _theirs = listener.AcceptSocket();
        _stream = new DaemonStream(new QuickAckNetworkStream(_ours));
    }

    public async ValueTask DisposeAsync()
    {
        _theirs.Dispose();
        await _stream.DisposeAsync();
    }

    private static byte[] Int(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }


    private static int Read(MultiplexReader reader) => reader.ReadInt32Async(default).AsTask().GetAwaiter().GetResult();

    [Fact]
    public async Task The_thread_delivers_data_and_messages_in_order_whatever_the_pieces()
    {
        var rec = new RecordingMessageHandler();
        await using var reader = new MultiplexReader(_stream, rec);
        reader.StartMultiplexing(readerThread: true);
        Assert.True(reader.ReadsOnThread);
        const int Count = 20_000;
        var wire = new List<byte>();
        for (int i = 0; i < Count; i++)
        {
            if (i % 100 == 0)
                wire.AddRange(Frame(2, System.Text.Encoding.UTF8.GetBytes($"m{i}\n")));
            wire.AddRange(Frame(0, Int(i)));
        }
        byte[] bytes = [.. wire];
        // The peer writes in pieces of 1 to 7,000 bytes, cutting headers and values, with pauses the reader waits out.
        Task peer = Task.Run(async () =>
        {
            var random = new Random(16);
            for (int at = 0; at < bytes.Length;)
            {
                int n = Math.Min(bytes.Length - at, random.Next(1, 7000));
                await _theirs.SendAsync(bytes.AsMemory(at, n));
                at += n;
                if (random.Next(20) == 0)
                    await Task.Delay(2);
            }
        });
        await OnOwnThread(reader, () =>
        {
            for (int i = 0; i < Count; i++)
            {
                Assert.Equal(i, Read(reader));
                if (i % 100 == 0)
                    Assert.Equal($"m{i}\n", rec.Messages[^1].Text);
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));
        await peer;
        Assert.Equal(Count / 100, rec.Messages.Count);
        Assert.Equal(bytes.Length, reader.RawBytesRead);
    }

    [Fact]
    public async Task A_silent_peer_ends_the_read_with_the_timeout()
    {
        // rsync io.c: check_timeout, exit 30 (RERR_TIMEOUT): no byte for --timeout seconds.
        await using var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(TimeSpan.FromMilliseconds(700), readerThread: true);
        _theirs.Send(Frame(0, Int(5)));
        RsyncException? e = null;
        var clock = Stopwatch.StartNew();
        await OnOwnThread(reader, () =>
        {
            Assert.Equal(5, Read(reader));
            e = Assert.Throws<RsyncException>(() => Read(reader));
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.6, 10);
        Assert.Equal(RsyncErrorKind.Timeout, e!.Kind);
        Assert.Equal(RsyncExitCode.Timeout, e.ExitCode);
        Assert.Equal("io timeout after 1 seconds -- exiting", e.Message);
    }

    [Fact]
    public async Task A_timeout_set_while_the_thread_runs_bounds_its_next_wait()
    {
        // A daemon's MSG_IO_TIMEOUT (io.c: read_a_msg) shortens the client's timeout after multiplexing has started.
        await using var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        reader.SetTimeout(TimeSpan.FromMilliseconds(500));
        _theirs.Send(Frame(0, Int(7)));
        RsyncException? e = null;
        await OnOwnThread(reader, () =>
        {
            Assert.Equal(7, Read(reader));
            e = Assert.Throws<RsyncException>(() => Read(reader));
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RsyncExitCode.Timeout, e!.ExitCode);
    }

    [Fact]
    public async Task A_peer_that_hangs_up_between_frames_is_the_connection_closed()
    {
        await using var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        RsyncException? e = null;
        Task consumer = OnOwnThread(reader, () =>
        {
            Assert.Equal(9, Read(reader));
            e = Assert.Throws<RsyncException>(() => Read(reader));
        });
        await Task.Delay(100);
        _theirs.Send([.. Frame(0, Int(9)), .. Frame(0, [1, 2])]);
        await Task.Delay(100);
        _theirs.Shutdown(SocketShutdown.Send);
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RsyncErrorKind.ConnectionClosed, e!.Kind);
        Assert.Equal("connection unexpectedly closed by the peer", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task A_peer_that_hangs_up_inside_a_frame_is_the_pumps_error()
    {
        await using var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        RsyncException? e = null;
        Task consumer = OnOwnThread(reader, () => e = Assert.Throws<RsyncException>(() => Read(reader)));
        await Task.Delay(100);
        _theirs.Send(Frame(0, [1, 2, 3, 4])[..6]);
        _theirs.Shutdown(SocketShutdown.Send);
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RsyncErrorKind.ConnectionClosed, e!.Kind);
        Assert.Equal("connection closed by the peer in the middle of a multiplexed frame", e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task Dispose_ends_the_thread_waiting_in_poll_at_once()
    {
        var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        await Task.Delay(300);
        Assert.False(reader.Pump.IsCompleted);
        var clock = Stopwatch.StartNew();
        await reader.DisposeAsync();
        // Woken by the eventfd, not by a poll's timeout: well under the blocked consumer's own 100 ms poll.
        Assert.True(reader.Pump.IsCompletedSuccessfully);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 1000);
        // The socket is still the caller's, open, and reads what follows.
        _theirs.Send([42]);
        var one = new byte[1];
        Assert.Equal(1, _stream.Read(one));
        Assert.Equal(42, one[0]);
    }

    [Fact]
    public async Task A_consumer_cancelled_while_the_thread_waits_stops_and_the_thread_ends_with_dispose()
    {
        var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        using var cancel = new CancellationTokenSource();
        Task consumer = OnOwnThread(reader, () =>
            Assert.ThrowsAny<OperationCanceledException>(() => reader.ReadInt32Async(cancel.Token).AsTask().GetAwaiter().GetResult()));
        await Task.Delay(200);
        cancel.Cancel();
        await consumer.WaitAsync(TimeSpan.FromSeconds(10));
        await reader.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(reader.Pump.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Bytes_the_stream_holds_above_the_socket_are_read_without_waiting()
    {
        // The daemon's greeting line came with the first frame: the line reader keeps the rest in its buffer, which
        // poll(2) on the socket knows nothing of.
        _theirs.Send([.. "@RSYNCD: OK\n"u8, .. Frame(0, Int(3))]);
        await Task.Delay(100);
        Assert.Equal("@RSYNCD: OK", await _stream.ReadLineAsync(default));
        Assert.True(_stream.HoldsInput);
        await using var reader = new MultiplexReader(_stream, new RecordingMessageHandler());
        reader.StartMultiplexing(TimeSpan.FromSeconds(20), readerThread: true);
        Assert.Equal(3, await reader.ReadInt32Async(default).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_stream_over_no_socket_keeps_the_asynchronous_pump()
    {
        (Stream ours, Stream theirs) = ManagedRsync.Transports.LocalPipe.Create();
        await using var reader = new MultiplexReader(ours, new RecordingMessageHandler());
        reader.StartMultiplexing(readerThread: true);
        Assert.False(reader.ReadsOnThread);
        await theirs.WriteAsync(Frame(0, Int(11)));
        Assert.Equal(11, await reader.ReadInt32Async(default).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
