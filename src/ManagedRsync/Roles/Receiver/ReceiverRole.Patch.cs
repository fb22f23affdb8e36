using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Platform;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Roles.Receiver;

// rsync receiver.c: receive_data — the new file from the token stream and the basis, for a file written into a
// temporary file. Matched blocks are read from the basis straight into the writer's buffer (TempFileWriter.Reserve),
// read ahead while the tokens name the blocks that follow one another: a file that changed little is then copied with
// one positional read and one write per 256 KiB, where DeltaPatcher (a buffered basis stream, each block copied out of
// its buffer and again into the writer's) copied every byte twice more in memory. In place (--inplace, --append) the
// file is its own basis and DeltaPatcher's block-by-block reads stay.
internal sealed partial class ReceiverRole
{
    /// <summary>Read-ahead of the basis grows, while matches are consecutive, from one block up to the writer's buffer.</summary>
    private long PatchFromBasis(SafeFileHandle? basis, SumHeader header, BoundedDeltaSource tokens, FileChecksum? sum,
        CancellationToken ct)
    {
        sum?.Reset();
        TempFileWriter writer = _writer!;
        long written = 0;
        long aheadAt = -1; // the basis offset whose bytes start the writer's free space (-1: none there)
        int ahead = 0;
        long nextSequential = -1;
        int window = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            switch (tokens.Read(out ReadOnlySpan<byte> literal, out int index))
            {
                case DeltaTokenKind.End:
                    return written;
                case DeltaTokenKind.Literal:
                    writer.Write(literal);
                    sum?.Append(literal);
                    written += literal.Length;
                    aheadAt = nextSequential = -1;
                    continue;
                case DeltaTokenKind.Match:
                    break;
                default:
                    throw RsyncException.Protocol("Unknown delta token");
            }
            if ((uint)index >= (uint)header.Count)
                throw RsyncException.Protocol($"Block index {index} out of range: the basis has {header.Count} blocks");
            int length = header.LengthOf(index);
            long offset = (long)index * header.BlockLength;
            window = offset == nextSequential ? Math.Min(2 * window, TempFileWriter.BufferSize) : length;
            if (aheadAt != offset || ahead < length)
            {
                Span<byte> free = writer.Reserve(length);
                int wanted = (int)Math.Min(Math.Min(free.Length, Math.Max(window, length)), header.FileLength - offset);
                ahead = ReadBasis(basis!, free[..wanted], offset, length, index);
                aheadAt = offset;
            }
            ReadOnlySpan<byte> data = writer.Reserve(length)[..length];
            tokens.SeeMatch(data);
            sum?.Append(data);
            written += length;
            nextSequential = offset + length;
            aheadAt = offset + length;
            ahead -= length;
            if (writer.Advance(length))
                aheadAt = -1;
        }
    }

    // At least `needed` bytes of the basis at `offset` into `into` (as many more as there are, up to its length).
    private static int ReadBasis(SafeFileHandle basis, Span<byte> into, long offset, int needed, int index)
    {
        int got = 0;
        while (got < into.Length)
        {
            int n = PositionalIo.ReadAt(basis, into[got..], offset + got);
            if (n <= 0)
                break;
            got += n;
        }
        if (got < needed)
            throw new RsyncException(RsyncErrorKind.FileIo, $"The basis is shorter than its signature: block {index} is missing");
        return got;
    }
}
