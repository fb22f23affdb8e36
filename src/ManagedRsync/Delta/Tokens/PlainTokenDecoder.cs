namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The uncompressed token stream, receiving side (rsync token.c: simple_recv_token): int32 n &gt; 0 announces n literal
/// bytes, read here in pieces of at most CHUNK_SIZE (some peers send longer runs), n &lt; 0 is block -(n+1), 0 ends.
/// </summary>
internal sealed class PlainTokenDecoder(Stream input) : TokenDecoder(input)
{
    private readonly byte[] _buffer = new byte[TokenFraming.ChunkSize];
    private int _residue;

    public override DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex)
    {
        literal = default;
        blockIndex = -1;
        if (_residue == 0)
        {
            var value = ReadInt32OrThrow();
            if (value == 0)
            {
                EndFile();
                return DeltaTokenKind.End;
            }
            if (value < 0)
            {
                blockIndex = CheckBlock(-((long)value + 1));
                return DeltaTokenKind.Match;
            }
            ChargeLiteral(value);
            _residue = value;
        }
        var n = Math.Min(TokenFraming.ChunkSize, _residue);
        ReadExactlyOrThrow(_buffer.AsSpan(0, n));
        _residue -= n;
        literal = _buffer.AsSpan(0, n);
        return DeltaTokenKind.Literal;
    }
}
