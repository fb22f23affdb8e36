namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The framing shared by rsync's compressed codecs (token.c: send_deflated_token, send_zstd_token,
/// send_compressed_token): consecutive matched blocks are coded as runs, each run relative to the end of the previous
/// one when that fits in 6 bits; compressed literal data goes out in DEFLATED_DATA chunks of at most 16383 bytes.
/// </summary>
internal abstract class CompressedTokenEncoder(Stream output) : TokenEncoder(output)
{
    // rsync token.c keeps these as statics: the last token sent, where the current run started and where the
    // previous run ended. last_token == -1 means "no file in progress".
    private int _lastToken = -1;
    private int _runStart;
    private int _lastRunEnd;
    private bool _flushPending;

    private protected sealed override void Send(int token, ReadOnlySpan<byte> literal, ReadOnlySpan<byte> matched)
    {
        if (_lastToken == -1)
        {
            StartFile();
            _lastRunEnd = 0;
            _runStart = token;
            _flushPending = false;
        }
        else if (_lastToken == TokenSend.DataOnly)
        {
            _runStart = token;
        }
        else if (!literal.IsEmpty || token != _lastToken + 1 || token >= _runStart + TokenFraming.MaxRun)
        {
            WriteRun();
            _lastRunEnd = _lastToken;
            _runStart = token;
        }
        _lastToken = token;

        if (!literal.IsEmpty || _flushPending)
        {
            // A data-only piece is not flushed: the next piece continues the same compressed block.
            CompressLiteral(literal, flush: token != TokenSend.DataOnly);
            _flushPending = token == TokenSend.DataOnly;
        }

        if (token == TokenSend.EndOfFile)
            Output.WriteByte(TokenFraming.EndFlag);
        else if (token != TokenSend.DataOnly)
            SeeMatched(matched);
    }

    /// <summary>token.c: "output previous run" — TOKEN_REL/TOKENRUN_REL + 6-bit offset, else the LONG forms.</summary>
    private void WriteRun()
    {
        var relative = _runStart - _lastRunEnd;
        var run = _lastToken - _runStart;
        if (relative is >= 0 and <= 63)
        {
            Output.WriteByte((byte)((run == 0 ? TokenFraming.TokenRel : TokenFraming.TokenRunRel) + relative));
        }
        else
        {
            Output.WriteByte(run == 0 ? TokenFraming.TokenLong : TokenFraming.TokenRunLong);
            Output.WriteInt32(_runStart);
        }
        if (run != 0)
        {
            Output.WriteByte((byte)run);
            Output.WriteByte((byte)(run >> 8));
        }
    }

    /// <summary>A new file starts (zlib resets its stream here; zstd and lz4 do nothing).</summary>
    private protected virtual void StartFile()
    {
    }

    /// <summary>
    /// Compresses literal bytes and writes them as DEFLATED_DATA chunks. With <paramref name="flush"/> the compressor
    /// must emit everything it holds, since a token or the end follows.
    /// </summary>
    private protected abstract void CompressLiteral(ReadOnlySpan<byte> literal, bool flush);

    /// <summary>A matched block's bytes, for codecs whose history includes them (zlib only).</summary>
    private protected virtual void SeeMatched(ReadOnlySpan<byte> matched)
    {
    }
}
