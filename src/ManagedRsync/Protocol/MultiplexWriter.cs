using ManagedRsync.Platform;
using System.Buffers;
using System.Buffers.Binary;

namespace ManagedRsync.Protocol;

/// <summary>
/// The output side of the connection: a buffer that parsers and encoders write into (as an
/// <see cref="IBufferWriter{T}"/> or as a <see cref="Stream"/>), sent as MSG_DATA frames once multiplexing is on
/// (rsync io.c: mplex_write; a client sender multiplexes its output from protocol 30, rsync main.c: client_run)
/// or raw before that. Writes are synchronous: the peer's output is drained by <see cref="MultiplexReader"/>'s
/// pump, so blocking here cannot deadlock.
/// </summary>
internal sealed class MultiplexWriter : Stream, IBufferWriter<byte>
{
    private const int HeaderLength = 4;

    /// <summary>
    /// Largest MSG_DATA payload we emit, header included a write of 64 KiB less 128 bytes: one TCP segment on Linux's
    /// loopback (MTU 65536: an MSS of 65483 over IPv4, 65464 over IPv6, with timestamps). At 64 KiB of payload every
    /// full frame went out as a segment of 65483 bytes and one of 57, which the peer's kernel received and acknowledged
    /// on its own (a 10,000-file pull from `mrsync daemon`: 1,244 data segments to stock's 844). rsync io.c's own
    /// output buffer is IO_BUFFER_SIZE * 2 (64 KiB) with the header in it; its frames stay well under the 24-bit limit.
    /// </summary>
    private const int MaxFramePayload = 64 * 1024 - 128 - HeaderLength;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _end;
    private bool _multiplexed;

    public MultiplexWriter(Stream stream)
    {
        _stream = stream;
        _buffer = new byte[HeaderLength + MaxFramePayload];
        _end = HeaderLength;
    }

    /// <summary>
    /// Bytes handed to the socket (including frame headers) since <see cref="StartCounting"/>, for rsync's "sent N
    /// bytes" figure. Buffered bytes count once they are sent, as stock's stats.total_written counts what perform_io
    /// wrote (a small file list sent whole in one buffer counts nothing while it is listed: "File list size: 0").
    /// </summary>
    public long TotalWritten { get; private set; }

    /// <summary>
    /// From here on the bytes sent count (rsync io.c: stats.total_written grows only in perform_io, once
    /// io_start_buffering_out has set iobuf.out_fd after compat.c: setup_protocol, whose bytes go out with safe_write).
    /// What is still buffered counts when it is sent.
    /// </summary>
    public void StartCounting() => TotalWritten = 0;

    /// <summary>Data bytes handed to the writer, frame headers and messages not counted (rsync io.c: total_data_written).</summary>
    public long DataWritten { get; private set; }

    /// <summary>From now on, data goes out in MSG_DATA frames (rsync io.c: io_start_multiplex_out).</summary>
    public void StartMultiplexing()
    {
        FlushBuffer();
        _multiplexed = true;
    }

    public bool IsMultiplexed => _multiplexed;

    private Stream? _tee;
    private int _teeFrom;

    /// <summary>
    /// From here on every data byte written is copied to <paramref name="tee"/> too (rsync io.c: write_buf copies to
    /// batch_fd what goes to write_batch_monitor_out): data already buffered is not.
    /// </summary>
    public void StartTee(Stream tee)
    {
        _tee = tee;
        _teeFrom = _end;
    }

    private bool _teeOnly;

    /// <summary>
    /// While on, data written goes to the tee and not to the peer (rsync sender.c: f_xfer is batch_fd with
    /// --only-write-batch); what was buffered before goes to both.
    /// </summary>
    public void DivertToTee(bool on)
    {
        if (_tee is null)
            throw new InvalidOperationException("no tee to divert to");
        FlushBuffer();
        _teeOnly = on;
    }

    /// <summary>Sends what is buffered (so that it reaches the tee too) and stops copying.</summary>
    public void StopTee()
    {
        if (_tee is null)
            return;
        FlushBuffer();
        _tee = null;
    }

