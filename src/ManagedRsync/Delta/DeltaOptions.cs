using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>Choices for <see cref="DeltaEngine"/>.</summary>
public sealed class DeltaOptions
{
    /// <summary>
    /// Block length in bytes; 0 picks rsync's rule from the basis length (700 bytes up to 490 kB, then the square
    /// root, at most 128 KiB), or <see cref="StreamingBlockLength"/> when the basis length is unknown.
    /// </summary>
    public int BlockLength { get; init; }

    /// <summary>Strong block and whole-file sum. Any of rsync's except <see cref="ChecksumKind.None"/>.</summary>
    public ChecksumKind Checksum { get; init; } = ChecksumKind.Xxh128;

    /// <summary>Bytes of each strong block sum kept in the signature; 0 keeps the whole digest.</summary>
    public int StrongLength { get; init; }

    /// <summary>Receives the number of input bytes dealt with so far.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>The block length used for a basis read from a stream that cannot tell its length.</summary>
    public const int StreamingBlockLength = 2048;

    internal ChecksumVariant Variant => Checksum == ChecksumKind.None
        ? throw new ArgumentException("A delta needs a strong checksum; 'none' is not one.")
        : ChecksumNames.Resolve(Checksum, 31);

    internal int StrongLengthFor(ChecksumVariant variant)
    {
        int digest = ChecksumNames.DigestLength(variant);
        if (StrongLength < 0 || StrongLength > digest)
            throw new ArgumentOutOfRangeException(nameof(StrongLength), $"The {Checksum} digest has {digest} bytes.");
        return StrongLength == 0 ? digest : StrongLength;
    }

    /// <summary>
    /// Checks the choices before any file is touched: the block length (at most 512 MiB), the checksum (not
    /// <see cref="ChecksumKind.None"/>) and the strong length (at most the digest's).
    /// </summary>
    /// <exception cref="ArgumentException">A choice the engine cannot use; the message says which.</exception>
    public void Validate() => _ = LayoutFor(0, Variant);

    internal SumHeader LayoutFor(long basisLength, ChecksumVariant variant)
    {
        int blength = BlockLength > 0 ? BlockLength : BlockLayout.ChooseBlockLength(basisLength, 31);
        if (blength > SumHeader.OldMaxBlockLength)
            throw new ArgumentOutOfRangeException(nameof(BlockLength), "At most 512 MiB per block.");
        var header = BlockLayout.For(basisLength, 31, ChecksumNames.DigestLength(variant), blength);
        return header with { StrongLength = StrongLengthFor(variant) };
    }
}
