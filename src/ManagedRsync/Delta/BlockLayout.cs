namespace ManagedRsync.Delta;

/// <summary>
/// How the generator cuts a basis file into blocks (rsync generator.c: sum_sizes_sqroot).
/// </summary>
public static class BlockLayout
{
    /// <summary>rsync BLOCK_SIZE (rsync.h): the smallest automatic block length.</summary>
    public const int DefaultBlockLength = 700;

    /// <summary>rsync SUM_LENGTH: the strong-sum length of the redo pass.</summary>
    public const int FullStrongLength = 16;

    /// <summary>rsync SHORT_SUM_LENGTH: the initial csum_length of the first pass.</summary>
    public const int ShortStrongLength = 2;

    private const int BlockSumBias = 10; // rsync.h BLOCKSUM_BIAS

    /// <summary>
    /// The block length rsync picks for a file of <paramref name="fileLength"/> bytes: 700 up to 700² bytes, else
    /// the square root rounded down to a multiple of 8, capped at the protocol's maximum.
    /// </summary>
    public static int ChooseBlockLength(long fileLength, int protocol)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        if (fileLength <= (long)DefaultBlockLength * DefaultBlockLength)
            return DefaultBlockLength;
        int max = SumHeader.MaxBlockLengthFor(protocol);
        // c = the power of two at about the square root (one bit per two bits of the length).
        long c = 1;
        for (long l = fileLength; (l >>= 2) != 0;)
            c <<= 1;
        if (c >= max)
            return max;
        long blength = 0;
        for (; c >= 8; c >>= 1)
        {
            blength |= c;
            if (fileLength < blength * blength)
                blength &= ~c;
        }
        return (int)Math.Max(blength, DefaultBlockLength);
    }

    /// <summary>
    /// The strong-sum length rsync sends: from protocol 27 it grows with the file and shrinks with the block so that a
    /// false match stays unlikely; the redo pass (<paramref name="redo"/>) sends the full sum; before 27 it is
    /// rsync's csum_length (2, or 16 in the redo pass). Never more than the digest.
    /// </summary>
    public static int ChooseStrongLength(long fileLength, int blockLength, int protocol, int digestLength, bool redo = false)
    {
        int max = Math.Min(FullStrongLength, digestLength);
        if (protocol < 27)
            return redo ? FullStrongLength : ShortStrongLength;
        if (redo)
            return max;
        int b = BlockSumBias;
        for (long l = fileLength; (l >>= 1) != 0;)
            b += 2;
        for (int c = blockLength; (c >>= 1) != 0 && b != 0;)
            b--;
        // "add a bit, subtract rollsum, round up" (generator.c).
        int s2length = (b + 1 - 32 + 7) / 8;
        return Math.Min(Math.Max(s2length, ShortStrongLength), max);
    }

    /// <summary>
    /// The whole header for a basis of <paramref name="fileLength"/> bytes; <paramref name="blockLength"/> 0 means
    /// rsync's automatic choice (a fixed <c>--block-size</c> otherwise).
    /// </summary>
    public static SumHeader For(long fileLength, int protocol, int digestLength, int blockLength = 0, bool redo = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        int blength = blockLength > 0 ? blockLength : ChooseBlockLength(fileLength, protocol);
        int s2 = ChooseStrongLength(fileLength, blength, protocol, digestLength, redo);
        int remainder = (int)(fileLength % blength);
        long count = fileLength / blength + (remainder != 0 ? 1 : 0);
        if (count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(fileLength), "Too many blocks for one file; choose a larger block.");
        return new SumHeader((int)count, blength, s2, remainder);
    }
}
