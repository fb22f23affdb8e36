namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The compression a session's token stream uses, as negotiated (rsync compat.c: valid_compressions; the numbers are
/// rsync's CPRES_* values from rsync.h).
/// </summary>
public enum TokenCodec
{
    /// <summary>Uncompressed tokens (rsync token.c: simple_send_token).</summary>
    None = 0,
    /// <summary>Deflate with the matched data in both sides' history (CPRES_ZLIB, the classic <c>-z</c>).</summary>
    Zlib = 1,
    /// <summary>Deflate without matched data in the history (CPRES_ZLIBX).</summary>
    ZlibX = 2,
    /// <summary>LZ4 blocks, each chunk compressed on its own (CPRES_LZ4).</summary>
    Lz4 = 3,
    /// <summary>One zstd stream for the whole session, flushed at the end of each file (CPRES_ZSTD).</summary>
    Zstd = 4,
}

/// <summary>Names of the codecs as they appear in rsync's negotiation strings and <c>--compress-choice</c>.</summary>
public static class TokenCodecNames
{
    /// <summary>The name rsync uses on the wire (compat.c: valid_compressions).</summary>
    public static string ToWireName(this TokenCodec codec) => codec switch
    {
        TokenCodec.None => "none",
        TokenCodec.Zlib => "zlib",
        TokenCodec.ZlibX => "zlibx",
        TokenCodec.Lz4 => "lz4",
        TokenCodec.Zstd => "zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    /// <summary>Parses a negotiated or user-given name; rsync compares them case-insensitively (compat.c: get_nni_by_name).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out TokenCodec codec)
    {
        foreach (var candidate in (ReadOnlySpan<TokenCodec>)[TokenCodec.Zstd, TokenCodec.Lz4, TokenCodec.ZlibX, TokenCodec.Zlib, TokenCodec.None])
        {
            if (name.Equals(candidate.ToWireName(), StringComparison.OrdinalIgnoreCase))
            {
                codec = candidate;
                return true;
            }
        }
        codec = TokenCodec.None;
        return false;
    }
}
