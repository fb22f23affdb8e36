using System.Buffers.Binary;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// Reads a file's delta from the wire in one of rsync's token codecs (rsync token.c: recv_token). One decoder serves
/// a whole session. It reads exactly the bytes of the token stream from the session stream and never reads ahead, so
/// the caller can read what follows (the whole-file sum) from the same stream.
/// </summary>
/// <remarks>
/// Everything from the peer is bounded before use: token numbers against rsync's limit and, when the caller said so
/// with <see cref="BeginFile"/>, against the block count; literal bytes against the caller's budget for the file, so
/// a compressed stream that expands without end (a deflate bomb) is stopped; a truncated stream or corrupt
/// compressed data is a <see cref="RsyncException"/> of kind <see cref="RsyncErrorKind.ProtocolViolation"/>.
/// The session stream should be buffered: flag bytes are read one at a time.
/// </remarks>
public abstract class TokenDecoder : IDeltaSource, IDisposable
{
    private int _blockCount = int.MaxValue;
    private long _literalBudget = long.MaxValue;
    private readonly byte[] _int32 = new byte[4];

    private protected TokenDecoder(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input = input;
    }

    private protected Stream Input { get; }

    /// <summary>
    /// Bounds the next file's token stream: block indexes must be below <paramref name="blockCount"/> (the count of
    /// the sum header sent for the file) and literal data may not exceed <paramref name="maxLiteralBytes"/> in total
    /// (for example the file's size from the file list). The bounds last until the file's end token.
    /// </summary>
    public void BeginFile(int blockCount, long maxLiteralBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockCount);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLiteralBytes);
        _blockCount = blockCount;
        _literalBudget = maxLiteralBytes;
    }

    /// <inheritdoc />
    public abstract DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex);

    /// <inheritdoc />
    public virtual void SeeMatch(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>The file's end token was read: the bounds of <see cref="BeginFile"/> no longer apply.</summary>
    private protected void EndFile()
    {
        _blockCount = int.MaxValue;
        _literalBudget = long.MaxValue;
    }

    /// <summary>Charges literal bytes against the file's budget before they are handed out.</summary>
    private protected void ChargeLiteral(long count)
    {
        if (count > _literalBudget)
            throw RsyncException.Protocol($"token stream: the file's literal data exceeds what the file may hold");
        _literalBudget -= count;
    }

    /// <summary>A token number from the peer, checked against rsync's limit and the file's block count.</summary>
    private protected int CheckBlock(long token)
    {
        if (token < 0 || token > TokenFraming.MaxTokenIndex)
            throw RsyncException.Protocol($"token stream: invalid token number {token}");
        if (token >= _blockCount)
            throw RsyncException.Protocol($"token stream: block {token} does not exist (the file has {_blockCount} blocks)");
        return (int)token;
    }

    private protected byte ReadByteOrThrow()
    {
        var value = Input.ReadByte();
        if (value < 0)
            throw Truncated();
        return (byte)value;
    }

    /// <summary>rsync io.c: read_int, a little-endian int32.</summary>
    private protected int ReadInt32OrThrow()
    {
        ReadExactlyOrThrow(_int32);
        return BinaryPrimitives.ReadInt32LittleEndian(_int32);
    }

    private protected void ReadExactlyOrThrow(Span<byte> buffer)
    {
        try
        {
            Input.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw Truncated(e);
        }
    }

    private static RsyncException Truncated(Exception? inner = null) =>
        new(RsyncErrorKind.ProtocolViolation, "token stream: the peer's data ended in the middle of a file's delta", inner);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases codec state.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
