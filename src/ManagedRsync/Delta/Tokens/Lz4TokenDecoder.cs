using K4os.Compression.LZ4;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's lz4 codec, receiving side (token.c: recv_compressed_token): each chunk is an independent LZ4 block that
/// must decompress (LZ4_decompress_safe) into a buffer of max(LZ4_compressBound(CHUNK_SIZE), 16385) bytes; a block
/// that would expand beyond it is corrupt.
/// </summary>
internal sealed class Lz4TokenDecoder(Stream input) : CompressedTokenDecoder(input)
{
    private readonly byte[] _decompressed = new byte[Lz4TokenEncoder.BufferSize];
    private int _pending;

    private protected override void AcceptData(ReadOnlySpan<byte> compressed)
    {
        var n = compressed.IsEmpty ? -1 : LZ4Codec.Decode(compressed, _decompressed);
        // A block that decodes to nothing would read as the end of the file to rsync's receiver (it returns 0).
        if (n <= 0)
            throw RsyncException.Protocol($"token stream: corrupt lz4 block of {compressed.Length} bytes (or one that expands beyond {_decompressed.Length} bytes)");
        _pending = n;
    }

    private protected override bool TryDecompress(out ReadOnlySpan<byte> literal)
    {
        literal = _decompressed.AsSpan(0, _pending);
        var any = _pending != 0;
        _pending = 0;
        return any;
    }
}
