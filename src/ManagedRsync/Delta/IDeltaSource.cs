namespace ManagedRsync.Delta;

/// <summary>What <see cref="IDeltaSource.Read"/> found next in a file's token stream.</summary>
public enum DeltaTokenKind
{
    /// <summary>The file's token stream is over.</summary>
    End,
    /// <summary>Literal bytes follow in the returned span.</summary>
    Literal,
    /// <summary>A block of the basis file, by index.</summary>
    Match,
}

/// <summary>
/// The receiving side of a file's delta (rsync token.c: recv_token). Every length and index read from the peer is
/// validated by the implementation before it is returned.
/// </summary>
public interface IDeltaSource
{
    /// <summary>
    /// Reads the next token. For <see cref="DeltaTokenKind.Literal"/>, <paramref name="literal"/> holds the bytes and
    /// is valid until the next call; for <see cref="DeltaTokenKind.Match"/>, <paramref name="blockIndex"/> is the block.
    /// </summary>
    DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex);

    /// <summary>
    /// After a <see cref="DeltaTokenKind.Match"/>, the caller hands back the basis bytes it copied so that compressing
    /// decoders keep their history in step with the sender's (rsync token.c: see_token).
    /// </summary>
    void SeeMatch(ReadOnlySpan<byte> data);
}
