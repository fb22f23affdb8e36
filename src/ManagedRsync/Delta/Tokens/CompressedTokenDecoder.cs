namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The framing shared by rsync's compressed codecs, receiving side (token.c: recv_deflated_token, recv_zstd_token,
/// recv_compressed_token, recv_compressed_token_num, recv_compressed_token_run): a flag byte announces either a
/// DEFLATED_DATA chunk, the end of the file, or a token or run of tokens, absolute or relative to the last token.
/// </summary>
internal abstract class CompressedTokenDecoder(Stream input) : TokenDecoder(input)
{
    private readonly byte[] _compressed = new byte[TokenFraming.MaxDataCount];
    private bool _inFile;
    private long _token;
    private int _runRemaining;

    public sealed override DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex)
    {
        literal = default;
        blockIndex = -1;
        if (!_inFile)
        {
            // token.c r_init: token numbers restart at 0 for every file.
            _inFile = true;
            _token = 0;
            _runRemaining = 0;
            StartFile();
        }
        while (true)
        {
            if (_runRemaining > 0)
            {
                _runRemaining--;
                blockIndex = CheckBlock(++_token);
                return DeltaTokenKind.Match;
            }
            if (TryDecompress(out literal))
            {
                ChargeLiteral(literal.Length);
                return DeltaTokenKind.Literal;
            }

            var flag = ReadByteOrThrow();
            if ((flag & 0xC0) == TokenFraming.DeflatedData)
            {
                var n = ((flag & 0x3f) << 8) | ReadByteOrThrow();
                ReadExactlyOrThrow(_compressed.AsSpan(0, n));
                AcceptData(_compressed.AsSpan(0, n));
                continue;
            }

            EndDataRun();
            if (flag == TokenFraming.EndFlag)
            {
                _inFile = false;
                EndFile();
                return DeltaTokenKind.End;
            }

            bool run;
            if ((flag & TokenFraming.TokenRel) != 0)
            {
                _token += flag & 0x3f;
                run = (flag & 0x40) != 0;
            }
            else if (flag is TokenFraming.TokenLong or TokenFraming.TokenRunLong)
            {
                _token = ReadInt32OrThrow();
                run = flag == TokenFraming.TokenRunLong;
            }
            else
            {
                throw RsyncException.Protocol($"token stream: unknown flag byte 0x{flag:x2}");
            }
            blockIndex = CheckBlock(_token);
            if (run)
            {
                var count = ReadByteOrThrow() | (ReadByteOrThrow() << 8);
                if (count == 0)
                    throw RsyncException.Protocol("token stream: a token run of length 0");
                // The whole run is checked now, before any of it is returned.
                CheckBlock(_token + count);
                _runRemaining = count;
            }
            return DeltaTokenKind.Match;
        }
    }

    /// <summary>A file's token stream starts (zlib resets its inflater here).</summary>
    private protected virtual void StartFile()
    {
    }

    /// <summary>A DEFLATED_DATA chunk arrived; the span is only valid during the call.</summary>
    private protected abstract void AcceptData(ReadOnlySpan<byte> compressed);

    /// <summary>Produces the next piece of decompressed data from what was accepted, if any is left.</summary>
    private protected abstract bool TryDecompress(out ReadOnlySpan<byte> literal);

    /// <summary>A flag other than DEFLATED_DATA follows the data: zlib puts back the sync-flush marker here.</summary>
    private protected virtual void EndDataRun()
    {
    }
}
