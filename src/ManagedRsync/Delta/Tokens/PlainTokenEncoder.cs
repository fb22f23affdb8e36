namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// The uncompressed token stream (rsync token.c: simple_send_token): literal data as int32 length (at most
/// CHUNK_SIZE) and the bytes, a match as int32 -(block+1), the end of the file as int32 0.
/// </summary>
internal sealed class PlainTokenEncoder(Stream output) : TokenEncoder(output)
{
    private protected override void Send(int token, ReadOnlySpan<byte> literal, ReadOnlySpan<byte> matched)
    {
        while (!literal.IsEmpty)
        {
            var n = Math.Min(TokenFraming.ChunkSize, literal.Length);
            Output.WriteInt32(n);
            Output.Write(literal[..n]);
            literal = literal[n..];
        }
        if (token != TokenSend.DataOnly)
            Output.WriteInt32(-(token + 1));
    }
}
