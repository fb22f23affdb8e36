namespace ManagedRsync.Delta;

/// <summary>
/// Receives one file's delta as the match finder produces it: literal bytes the receiver lacks and blocks of the
/// basis that match. A token encoder (rsync token.c: send_token) implements this to put the delta on the wire;
/// consecutive matches arrive one block per call and the encoder merges them into runs where its framing allows.
/// </summary>
public interface IDeltaSink
{
    /// <summary>Literal bytes, in order. Any length: the encoder splits them as its framing requires.</summary>
    void WriteLiteral(ReadOnlySpan<byte> data);

    /// <summary>
    /// Block <paramref name="blockIndex"/> of the basis matches the next bytes of the new file. <paramref name="data"/>
    /// holds those bytes: compressing encoders feed them into their history so that it stays in step with the
    /// receiver's (rsync token.c: the receiver sees matched data through see_token).
    /// </summary>
    void WriteMatch(int blockIndex, ReadOnlySpan<byte> data);

    /// <summary>Ends this file's token stream (rsync writes the end token and flushes the codec).</summary>
    void Finish();
}
