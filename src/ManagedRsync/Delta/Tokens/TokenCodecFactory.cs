namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// Creates the token encoder and decoder of a session. Create one of each per session and use it for every file:
/// the zstd codec is one stream across files and the others keep per-session buffers.
/// </summary>
public static class TokenCodecFactory
{
    /// <summary>
    /// An encoder writing to <paramref name="output"/> for the negotiated <paramref name="codec"/>. The level is
    /// resolved with <see cref="TokenCompression.Resolve"/> (a zlib level of 0 gives the uncompressed encoder).
    /// </summary>
    /// <param name="codec">The negotiated codec.</param>
    /// <param name="protocol">The session's protocol version (zlib's history differs below 31).</param>
    /// <param name="level">The user's <c>--compress-level</c>, or null.</param>
    /// <param name="output">The session stream the token stream goes to.</param>
    /// <param name="stored">
    /// zlib and zlibx deflate at level 0 (stored blocks) whatever the level, when compression stays on (token.c:
    /// send_deflated_token's per_file_default_level for a daemon module whose "dont compress" has "*").
    /// </param>
    public static TokenEncoder CreateEncoder(TokenCodec codec, int protocol, int? level, Stream output, bool stored = false)
    {
        var (effective, resolved) = TokenCompression.Resolve(codec, level);
        if (stored && effective is TokenCodec.Zlib or TokenCodec.ZlibX)
            resolved = 0;
        return effective switch
        {
            TokenCodec.None => new PlainTokenEncoder(output),
            TokenCodec.Zlib => new DeflateTokenEncoder(output, resolved, protocol, matchedHistory: true),
            TokenCodec.ZlibX => new DeflateTokenEncoder(output, resolved, protocol, matchedHistory: false),
            TokenCodec.Zstd => new ZstdTokenEncoder(output, resolved),
            TokenCodec.Lz4 => new Lz4TokenEncoder(output),
            _ => throw new ArgumentOutOfRangeException(nameof(codec)),
        };
    }

    /// <summary>
    /// A decoder reading from <paramref name="input"/> for the negotiated <paramref name="codec"/>. The receiver does
    /// not know the sender's level and needs none. Note that a zlib level of 0 on the sending side means the session
    /// runs uncompressed (rsync turns compression off for both sides before the transfer starts).
    /// </summary>
    /// <param name="codec">The negotiated codec.</param>
    /// <param name="protocol">The session's protocol version (zlib's history differs below 31).</param>
    /// <param name="input">The session stream the token stream comes from; it is never read beyond the stream's end.</param>
    public static TokenDecoder CreateDecoder(TokenCodec codec, int protocol, Stream input) => codec switch
    {
        TokenCodec.None => new PlainTokenDecoder(input),
        TokenCodec.Zlib => new DeflateTokenDecoder(input, protocol, matchedHistory: true),
        TokenCodec.ZlibX => new DeflateTokenDecoder(input, protocol, matchedHistory: false),
        TokenCodec.Zstd => new ZstdTokenDecoder(input),
        TokenCodec.Lz4 => new Lz4TokenDecoder(input),
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };
}
