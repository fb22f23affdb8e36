using System.Buffers.Binary;
using ManagedRsync.Protocol;
using ManagedRsync.Tests.Support;
using static ManagedRsync.Tests.Support.MultiplexFrames;

namespace ManagedRsync.Tests.Protocol;

public class MultiplexTests
{
    private static MemoryStream Stream(params byte[][] parts) => new(parts.SelectMany(p => p).ToArray());

    [Fact]
    public async Task SplitsDataFromMessagesInOrder()
    {
        var rec = new RecordingMessageHandler();
        // Setup bytes (raw) first, then frames: an int32 split across two MSG_DATA frames around a MSG_INFO.
        await using var reader = new MultiplexReader(Stream([0x2a, 0, 0, 0], Frame(0, [1, 2]), Frame(2, "hello\n"u8), Frame(0, [0, 0])), rec);
        Assert.Equal(42, await reader.ReadInt32Async(default));
        reader.StartMultiplexing();
        Assert.Equal(0x201, await reader.ReadInt32Async(default));
        Assert.Equal([(MessageCode.Info, "hello\n")], rec.Messages);
    }

    [Fact]
    public async Task EveryByteArrivesInOrderWhenThePumpMustWaitForRoom()
    {
        // 1,000 data frames and 1,000 messages, many times the pieces the reader queues ahead of its consumer: the pump
        // stops at a full queue and goes on as it is taken, losing and reordering nothing.
        var rec = new RecordingMessageHandler();
        var parts = new List<byte[]>();
        for (int i = 0; i < 1000; i++)
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(payload, i);
            parts.Add(Frame(0, payload));
            parts.Add(Frame(2, System.Text.Encoding.UTF8.GetBytes($"m{i}\n")));
        }
        await using var reader = new MultiplexReader(Stream([.. parts]), rec);
        reader.StartMultiplexing();
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(i, await reader.ReadInt32Async(default));
            // A frame's message is delivered when the data after it is taken, not later.
            if (i > 0)
                Assert.Equal($"m{i - 1}\n", rec.Messages[^1].Text);
        }
        reader.DrainArrived();
        Assert.Equal(1000, rec.Messages.Count);
        Assert.Equal("m999\n", rec.Messages[^1].Text);
        Assert.False(reader.HasArrived);
    }

    // A MemoryStream that counts what the pump has read from it. Only the array overload counts: a type derived from
    // MemoryStream reads spans through it (MemoryStream.Read(Span) defers to Stream's, which calls it).
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public override int Read(byte[] buffer, int offset, int count) => Counted(base.Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        private int Counted(int n)
        {
            Interlocked.Add(ref _read, n);
            return n;
        }
    }

    [Fact]
    public async Task ThePumpReadsAheadOfItsConsumerBoundedInBytes()
    {
        // 4 MiB of data in stock's largest frames (io.c: a 64 KiB output buffer, 4 bytes of it the header), none of it
        // taken yet: the pump stops once QueueBytes are queued, and the rest stays with the peer (the kernel's socket
        // buffer in a real connection), not in our memory. Then every byte still arrives, in order.
        const int payload = 64 * 1024 - 4, frames = 64;
        var parts = new List<byte[]>();
        for (int f = 0; f < frames; f++)
        {
            var data = new byte[payload];
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(f * 31 + i);
            parts.Add(Frame(0, data));
        }
        var stream = new CountingStream(parts.SelectMany(p => p).ToArray());
        await using var reader = new MultiplexReader(stream, new RecordingMessageHandler());
        reader.StartMultiplexing();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (reader.QueuedCost < MultiplexReader.QueueBytes && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(5);
        await Task.Delay(200);
        // What the pump holds: the queue (at most one piece past the bound: a 64 KiB buffer and its share) and its own
        // 64 KiB read buffer.
        Assert.InRange(reader.QueuedCost, MultiplexReader.QueueBytes, MultiplexReader.QueueBytes + 2 * 64 * 1024);
        Assert.InRange(stream.BytesRead, MultiplexReader.QueueBytes / 2, MultiplexReader.QueueBytes + 3 * 64 * 1024);
        Assert.True(stream.BytesRead < frames * (payload + 4L) / 2, $"the pump read {stream.BytesRead} bytes ahead");

        var got = new byte[payload];
        for (int f = 0; f < frames; f++)
        {
            await reader.ReadExactlyAsync(got, default);
            for (int i = 0; i < got.Length; i += 997)
                Assert.Equal((byte)(f * 31 + i), got[i]);
        }
        Assert.Equal(frames * (payload + 4L), stream.BytesRead);
    }

    [Fact]
    public async Task UnknownTagIsAProtocolError()
    {
        await using var reader = new MultiplexReader(Stream(Frame(50, [1])), new RecordingMessageHandler());
        reader.StartMultiplexing();
        var ex = await Assert.ThrowsAsync<RsyncException>(async () => await reader.ReadByteAsync(default));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, ex.Kind);
        Assert.Equal(RsyncExitCode.StreamIo, ex.ExitCode);
    }

    [Fact]
    public async Task OversizedMessageIsRefusedBeforeItArrives()
    {
        // Only the header is sent: the limit must trip without waiting for (or allocating) 16 MiB.
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ((uint)(2 + 7) << 24) | 0xFFFFFF);
        await using var reader = new MultiplexReader(Stream(header), new RecordingMessageHandler());
        reader.StartMultiplexing();
        var ex = await Assert.ThrowsAsync<RsyncException>(async () => await reader.ReadByteAsync(default));
        Assert.Contains("exceeds", ex.Message);
    }

    [Fact]
    public async Task TruncatedFrameIsAnError()
    {
        byte[] frame = Frame(0, [1, 2, 3, 4]);
        await using var reader = new MultiplexReader(Stream(frame[..6]), new RecordingMessageHandler());
        reader.StartMultiplexing();
        await Assert.ThrowsAsync<RsyncException>(async () => await reader.ReadInt32Async(default));
    }

    [Fact]
    public void WriterFramesDataAndMessages()
    {
        var sink = new MemoryStream();
        var w = new MultiplexWriter(sink);
        w.WriteInt32(7);
        w.StartMultiplexing();
        w.WriteVarInt(5);
        w.WriteMessageInt(MessageCode.IoError, 1);
        w.Send();
        byte[] expected = [7, 0, 0, 0, .. Frame(0, [5]), .. Frame(22, [1, 0, 0, 0])];
        Assert.Equal(expected, sink.ToArray());
        Assert.Equal(expected.Length, w.TotalWritten);
    }

    [Fact]
    public async Task Pieces_already_queued_are_taken_without_sending_first_and_a_real_wait_sends()
    {
        // rsync io.c: perform_io writes what waits in the output buffer when it must read, not while its input buffer
        // holds what it needs. Three frames arrive at once and are queued before any is taken.
        var rec = new RecordingMessageHandler();
        await using var reader = new MultiplexReader(Stream(Frame(0, [1, 0, 0, 0]), Frame(0, [2, 0, 0, 0]), Frame(0, [3, 0, 0, 0])), rec);
        int sends = 0;
        reader.BeforeWait = () => sends++;
        reader.StartMultiplexing();
        await reader.Pump;
        for (int i = 1; i <= 3; i++)
            Assert.Equal(i, await reader.ReadInt32Async(default));
        Assert.Equal(0, sends);
        // Nothing more queued: the wait for the next bytes sends first (and then finds the end of the stream).
        await Assert.ThrowsAsync<RsyncException>(async () => await reader.ReadInt32Async(default));
        Assert.Equal(1, sends);
    }


    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_peer_that_answers_only_what_it_received_is_never_kept_waiting(bool blockingConsumer)
    {
        // Ping-pong over a real pipe with the pump's thread: each int goes out only through BeforeWait, and the peer
        // sends the next frame only once it has read it (a message ahead of every tenth answer, delivered in order on
        // the consumer's thread). A wait that skipped the send would hang here. A blocking consumer (the receiver's
        // kind) nearly always finds nothing queued and must wait for the pump: each read still completes before it
        // returns (the waiting thread is the caller's), the value in order, the send before each real wait.
        (Stream ours, Stream theirs) = ManagedRsync.Transports.LocalPipe.Create();
        const int Rounds = 2000;
        Task peer = Task.Run(async () =>
        {
            var four = new byte[4];
            for (int i = 0; i < Rounds; i++)
            {
                await theirs.ReadExactlyAsync(four);
                int got = BinaryPrimitives.ReadInt32LittleEndian(four);
                var payload = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(payload, got + 1);
                if (got % 10 == 0)
                    await theirs.WriteAsync(Frame(2, System.Text.Encoding.UTF8.GetBytes($"m{got}\n")));
                await theirs.WriteAsync(Frame(0, payload));
                await theirs.FlushAsync();
            }
        });
        var writer = new MultiplexWriter(ours);
        var rec = new RecordingMessageHandler();
        await using var reader = new MultiplexReader(ours, rec);
        reader.BeforeWait = writer.Send;
        reader.StartMultiplexing();
        int value = 0, pending = 0;
        if (blockingConsumer)
        {
            await OnOwnThread(reader, () =>
            {
                for (int i = 0; i < Rounds; i++)
                {
                    writer.WriteInt32(value);
                    ValueTask<int> read = reader.ReadInt32Async(default);
                    if (!read.IsCompleted)
                        pending++;
                    value = read.AsTask().GetAwaiter().GetResult();
                }
            }).WaitAsync(TimeSpan.FromSeconds(60));
        }
        else
        {
            for (int i = 0; i < Rounds; i++)
            {
                writer.WriteInt32(value);
                value = await reader.ReadInt32Async(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        Assert.Equal(Rounds, value);
        Assert.Equal(0, pending);
        Assert.Equal(Rounds / 10, rec.Messages.Count);
        Assert.Equal("m1990\n", rec.Messages[^1].Text);
        await peer.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_blocking_consumer_sees_the_end_of_the_stream_and_a_truncated_frame()
    {
        (Stream ours, Stream theirs) = ManagedRsync.Transports.LocalPipe.Create();
        await using var reader = new MultiplexReader(ours, new RecordingMessageHandler());
        reader.StartMultiplexing();
        RsyncException? closed = null;
        Task consumer = OnOwnThread(reader, () =>
        {
            Assert.Equal(5, reader.ReadInt32Async(default).AsTask().GetAwaiter().GetResult());
            closed = Assert.Throws<RsyncException>(() => reader.ReadInt32Async(default).AsTask().GetAwaiter().GetResult());
        });
        // The consumer waits for the first frame, then for bytes that never come: the peer hangs up.
        await Task.Delay(100);
        await theirs.WriteAsync(Frame(0, [5, 0, 0, 0]));
        await Task.Delay(100);
        theirs.Dispose();
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RsyncErrorKind.ConnectionClosed, closed!.Kind);

        // A frame cut short by the peer's close is the pump's error, seen by the waiting consumer.
        (Stream ours2, Stream theirs2) = ManagedRsync.Transports.LocalPipe.Create();
        await using var reader2 = new MultiplexReader(ours2, new RecordingMessageHandler());
        reader2.StartMultiplexing();
        Task consumer2 = OnOwnThread(reader2, () =>
            Assert.Throws<RsyncException>(() => reader2.ReadInt32Async(default).AsTask().GetAwaiter().GetResult()));
        await Task.Delay(100);
        await theirs2.WriteAsync(Frame(0, [1, 2, 3, 4])[..6]);
        theirs2.Dispose();
        await consumer2.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_blocking_consumer_stops_waiting_when_cancelled()
    {
        (Stream ours, Stream _) = ManagedRsync.Transports.LocalPipe.Create();
        await using var reader = new MultiplexReader(ours, new RecordingMessageHandler());
        reader.StartMultiplexing();
        using var cancel = new CancellationTokenSource();
        Task consumer = OnOwnThread(reader, () =>
            Assert.ThrowsAny<OperationCanceledException>(() => reader.ReadInt32Async(cancel.Token).AsTask().GetAwaiter().GetResult()));
        await Task.Delay(200);
        Assert.False(consumer.IsCompleted);
        cancel.Cancel();
        await consumer.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // A stream that records the size of every write it is given.
    private sealed class WriteSizes : MemoryStream
    {
        public List<int> Sizes { get; } = [];

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            Sizes.Add(count);
            base.Write(buffer, offset, count);
        }
    }

    [Fact]
    public void A_full_frame_is_one_loopback_segment()
    {
        // Linux's loopback MSS is 65483 bytes over IPv4 and 65464 over IPv6: a write of a 64 KiB frame and its header
        // went out as two segments, the second of 57 bytes.
        var sink = new WriteSizes();
        var w = new MultiplexWriter(sink);
        w.StartMultiplexing();
        byte[] data = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        w.Write(data);
        w.Send();
        Assert.All(sink.Sizes, n => Assert.InRange(n, 1, 65464));
        Assert.True(sink.Sizes.Count <= 5);
        // The frames carry the data in order.
        byte[] wire = sink.ToArray();
        var back = new List<byte>();
        for (int at = 0; at < wire.Length;)
        {
            uint header = BinaryPrimitives.ReadUInt32LittleEndian(wire.AsSpan(at));
            Assert.Equal(7u, header >> 24);
            int length = (int)(header & 0xFFFFFF);
            back.AddRange(wire.AsSpan(at + 4, length).ToArray());
            at += 4 + length;
        }
        Assert.Equal(data, back);
    }

    // A socket whose peer went away: every write fails as NetworkStream's do (an IOException around the SocketException).
    private sealed class BrokenSocketStream : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) =>
            throw new IOException("Unable to write data to the transport connection: Broken pipe.",
                new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.Shutdown));

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_failed_write_is_the_connections_error_not_an_IOException(bool multiplexed)
    {
        // rsync io.c writefd_unbuffered: "write error", RERR_SOCKETIO. An IOException here would be taken by the
        // sender for a read error of the file it was sending ("read errors mapping").
        var w = new MultiplexWriter(new BrokenSocketStream());
        if (multiplexed)
            w.StartMultiplexing();
        w.Write(new byte[10]);
        var e = Assert.Throws<RsyncException>(() => w.Send());
        Assert.Equal(RsyncErrorKind.Connection, e.Kind);
        Assert.StartsWith("write error: ", e.Message);
        Assert.IsType<IOException>(e.InnerException);
        Assert.Equal(RsyncExitCode.SocketIo, RsyncExitCodes.For(e));
    }
}
