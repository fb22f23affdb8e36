using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// The receiver's side of the delta (rsync receiver.c: receive_data): rebuilds the new file from a token stream and
/// the basis it was computed against. Every block index is checked against the basis layout before the basis is read.
/// </summary>
public static class DeltaPatcher
{
    /// <summary>
    /// Writes the file described by <paramref name="source"/> to <paramref name="output"/>, copying matched blocks from
    /// <paramref name="basis"/> (seekable, laid out by <paramref name="header"/>; may be null when the header has no
    /// blocks). <paramref name="fileSum"/>, if given, is reset and fed every byte written, for the caller to compare
    /// with the sender's sum. Returns the number of bytes written.
    /// </summary>
    public static long Apply(Stream? basis, SumHeader header, IDeltaSource source, Stream output,
        FileChecksum? fileSum = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        if (header.Count > 0 && (basis is null || !basis.CanSeek))
            throw new ArgumentException("A seekable basis is needed to copy matched blocks.", nameof(basis));
        fileSum?.Reset();
        var block = new byte[Math.Max(1, header.BlockLength)];
        long written = 0;
        long basisPosition = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var kind = source.Read(out var literal, out int index);
            ReadOnlySpan<byte> data;
            switch (kind)
            {
                case DeltaTokenKind.End:
                    return written;
                case DeltaTokenKind.Literal:
                    data = literal;
                    break;
                case DeltaTokenKind.Match:
                    if ((uint)index >= (uint)header.Count)
                        throw RsyncException.Protocol($"Block index {index} out of range: the basis has {header.Count} blocks");
                    int length = header.LengthOf(index);
                    long offset = (long)index * header.BlockLength;
                    if (basisPosition != offset)
                        basis!.Position = offset;
                    try
                    {
                        basis!.ReadExactly(block, 0, length);
                    }
                    catch (EndOfStreamException e)
                    {
                        throw new RsyncException(RsyncErrorKind.FileIo,
                            $"The basis is shorter than its signature: block {index} is missing", e);
                    }
                    basisPosition = offset + length;
                    data = block.AsSpan(0, length);
                    source.SeeMatch(data);
                    break;
                default:
                    throw RsyncException.Protocol($"Unknown delta token {kind}");
            }
            output.Write(data);
            fileSum?.Append(data);
            written += data.Length;
            progress?.Report(written);
        }
    }
}
