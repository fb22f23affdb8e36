namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// Constants of rsync's token streams (rsync token.c and rsync.h). The compressed codecs share one framing: a flag
/// byte, then either compressed data or a (run of) block token(s).
/// </summary>
internal static class TokenFraming
{
    /// <summary>Largest literal chunk of the uncompressed stream and largest input piece (rsync.h: CHUNK_SIZE).</summary>
    public const int ChunkSize = 32 * 1024;

    /// <summary>End of a file's token stream (token.c: END_FLAG).</summary>
    public const byte EndFlag = 0x00;
    /// <summary>Followed by a 32-bit absolute token number (token.c: TOKEN_LONG).</summary>
    public const byte TokenLong = 0x20;
    /// <summary>TOKEN_LONG followed by a 16-bit count of further consecutive tokens (token.c: TOKENRUN_LONG).</summary>
    public const byte TokenRunLong = 0x21;
    /// <summary>Plus the high 6 bits of the length, then a byte with the low 8 (token.c: DEFLATED_DATA).</summary>
    public const byte DeflatedData = 0x40;
    /// <summary>Plus a 6-bit token number relative to the end of the previous run (token.c: TOKEN_REL).</summary>
    public const byte TokenRel = 0x80;
    /// <summary>TOKEN_REL followed by a 16-bit run count (token.c: TOKENRUN_REL).</summary>
    public const byte TokenRunRel = 0xC0;

    /// <summary>Largest compressed chunk: a 14-bit count (token.c: MAX_DATA_COUNT).</summary>
    public const int MaxDataCount = 16383;

    /// <summary>Largest token number a receiver accepts (token.c: MAX_TOKEN_INDEX).</summary>
    public const int MaxTokenIndex = 0x7ffffffe;

    /// <summary>Largest run rsync codes in one TOKENRUN: the 16-bit count of tokens after the first.</summary>
    public const int MaxRun = 65536;

    /// <summary>
    /// The matched data rsync feeds into the deflate history is cut into pieces of at most this many bytes, the
    /// largest stored block (token.c: send_deflated_token and see_deflate_token).
    /// </summary>
    public const int HistoryPiece = 0xffff;

    /// <summary>Deflate's window: no back-reference reaches further than this (RFC 1951, windowBits 15).</summary>
    public const int DeflateWindow = 32 * 1024;

    /// <summary>
    /// First protocol that advances through a long matched block when feeding it into the deflate history; older
    /// protocols feed the block's first 64 KiB again for every piece (token.c: "Newer protocols avoid a
    /// data-duplicating bug").
    /// </summary>
    public const int HistoryFixProtocol = 31;
}
