namespace ManagedRsync.Delta.Tokens;

/// <summary>A codec and the compression level its encoder uses, after rsync's defaults and clamps.</summary>
/// <param name="Codec">The codec; a zlib level of 0 turns compression off, so this may be <see cref="TokenCodec.None"/>.</param>
/// <param name="Level">The level passed to the compressor.</param>
public readonly record struct TokenCompression(TokenCodec Codec, int Level)
{
    /// <summary>zlib's Z_DEFAULT_COMPRESSION, which rsync maps to level 6.</summary>
    public const int ZlibDefaultCompression = -1;

    /// <summary>zstd's level range (ZSTD_minCLevel .. ZSTD_maxCLevel of the zstd rsync links, 1.5.x) and default.</summary>
    public const int ZstdMinLevel = -131072, ZstdMaxLevel = 22, ZstdDefaultLevel = 3;

    /// <summary>
    /// Applies rsync's rules for <c>--compress-level</c> (token.c: init_compression_level): zlib and zlibx default to 6,
    /// treat -1 as 6, turn compression off at 0 and clamp to 1..9; zstd defaults to 3, treats 0 as the default and
    /// clamps to its range; lz4 has the single level 0. Out-of-range levels are clamped without a warning, as rsync does.
    /// </summary>
    /// <param name="codec">The negotiated codec.</param>
    /// <param name="requested">The user's <c>--compress-level</c>, or null when not given.</param>
    public static TokenCompression Resolve(TokenCodec codec, int? requested)
    {
        switch (codec)
        {
            case TokenCodec.None:
                return new(TokenCodec.None, 0);
            case TokenCodec.Zlib or TokenCodec.ZlibX:
                if (requested is null or ZlibDefaultCompression)
                    return new(codec, 6);
                if (requested == 0)
                    return new(TokenCodec.None, 0);
                return new(codec, Math.Clamp(requested.Value, 1, 9));
            case TokenCodec.Zstd:
                if (requested is null or 0)
                    return new(codec, ZstdDefaultLevel);
                return new(codec, Math.Clamp(requested.Value, ZstdMinLevel, ZstdMaxLevel));
            case TokenCodec.Lz4:
                return new(codec, 0);
            default:
                throw new ArgumentOutOfRangeException(nameof(codec));
        }
    }
}
