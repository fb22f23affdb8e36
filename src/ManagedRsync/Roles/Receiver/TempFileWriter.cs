using System.Buffers;
using ManagedRsync.IO;
using ManagedRsync.Platform;
using Microsoft.Win32.SafeHandles;


namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The receiver's output: a write-only stream over one temporary file at a time that gathers small writes (literal
/// chunks of at most 32 KiB, matched blocks) into large positional writes. One instance serves the whole session so
/// that its buffer is rented once, not once per file.
/// </summary>
internal sealed partial class TempFileWriter : WriteOnlyForwardStream
{
    /// <summary>The buffer's size: the most <see cref="Reserve"/> can give.</summary>
    public const int BufferSize = 256 * 1024;

    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private SafeFileHandle? _file;
    private int _buffered;
    private long _flushed;

    /// <summary>Told how far the file is written after each large write (--progress while a file arrives).</summary>
    public Action<long>? Written { get; set; }

    /// <summary>
    /// Also fed every byte written, when set (--append: the whole-file sum goes on after the kept start, which the
    /// patcher does not see).
    /// </summary>
    public Checksums.FileChecksum? Sum { get; set; }

    /// <summary>
    /// The file is rewritten in place (--inplace): it ends where the writes end, whatever was there before
    /// (receiver.c: receive_data's closing ftruncate).
    /// </summary>
    public bool InPlace { get; set; }

    /// <summary>Directs the following writes to <paramref name="file"/>, from <paramref name="at"/> on (--append: after what it holds).</summary>
    public void Start(SafeFileHandle file, long at = 0)
    {
        _file = file;
        _preallocated = 0;
        _holeStart = _holeEnd = at;
        _buffered = 0;
        _flushed = at;
    }

    /// <summary>Writes what is still buffered, ends the file at what was written and lets go of it.</summary>
    public void Finish()
    {
        Flush();
        if (_file is not null)
            EndFile(_file, _flushed);
        _file = null;
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(TempFileWriter));
        if (_file is null)
            throw new InvalidOperationException("no file to write to");
        Sum?.Append(data);
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, buffer.Length - _buffered);
            data[..n].CopyTo(buffer.AsSpan(_buffered));
            _buffered += n;
            data = data[n..];
            if (_buffered == buffer.Length)
                Flush();
        }
    }

    /// <summary>
    /// The free part of the buffer at the write position, at least <paramref name="length"/> bytes (at most
    /// <see cref="BufferSize"/>; what is buffered is written out first when less is free). Bytes placed there are
    /// written once <see cref="Advance"/> takes them: a matched block read from the basis straight into it needs no
    /// copy of its own.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(TempFileWriter));
        if (_file is null)
            throw new InvalidOperationException("no file to write to");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        if (buffer.Length - _buffered < length)
            Flush();
        return buffer.AsSpan(_buffered);
    }

    /// <summary>
    /// Takes the first <paramref name="count"/> bytes of the span <see cref="Reserve"/> gave as written. True when
    /// that filled the buffer and it was written out (what else the span held is gone).
    /// </summary>
    public bool Advance(int count)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(TempFileWriter));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - _buffered);
        Sum?.Append(buffer.AsSpan(_buffered, count));
        _buffered += count;
        if (_buffered < buffer.Length)
            return false;
        Flush();
        return true;
    }

    public override void Flush()
    {
        if (_buffered == 0 || _file is null || _buffer is null)
            return;
        if (Sparse)
            WriteSparse(_file, _buffer.AsSpan(0, _buffered), _flushed);
        else
            PositionalIo.WriteAt(_file, _buffer.AsSpan(0, _buffered), _flushed);
        _flushed += _buffered;
        _buffered = 0;
        Written?.Invoke(_flushed);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
        base.Dispose(disposing);
    }
}
