using K4os.Compression.LZ4;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's lz4 codec (token.c: send_compressed_token): every chunk of at most 16383 input bytes is an independent LZ4
/// block (LZ4_compress_default); if a block comes out larger than 16383 bytes the input is halved and tried again.
/// </summary>
internal sealed class Lz4TokenEncoder(Stream output) : CompressedTokenEncoder(output)
{
    // token.c: size = MAX(LZ4_compressBound(CHUNK_SIZE), MAX_DATA_COUNT+2); the block is written after 2 flag bytes.
    internal static readonly int BufferSize = Math.Max(LZ4Codec.MaximumOutputSize(TokenFraming.ChunkSize), TokenFraming.MaxDataCount + 2);

    private readonly byte[] _compressed = new byte[BufferSize - 2];

    private protected override void CompressLiteral(ReadOnlySpan<byte> literal, bool flush)
    {
        while (!literal.IsEmpty)
        {
            var take = Math.Min(literal.Length, TokenFraming.MaxDataCount);
            int written;
            while (true)
            {
                // LZ4_compress_default is the fast mode with acceleration 1: K4os's L00_FAST.
                written = LZ4Codec.Encode(literal[..take], _compressed, LZ4Level.L00_FAST);
                if (written <= 0)
                    throw new InvalidOperationException($"lz4 compression of {take} bytes failed");
                if (written <= TokenFraming.MaxDataCount)
                    break;
                take /= 2;
            }
            Output.WriteDataChunk(_compressed.AsSpan(0, written));
            literal = literal[take..];
        }
    }
}
