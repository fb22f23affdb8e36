namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// What of a matched block ends up in reach of the zlib codec's history. rsync feeds a matched block into deflate (or
/// inflate, on the receiving side) in pieces of at most 0xffff bytes; before protocol 31 every piece is taken from the
/// start of the block again, so a block longer than 64 KiB puts its first 64 KiB in the history repeatedly (token.c:
/// send_deflated_token and see_deflate_token, "Newer protocols avoid a data-duplicating bug"). Deflate only refers
/// back 32 KiB, so only the last 32 KiB of that byte sequence matter; both sides feed exactly those.
/// </summary>
internal static class DeflateHistory
{
    /// <summary>
    /// The last (at most) 32 KiB of what rsync feeds into the history for <paramref name="block"/>, as two spans to be
    /// fed in order: <paramref name="earlier"/> (often empty) then the returned span.
    /// </summary>
    public static ReadOnlySpan<byte> ReachableTail(ReadOnlySpan<byte> block, int protocol, out ReadOnlySpan<byte> earlier)
    {
        earlier = default;
        if (protocol >= TokenFraming.HistoryFixProtocol || block.Length <= TokenFraming.HistoryPiece)
            return block[^Math.Min(block.Length, TokenFraming.DeflateWindow)..];

        // Pieces: block[..0xffff] repeated, then block[..last] with last = the remainder in 1..0xffff.
        var last = block.Length - ((block.Length - 1) / TokenFraming.HistoryPiece * TokenFraming.HistoryPiece);
        if (last >= TokenFraming.DeflateWindow)
            return block[(last - TokenFraming.DeflateWindow)..last];
        var fromPrevious = TokenFraming.DeflateWindow - last;
        earlier = block[(TokenFraming.HistoryPiece - fromPrevious)..TokenFraming.HistoryPiece];
        return block[..last];
    }
}
