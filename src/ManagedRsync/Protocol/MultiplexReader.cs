using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ManagedRsync.Platform;

namespace ManagedRsync.Protocol;

/// <summary>
/// The input side of rsync's multiplexed stream (rsync io.c: read_a_msg). A background pump reads the socket
/// as fast as the peer writes, splits frames (header: little-endian uint32 <c>(MPLEX_BASE + tag) &lt;&lt; 24 | length</c>)
/// and queues data and messages in order; the consumer takes data through a synchronous fast path over its
/// buffer and awaits the queue only when the buffer runs dry. Draining the socket independently of the consumer
/// keeps a peer that writes while we write (the daemon's generator) from deadlocking against us.
/// </summary>
internal sealed partial class MultiplexReader : IAsyncDisposable
{
    public const int MplexBase = 7;

    /// <summary>
    /// The largest non-data message we accept. rsync's own messages are a path plus text (rsync io.c: read_a_msg
    /// bounds them by BIGPATHBUFLEN); anything larger is refused before a buffer is allocated for it.
    /// </summary>
    public const int MaxMessageLength = 64 * 1024;

    private const int ChunkSize = 64 * 1024;

    // At most this many bytes wait in the queue ahead of the consumer, counted as the pooled buffers' lengths plus
    // PieceCost for each piece (so that a flood of empty messages is bounded as well: QueueBytes / PieceCost of them).
    // The kernel's socket buffer keeps the connection drained beyond that, as it does for stock rsync, whose input
    // buffer is 32 KiB (io.c: iobuf.in). Until session 15 the bound was 64 pieces, up to 64 x 64 KiB = 4 MiB, and a pull
    // whose receiver sets the pace (small files) held it full for the whole run: 4 MiB of the client's peak RSS.
    internal const int QueueBytes = 512 * 1024;

    private const int PieceCost = QueueBytes / 64;

    // A pump stopped by a full queue goes on once the consumer has taken it down to this. A bounded channel wakes its
    // writer for every item taken, each wake a thread-pool work item (a worker woken, and asleep again): when the
    // consumer sets the pace (a receiver writing small files) that was one hand-off per 64 KiB read.
    private const int ResumeAt = QueueBytes / 2;

    private readonly Stream _stream;
    private readonly IMessageHandler _handler;
    private readonly Channel<Item> _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;

    private byte[] _data = new byte[ChunkSize];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _disposed;
    private volatile Exception? _pumpError;

    private readonly record struct Item(MessageCode Code, byte[] Buffer, int Length);

    /// <param name="stream">The connection, positioned after the daemon handshake.</param>
    /// <param name="handler">Where non-data messages go once multiplexing is on.</param>
    public MultiplexReader(Stream stream, IMessageHandler handler)
    {
        _stream = stream;
        _handler = handler;
        // Bounded (by QueueAsync) so that a peer that floods us is throttled by TCP rather than by our memory.
        _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }

    /// <summary>
    /// From here on the input is multiplexed (rsync io.c: io_start_multiplex_in). Bytes already buffered belong to
    /// the frames and are handed to the pump.
    /// </summary>
    /// <param name="timeout">rsync --timeout: no byte from the peer for this long ends the session (exit 30).</param>
    /// <param name="readerThread">
    /// Read the socket on a thread of the reader's own that waits in poll(2), when the stream is over one
    /// (<see cref="IPollableInput"/>); otherwise, and without it, the pump is an asynchronous loop on the thread pool.
    /// </param>
    public void StartMultiplexing(TimeSpan timeout = default, bool readerThread = false)
    {
        if (_pump is not null)
            throw new InvalidOperationException("already multiplexed");
        byte[] initial = Buffered.ToArray();
        _start = _end = 0;
        Volatile.Write(ref _timeoutTicks, timeout.Ticks);
        if (readerThread && _stream is IPollableInput { InputSocket: not null } input)
            _pump = StartReaderThread(initial, input);
        else
            _pump = Task.Run(() => PumpAsync(initial, _stop.Token));
    }

    // The read timeout in ticks (0: none); a daemon's MSG_IO_TIMEOUT may shorten it while the pump runs.
    private long _timeoutTicks;

    /// <summary>io.c: set_io_timeout — the reads from here on are bounded by <paramref name="timeout"/>.</summary>
    public void SetTimeout(TimeSpan timeout) => Volatile.Write(ref _timeoutTicks, timeout.Ticks);