    /// <summary>Data waits in the buffer (rsync io.c: iobuf.out.len > iobuf.out_empty_len).</summary>
    public bool HasBufferedData => _end > HeaderLength;

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _end))
            throw new ArgumentOutOfRangeException(nameof(count));
        _end += count;
        DataWritten += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_end);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_end);
    }

    private void Reserve(int sizeHint)
    {
        if (sizeHint < 1)
            sizeHint = 1;
        if (_buffer.Length - _end >= sizeHint)
            return;
        FlushBuffer();
        if (_buffer.Length - _end < sizeHint)
            Array.Resize(ref _buffer, HeaderLength + sizeHint);
    }

    /// <summary>Sends a non-data message (rsync io.c: send_msg), after any buffered data so that order is kept.</summary>
    public void WriteMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        if (!_multiplexed)
            throw new InvalidOperationException("messages need a multiplexed stream");
        FlushBuffer();
        WriteMessageAhead(code, payload);
    }

    /// <summary>
    /// Sends a non-data message ahead of the data still buffered, as rsync io.c: perform_io does (it writes pending
    /// messages before buffered data; only a flush orders them after it). A server's messages reach the client this
    /// way, before the itemization it has buffered.
    /// </summary>
    public void WriteMessageAhead(MessageCode code, ReadOnlySpan<byte> payload)
    {
        if (!_multiplexed)
            throw new InvalidOperationException("messages need a multiplexed stream");
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ((uint)(MultiplexReader.MplexBase + (int)code) << 24) | (uint)payload.Length);
        Raw(header);
        Raw(payload);
        TotalWritten += HeaderLength + payload.Length;
    }

    /// <summary>rsync io.c: send_msg_int.</summary>
    public void WriteMessageInt(MessageCode code, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        WriteMessage(code, b);
    }

    // Sends whatever is buffered, in frames of at most MaxFramePayload when multiplexed.
    private void FlushBuffer()
    {
        int payload = _end - HeaderLength;
        if (payload <= 0)
            return;
        if (_tee is not null)
        {
            int from = Math.Max(HeaderLength, _teeFrom);
            _tee.Write(_buffer.AsSpan(from, _end - from));
            _teeFrom = HeaderLength;
            if (_teeOnly)
            {
                _end = HeaderLength;
                return;
            }
        }
        if (!_multiplexed)
        {
            Raw(_buffer.AsSpan(HeaderLength, payload));
            TotalWritten += payload;
        }
        else if (payload <= MaxFramePayload)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer, ((uint)MultiplexReader.MplexBase << 24) | (uint)payload);
            Raw(_buffer.AsSpan(0, HeaderLength + payload));
            TotalWritten += HeaderLength + payload;
        }
        else
        {
            Span<byte> header = stackalloc byte[HeaderLength];
            for (int off = HeaderLength; off < _end; off += MaxFramePayload)
            {
                int n = Math.Min(MaxFramePayload, _end - off);
                BinaryPrimitives.WriteUInt32LittleEndian(header, ((uint)MultiplexReader.MplexBase << 24) | (uint)n);
                Raw(header);
                Raw(_buffer.AsSpan(off, n));
                TotalWritten += HeaderLength + n;
            }
            if (_buffer.Length > HeaderLength + MaxFramePayload)
                _buffer = new byte[HeaderLength + MaxFramePayload];
        }
        _end = HeaderLength;
    }

    /// <summary>Once cancelled, the next write to the connection throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Stop { get; init; }

    /// <summary>Sends everything buffered now.</summary>
    public void Send()
    {
        FlushBuffer();
        try
        {
            _stream.Flush();
        }
        catch (IOException ex)
        {
            throw WriteError(ex);
        }
    }

    // A failed write is the connection's failure, never the file's being sent: rsync io.c (writefd_unbuffered) says
    // "write error" and exits with RERR_SOCKETIO, whatever the writer was doing. As an RsyncException it passes the
    // sender's handler of file read errors (an IOException) untouched.
    private void Raw(ReadOnlySpan<byte> bytes)
    {
        Stop.ThrowIfCancellationRequested();
        try
        {
            _stream.Write(bytes);
        }
        catch (IOException ex)
        {
            throw WriteError(ex);
        }
    }

    /// <summary>rsync io.c (writefd_unbuffered): a failed write on the connection, RERR_SOCKETIO.</summary>
    internal static RsyncException WriteError(IOException ex) =>
        new(RsyncErrorKind.Connection, $"write error: {SystemError.Describe(ex)}", ex);

    /// <summary>
    /// Deliberately does nothing: writers of this stream (the token encoders) flush after every file, and sending a
    /// frame per small file would cost a system call each. Buffered bytes go out when the buffer fills or when
    /// <see cref="Send"/> is called, which the session does before it waits for the peer (as rsync io.c only
    /// flushes when it must wait).
    /// </summary>
    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_end == _buffer.Length)
                FlushBuffer();
            int n = Math.Min(buffer.Length, _buffer.Length - _end);
            buffer[..n].CopyTo(_buffer.AsSpan(_end));
            _end += n;
            DataWritten += n;
            buffer = buffer[n..];
        }
    }

    public override void WriteByte(byte value)
    {
        if (_end == _buffer.Length)
            FlushBuffer();
        _buffer[_end++] = value;
        DataWritten++;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
