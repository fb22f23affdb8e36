using System.Buffers;
using System.Buffers.Binary;
using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// Writes a delta in ManagedRsync's delta file format into a buffer that the caller drains to its output (so the
/// same writer serves synchronous and asynchronous callers). Consecutive blocks are merged into one run.
/// </summary>
internal sealed class DeltaFileWriter : IDeltaSink
{
    private readonly ArrayBufferWriter<byte> _out = new(1 << 16);
    private int _runFirst = -1;
    private int _runLength;

    public DeltaFileWriter(Signature signature)
    {
        var h = signature.Header;
        var head = _out.GetSpan(DeltaFileFormat.DeltaHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(head, DeltaFileFormat.DeltaMagic);
        head[4] = DeltaFileFormat.Version;
        head[5] = (byte)signature.Variant;
        head[6] = head[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(head[8..], h.BlockLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[12..], h.Count);
        BinaryPrimitives.WriteInt32LittleEndian(head[16..], h.Remainder);
        BinaryPrimitives.WriteInt32LittleEndian(head[20..], signature.Seed);
        _out.Advance(DeltaFileFormat.DeltaHeaderLength);
    }

    /// <summary>Bytes written and not yet drained.</summary>
    public ReadOnlyMemory<byte> Pending => _out.WrittenMemory;

    /// <summary>Forgets the drained bytes.</summary>
    public void ClearPending() => _out.ResetWrittenCount();

    public void WriteLiteral(ReadOnlySpan<byte> data)
    {
        FlushRun();
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, MatchFinder.ChunkSize);
            var span = _out.GetSpan(5 + n);
            span[0] = DeltaFileFormat.LiteralToken;
            BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)n);
            data[..n].CopyTo(span[5..]);
            _out.Advance(5 + n);
            data = data[n..];
        }
    }

    public void WriteMatch(int blockIndex, ReadOnlySpan<byte> data)
    {
        if (_runFirst >= 0 && blockIndex == _runFirst + _runLength)
        {
            _runLength++;
            return;
        }
        FlushRun();
        _runFirst = blockIndex;
        _runLength = 1;
    }

    public void Finish()
    {
        FlushRun();
        _out.GetSpan(1)[0] = DeltaFileFormat.EndToken;
        _out.Advance(1);
    }

    /// <summary>Appends the new file's whole-file sum after the end token.</summary>
    public void WriteFileSum(FileChecksum sum)
    {
        sum.GetDigestAndReset(_out.GetSpan(sum.DigestLength));
        _out.Advance(sum.DigestLength);
    }

    private void FlushRun()
    {
        if (_runFirst < 0)
            return;
        var span = _out.GetSpan(9);
        span[0] = DeltaFileFormat.MatchToken;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], _runFirst);
        BinaryPrimitives.WriteInt32LittleEndian(span[5..], _runLength);
        _out.Advance(9);
        _runFirst = -1;
    }
}
