namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// Puts a file's delta on the wire in one of rsync's token codecs (rsync token.c: send_token). One encoder serves a
/// whole session: zstd keeps one stream across files, zlib restarts per file, exactly as rsync does.
/// </summary>
/// <remarks>
/// rsync's match finder hands the codec one call per "matched()" event: the literal bytes since the last match together
/// with the next token (match.c: matched). Here each <see cref="IDeltaSink.WriteLiteral"/> call stands for one such
/// run of literal bytes: it is held back until the next call, and sent together with the match or end that follows
/// it, or on its own (rsync's token -2, "data only") when another literal follows. Callers that emit literals the way
/// rsync's match finder does (32 KiB pieces of a file sent whole, the bytes before each match in one call) therefore
/// produce the same framing as stock rsync. Bytes go to the session stream at the end of each file at the latest.
/// </remarks>
public abstract class TokenEncoder : IDeltaSink, IDisposable
{
    /// <summary>Literal bytes longer than this are sent before the next token rather than held back.</summary>
    private const int MaxHeldLiteral = 256 * 1024;

    private byte[] _held = new byte[TokenFraming.ChunkSize];
    private int _heldLength;
    private bool _hasHeld;

    private protected TokenEncoder(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Output = new TokenOutput(output);
    }

    private protected TokenOutput Output { get; }

    /// <inheritdoc />
    public void WriteLiteral(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        if (_hasHeld)
            SendHeld(TokenSend.DataOnly, default);
        while (data.Length > MaxHeldLiteral)
        {
            // rsync's own match finder never produces literal runs this long in one call; send them as data-only
            // pieces so that memory stays bounded whatever the caller does.
            Send(TokenSend.DataOnly, data[..TokenFraming.ChunkSize], default);
            data = data[TokenFraming.ChunkSize..];
        }
        if (_held.Length < data.Length)
            _held = new byte[Math.Max(data.Length, _held.Length * 2)];
        data.CopyTo(_held);
        _heldLength = data.Length;
        _hasHeld = true;
    }

    /// <inheritdoc />
    public void WriteMatch(int blockIndex, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockIndex, TokenFraming.MaxTokenIndex);
        SendHeld(blockIndex, data);
    }

    /// <inheritdoc />
    public void Finish()
    {
        SendHeld(TokenSend.EndOfFile, default);
        Output.Flush();
    }

    private void SendHeld(int token, ReadOnlySpan<byte> matched)
    {
        var literal = _hasHeld ? _held.AsSpan(0, _heldLength) : default;
        _hasHeld = false;
        _heldLength = 0;
        Send(token, literal, matched);
    }

    /// <summary>
    /// One call of rsync's send_token: <paramref name="literal"/> bytes, then <paramref name="token"/> (a block index,
    /// <see cref="TokenSend.EndOfFile"/> or <see cref="TokenSend.DataOnly"/>); <paramref name="matched"/> holds the
    /// block's bytes for codecs that keep them in their history.
    /// </summary>
    private protected abstract void Send(int token, ReadOnlySpan<byte> literal, ReadOnlySpan<byte> matched);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases codec state (native or pooled buffers).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>The negative token values of rsync's send_token (match.c: matched).</summary>
internal static class TokenSend
{
    /// <summary>End of the file: the literal is followed by the end marker.</summary>
    public const int EndOfFile = -1;
    /// <summary>Literal data only, no token after it (compressors do not flush).</summary>
    public const int DataOnly = -2;
}