    /// <summary>
    /// The role a timeout's message names in brackets (io.c: check_timeout prints "[%s] io timeout ...", rsync.c:
    /// who_am_i): "generator" on a pulling client, "sender" on a pushing one; null (a server, a local copy's server
    /// half): the message without it.
    /// </summary>
    public string? TimeoutWho { get; set; }

    /// <summary>
    /// Where every data byte taken from the peer is copied as well, once set (rsync io.c: read_buf copies to batch_fd
    /// what it reads from write_batch_monitor_in). Set before the data it is to copy arrives in the buffer.
    /// </summary>
    public Stream? Tee { get; set; }

    /// <summary>Data bytes received (after demultiplexing), for rsync's "received N bytes" figure.</summary>
    public long TotalRead { get; private set; }

    /// <summary>
    /// Data bytes the reader's user has taken (rsync io.c: total_data_read counts what read_buf returns): what arrived
    /// less what still waits in the buffer.
    /// </summary>
    public long Consumed => TotalRead - (_end - _start);

    /// <summary>
    /// Raw bytes read from the socket since <see cref="StartCounting"/> (rsync's stats.total_read, the "received N
    /// bytes" figure and what a sending server reports to its client).
    /// </summary>
    public long RawBytesRead => Volatile.Read(ref _rawBytes) - _uncounted;

    private long _rawBytes;
    private long _uncounted;

    /// <summary>
    /// From here on the bytes read count (rsync io.c: only perform_io adds to stats.total_read, and it reads for a side
    /// only once io_start_buffering_in has set iobuf.in_fd, after compat.c: setup_protocol: the version exchange,
    /// compat flags, the negotiated names and the seed are read with safe_read, uncounted). What was read from the
    /// socket but not taken yet belongs to what comes after.
    /// </summary>
    public void StartCounting() => _uncounted = Volatile.Read(ref _rawBytes) - (_end - _start);

    /// <summary>Buffered data available without waiting.</summary>
    public ReadOnlySpan<byte> Buffered => _data.AsSpan(_start, _end - _start);

