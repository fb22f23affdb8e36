using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>One token of a decoded delta: literal bytes or a matched block.</summary>
internal readonly record struct DeltaEvent(byte[]? Literal, int Block)
{
    public static DeltaEvent OfLiteral(ReadOnlySpan<byte> data) => new(data.ToArray(), -1);
    public static DeltaEvent OfMatch(int block) => new(null, block);
}

/// <summary>Helpers that play the roles around the codecs: rsync's receiver (patching a basis) and its match finder.</summary>
internal static class TokenStreams
{
    public static ReadOnlySpan<byte> Block(byte[] basis, int blockLength, int index)
    {
        var start = (long)index * blockLength;
        return basis.AsSpan((int)start, (int)Math.Min(blockLength, basis.Length - start));
    }

    /// <summary>rsync receiver.c receive_data: literals are written, matched blocks copied from the basis and seen.</summary>
    public static byte[] Patch(TokenDecoder decoder, byte[] basis, int blockLength, List<DeltaEvent>? events = null)
    {
        var output = new MemoryStream();
        while (true)
        {
            var kind = decoder.Read(out var literal, out var block);
            switch (kind)
            {
                case DeltaTokenKind.End:
                    return output.ToArray();
                case DeltaTokenKind.Literal:
                    Assert.False(literal.IsEmpty);
                    output.Write(literal);
                    events?.Add(DeltaEvent.OfLiteral(literal));
                    break;
                case DeltaTokenKind.Match:
                    var data = Block(basis, blockLength, block);
                    output.Write(data);
                    decoder.SeeMatch(data);
                    events?.Add(DeltaEvent.OfMatch(block));
                    break;
            }
        }
    }

    /// <summary>
    /// Replays a delta into an encoder the way rsync's match finder calls send_token (match.c: matched): the literal
    /// bytes before a match or the end in one call, except for a file sent whole, which goes in 32 KiB pieces.
    /// </summary>
    public static void Replay(IDeltaSink sink, IReadOnlyList<DeltaEvent> events, byte[] basis, int blockLength, bool whole)
    {
        var pending = new MemoryStream();
        void SendPending()
        {
            var bytes = pending.ToArray();
            pending.SetLength(0);
            var piece = whole ? 32 * 1024 : Math.Max(bytes.Length, 1);
            for (var i = 0; i < bytes.Length; i += piece)
                sink.WriteLiteral(bytes.AsSpan(i, Math.Min(piece, bytes.Length - i)));
        }
        foreach (var e in events)
        {
            if (e.Literal is not null)
            {
                pending.Write(e.Literal);
                continue;
            }
            SendPending();
            sink.WriteMatch(e.Block, Block(basis, blockLength, e.Block));
        }
        SendPending();
        sink.Finish();
    }

    public static byte[] Encode(TokenCodec codec, int protocol, IReadOnlyList<DeltaEvent> events, byte[] basis, int blockLength, bool whole, int? level = null)
    {
        var output = new MemoryStream();
        using var encoder = TokenCodecFactory.CreateEncoder(codec, protocol, level, output);
        Replay(encoder, events, basis, blockLength, whole);
        return output.ToArray();
    }

    public static byte[] Decode(TokenCodec codec, int protocol, byte[] stream, byte[] basis, int blockLength)
    {
        var input = new MemoryStream(stream);
        using var decoder = TokenCodecFactory.CreateDecoder(codec, protocol, input);
        var result = Patch(decoder, basis, blockLength);
        Assert.Equal(stream.Length, input.Position);
        return result;
    }
}