    /// <summary>Consumes <paramref name="count"/> buffered bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        _start += count;
    }

    /// <summary>Waits until at least <paramref name="count"/> data bytes are buffered; EOF first is a protocol error.</summary>
    public ValueTask EnsureAsync(int count, CancellationToken ct)
    {
        if (_end - _start >= count)
            return ValueTask.CompletedTask;
        return FillAsync(count, ct);
    }

    /// <summary>
    /// Whether anything from the peer is waiting to be taken (buffered data, or a piece the pump has queued): what
    /// rsync's io.c learns from a poll with no timeout.
    /// </summary>
    public bool HasArrived => _end > _start || (_pump is not null && Volatile.Read(ref _queued) > 0);

    /// <summary>
    /// Called before waiting for the peer: whatever we still hold must reach it first, or both sides wait. Called only
    /// when the wait is real: not while a piece the pump has queued can be taken at once.
    /// </summary>
    public Action? BeforeWait { get; set; }

    /// <summary>The pump's task once multiplexing is on (it ends at the end of the stream); for tests.</summary>
    internal Task Pump => _pump ?? Task.CompletedTask;

    private async ValueTask FillAsync(int count, CancellationToken ct)
    {
        while (_end - _start < count)
        {
            // rsync io.c: perform_io writes the output buffer when it must read. A piece already queued is not a wait
            // (stock's sender takes what its input buffer holds without writing either): a sender taking the
            // generator's requests piece by piece sent what it had made at every piece, a 5-byte frame (NDX_DONE's
            // echo) or a 1.7 KiB one (a directory's list) at a time; a 10,000-file pull from `mrsync daemon` made 105
            // writes under 1 KiB, stock's daemon 15. The queue itself is asked (single reader: what it holds is what
            // the next take gets); the pump counts a piece only after queuing it, so the count can be behind it.
            if (_pump is null || !_queue.Reader.TryPeek(out _))
                BeforeWait?.Invoke();
            if (!await ReceiveOneAsync(ct).ConfigureAwait(false))
                throw new RsyncException(RsyncErrorKind.ConnectionClosed,
                    "connection unexpectedly closed by the peer", _pumpError);
        }
    }

    /// <summary>
    /// Processes what has already arrived, without waiting for more (used after the last protocol exchange, so that
    /// messages that came with it are shown). rsync's client exits right after the final goodbye (main.c:
    /// client_run); waiting for the daemon to close the socket would add its exit time to every transfer.
    /// </summary>
    public void DrainArrived()
    {
        while (!_eof && _pump is not null && _queue.Reader.TryRead(out Item item))
        {
            Took(item);
            Deliver(item);
        }
    }

    // Takes one item from the pump: data is appended to the buffer, a message goes to the handler.
    // Returns false at end of stream.
    private async ValueTask<bool> ReceiveOneAsync(CancellationToken ct)
    {
        if (_eof)
            return false;
        if (_pump is null)
            return await ReceiveRawAsync(ct).ConfigureAwait(false);
        if (!_queue.Reader.TryRead(out Item item))
        {
            bool taken = _blockingConsumer
                ? TakeBlocking(out item, ct)
                : await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false) && _queue.Reader.TryRead(out item);
            if (!taken)
            {
                _eof = true;
                Exception? error = _pumpError;
                if (error is RsyncException re)
                    throw re;
                // io.c: check_timeout — "[generator] io timeout after N seconds -- exiting" on a pulling client (its
                // receiver never times out; the generator does), "[sender] ..." on a pushing one; exit 30.
                if (error is OperationCanceledException or TimeoutException)
                    throw new RsyncException(RsyncErrorKind.Timeout, (TimeoutWho is { } who ? $"[{who}] " : "")
                        + $"io timeout after {Math.Max(1, (int)Math.Round(TimeSpan.FromTicks(Volatile.Read(ref _timeoutTicks)).TotalSeconds))} seconds -- exiting", error);
                if (error is not null)
                    throw new RsyncException(RsyncErrorKind.Connection,
                        $"error reading from the daemon: {SystemError.Describe(error)}", error);
                return false;
            }
        }
        Took(item);
        Deliver(item);
        return true;
    }

    /// <summary>
    /// While set, a read that must wait for the pump blocks the calling thread instead of suspending: every read then
    /// completes on that thread, and the pump wakes it directly (one hand-off per piece). For a consumer that owns a
    /// thread of its own and would block on the read anyway (the receiver); set and cleared on that thread.
    /// </summary>
    /// <remarks>
    /// An awaited read that must wait resumes on a thread-pool worker (the channel runs no continuation inline), which
    /// completed the task a blocked thread waited on: the pump's worker, a second worker, then the consumer's thread,
    /// whose wait spun (sched_yield) before it slept. A no-change re-pull of 100,000 files made some 2,100 sched_yield
    /// and 2,400 futex calls that way (RESULTS.md, session 15).
    /// </remarks>
    public bool BlockingConsumer
    {
        get => _blockingConsumer;
        set => _blockingConsumer = value;
    }

    private bool _blockingConsumer;

    // The blocked consumer's wait (a monitor: Monitor.Wait), pulsed by the pump after it queues a piece or completes the
    // queue.
    private readonly object _arrival = new();
    private int _consumerWaiting;

    /// <summary>How long a blocked consumer waits before it looks at its cancellation token again.</summary>
    private const int BlockedPollMilliseconds = 100;

    // The next piece, waiting for the pump on this thread; false when the queue is complete and empty.
    private bool TakeBlocking(out Item item, CancellationToken ct)
    {
        ChannelReader<Item> reader = _queue.Reader;
        while (!reader.TryRead(out item))
        {
            if (reader.Completion.IsCompleted)
                return false;
            ct.ThrowIfCancellationRequested();
            lock (_arrival)
            {
                // Published with a full fence before the queue is looked at again, as the pump looks at the flag (a
                // full fence) after queuing: either this sees its piece, or it sees this waiter and pulses.
                Interlocked.Exchange(ref _consumerWaiting, 1);
                if (!reader.TryPeek(out _) && !reader.Completion.IsCompleted)
                    Monitor.Wait(_arrival, BlockedPollMilliseconds);
                _consumerWaiting = 0;
            }
        }
        return true;
    }

    // The pump's side, after it queued a piece or completed the queue.
    private void WakeBlockedConsumer()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _consumerWaiting) == 0)
            return;
        lock (_arrival)
            Monitor.PulseAll(_arrival);
    }

    // What the queue holds, in QueueBytes' units (the pump counts pieces in, the consumer out), and what a pump stopped
    // by a full queue waits on.
    private int _queued;

    // A piece's share of QueueBytes: the buffer it holds (ArrayPool rounds a rent up to a power of two) and PieceCost.
    private static int Cost(in Item item) => item.Buffer.Length + PieceCost;

    /// <summary>What the queue holds now, in <see cref="QueueBytes"/>' units (for tests).</summary>
    internal int QueuedCost => Volatile.Read(ref _queued);
    private TaskCompletionSource? _room;

    // The pump's side: queues ITEM; at QueueBytes it waits until the consumer has taken the queue down to ResumeAt.
    private ValueTask QueueAsync(ChannelWriter<Item> writer, Item item, CancellationToken ct)
    {
        int cost = Cost(item);
        if (!writer.TryWrite(item))
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
            throw new ChannelClosedException();
        }
        WakeBlockedConsumer();
        return Interlocked.Add(ref _queued, cost) < QueueBytes ? ValueTask.CompletedTask : WaitForRoomAsync(ct);
    }

    private async ValueTask WaitForRoomAsync(CancellationToken ct)
    {
        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Published with a full fence before the count is read again, as Took decrements (a full fence) before it
        // looks for a waiter: either this sees the consumer's count at ResumeAt, or the consumer sees this waiter.
        Interlocked.Exchange(ref _room, room);
        if (Volatile.Read(ref _queued) > ResumeAt)
            await room.Task.WaitAsync(ct).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _room, null, room);
    }

    // The consumer's side, for each piece taken: the waiting pump goes on at ResumeAt.
    private void Took(in Item item)
    {
        if (Interlocked.Add(ref _queued, -Cost(item)) <= ResumeAt && Volatile.Read(ref _room) is { } room
            && Interlocked.CompareExchange(ref _room, null, room) == room)
            room.TrySetResult();
    }

    // Data is appended to the buffer, a message goes to the handler.
    private void Deliver(Item item)
    {
        try
        {
            if (item.Code == MessageCode.Data)
            {
                Append(item.Buffer.AsSpan(0, item.Length));
                TotalRead += item.Length;
                Tee?.Write(item.Buffer.AsSpan(0, item.Length));
            }
            else
            {
                _handler.OnMessage(item.Code, item.Buffer.AsSpan(0, item.Length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }

    // Before multiplexing starts (the setup exchange), bytes come straight from the socket.
    private async ValueTask<bool> ReceiveRawAsync(CancellationToken ct)
    {
        if (_end == _data.Length && _start > 0)
        {
            _data.AsSpan(_start, _end - _start).CopyTo(_data);
            _end -= _start;
            _start = 0;
        }
        if (_end == _data.Length)
            Array.Resize(ref _data, _data.Length * 2);
        int n;
        try
        {
            n = await _stream.ReadAsync(_data.AsMemory(_end), ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new RsyncException(RsyncErrorKind.Connection, $"error reading from the daemon: {SystemError.Describe(ex)}", ex);
        }
        if (n == 0)
        {
            _eof = true;
            return false;
        }
        _end += n;
        Interlocked.Add(ref _rawBytes, n);
        TotalRead += n;
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        int used = _end - _start;
        if (_data.Length - _end < bytes.Length)
        {
            if (used + bytes.Length <= _data.Length)
            {
                _data.AsSpan(_start, used).CopyTo(_data);
            }
            else
            {
                var bigger = new byte[Math.Max(_data.Length * 2, used + bytes.Length)];
                _data.AsSpan(_start, used).CopyTo(bigger);
                _data = bigger;
            }
            _start = 0;
            _end = used;
        }
        bytes.CopyTo(_data.AsSpan(_end));
        _end += bytes.Length;
    }

    private async Task PumpAsync(byte[] initial, CancellationToken ct)
    {
        var frames = new FrameSplitter(initial);
        ChannelWriter<Item> writer = _queue.Writer;
        try
        {
            while (true)
            {
                // Hand over every complete piece the raw buffer holds.
                while (frames.TryNext(out Item item))
                    await QueueAsync(writer, item, ct).ConfigureAwait(false);
                Memory<byte> space = frames.Space();
                int read;
                var timeout = TimeSpan.FromTicks(Volatile.Read(ref _timeoutTicks));
                if (timeout > TimeSpan.Zero)
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    cts.CancelAfter(timeout);
                    read = await _stream.ReadAsync(space, cts.Token).ConfigureAwait(false);
                }
                else
                {
                    read = await _stream.ReadAsync(space, ct).ConfigureAwait(false);
                }
                if (Ended(read, frames, writer))
                    return;
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Items queued before the failure are still delivered; the consumer sees the error after them.
            _pumpError = ex;
            writer.TryComplete();
            WakeBlockedConsumer();
        }
        catch (OperationCanceledException)
        {
            writer.TryComplete();
            WakeBlockedConsumer();
        }
    }

    // After a read of the socket: the end of the stream completes the queue (true: the pump is done), a mid-frame end
    // is the peer's failure; bytes read are counted and joined to the raw buffer.
    private bool Ended(int read, FrameSplitter frames, ChannelWriter<Item> writer)
    {
        if (read == 0)
        {
            if (frames.MidFrame)
                throw new RsyncException(RsyncErrorKind.ConnectionClosed,
                    "connection closed by the peer in the middle of a multiplexed frame");
            writer.TryComplete();
            WakeBlockedConsumer();
            return true;
        }
        Interlocked.Add(ref _rawBytes, read);
        frames.Added(read);
        return false;
    }

    /// <summary>
    /// The pump's raw buffer and the frame it is in (rsync io.c: read_a_msg): splits what the socket gave into pieces
    /// for the queue, data as it arrives (a frame's bytes need not all be there) and each message whole, bounded by
    /// <see cref="MaxMessageLength"/> before anything is allocated for it.
    /// </summary>
    private sealed class FrameSplitter
    {
        private byte[] _raw;
        private int _start;
        private int _end;
        private int _frameRemaining;

        public FrameSplitter(byte[] initial)
        {
            _raw = new byte[Math.Max(ChunkSize + 4, initial.Length)];
            initial.CopyTo(_raw, 0);
            _end = initial.Length;
        }

        /// <summary>The stream ended here in the middle of a frame (its header or its bytes).</summary>
        public bool MidFrame => _frameRemaining > 0 || _end > _start;

        /// <summary>The next complete piece the buffer holds, in a buffer rented from the pool; false when it needs more bytes.</summary>
        public bool TryNext(out Item item)
        {
            while (true)
            {
                if (_frameRemaining > 0)
                {
                    int n = Math.Min(_frameRemaining, _end - _start);
                    if (n == 0)
                        break;
                    byte[] chunk = ArrayPool<byte>.Shared.Rent(n);
                    _raw.AsSpan(_start, n).CopyTo(chunk);
                    _start += n;
                    _frameRemaining -= n;
                    item = new Item(MessageCode.Data, chunk, n);
                    return true;
                }
                if (_end - _start < 4)
                    break;
                uint header = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_raw.AsSpan(_start));
                int tag = (int)(header >> 24) - MplexBase;
                int length = (int)(header & 0xFFFFFF);
                if (tag < 0)
                    throw RsyncException.Protocol($"unexpected tag {tag} in multiplexed stream");
                var code = (MessageCode)tag;
                if (code == MessageCode.Data)
                {
                    _start += 4;
                    _frameRemaining = length;
                    continue;
                }
                if (!Enum.IsDefined(code))
                    throw RsyncException.Protocol($"unexpected tag {tag} in multiplexed stream");
                if (length > MaxMessageLength)
                    throw RsyncException.Protocol($"multiplexed message of {length} bytes (tag {tag}) exceeds the {MaxMessageLength}-byte limit");
                if (_end - _start < 4 + length)
                {
                    if (_raw.Length < 4 + length)
                    {
                        var bigger = new byte[4 + length];
                        _raw.AsSpan(_start, _end - _start).CopyTo(bigger);
                        _end -= _start;
                        _start = 0;
                        _raw = bigger;
                    }
                    break;
                }
                byte[] payload = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                _raw.AsSpan(_start + 4, length).CopyTo(payload);
                _start += 4 + length;
                item = new Item(code, payload, length);
                return true;
            }
            item = default;
            return false;
        }

        /// <summary>Where the next read goes: the rest of the buffer, once what is left of it is moved to its start.</summary>
        public Memory<byte> Space()
        {
            if (_start > 0)
            {
                _raw.AsSpan(_start, _end - _start).CopyTo(_raw);
                _end -= _start;
                _start = 0;
            }
            return _raw.AsMemory(_end);
        }

        /// <summary>A read put <paramref name="count"/> bytes into <see cref="Space"/>.</summary>
        public void Added(int count) => _end += count;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        WakeReaderThread();
        try
        {
            if (_pump is not null)
                await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
