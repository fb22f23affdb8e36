using System.IO.Compression;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's zlib and zlibx codecs, sending side (token.c: send_deflated_token): raw deflate (windowBits -15), reset at
/// the start of every file; literal data is sync-flushed before each token and the flush's trailing empty stored
/// block marker 00 00 ff ff is not sent (the receiver puts it back). For zlib the matched blocks also go into the
/// compressor's history, so that later literals may refer back into them.
/// </summary>
/// <remarks>
/// Built on System.IO.Compression: DeflateStream.Flush is Z_SYNC_FLUSH. It has no Z_INSERT_ONLY, but neither has the
/// system zlib Debian's rsync links, so rsync itself inserts matched data with a sync flush and discards the output
/// (token.c: "#define Z_INSERT_ONLY Z_SYNC_FLUSH"); we do the same. Since only the last 32 KiB of history can be
/// referenced, only the last 32 KiB of what rsync would insert are fed in, just before the next literal data
/// (<see cref="HistoryTail"/>): the compressor's reachable window then holds the same bytes as the receiver's, and a
/// run of matched blocks costs one copy instead of a compression pass per block. .NET's deflate is zlib-ng, so the compressed bytes differ from those of
/// rsync's zlib 1.2.13 while decoding to the same data.
/// </remarks>
internal sealed class DeflateTokenEncoder(Stream output, int level, int protocol, bool matchedHistory) : CompressedTokenEncoder(output)
{
    private static ReadOnlySpan<byte> SyncFlushMarker => [0x00, 0x00, 0xff, 0xff];

    private readonly CaptureStream _capture = new();
    private readonly HistoryTail _history = new();
    private readonly ZLibCompressionOptions _options = new() { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.Default };
    private DeflateStream? _deflate;

    private DeflateStream Deflate => _deflate ?? throw new InvalidOperationException("deflate used before a file started");

    private protected override void StartFile()
    {
        // token.c: deflateReset at the start of every file. DeflateStream has no reset, so it is replaced; what its
        // disposal writes (a final block) is thrown away.
        _deflate?.Dispose();
        _deflate = new DeflateStream(_capture, _options, leaveOpen: true);
        _capture.Clear();
        _history.Clear();
    }

    private protected override void CompressLiteral(ReadOnlySpan<byte> literal, bool flush)
    {
        if (_history.Length != 0)
        {
            // token.c: matched data goes in with Z_INSERT_ONLY, i.e. a sync flush whose output is not sent.
            Deflate.Write(_history.Bytes);
            Deflate.Flush();
            _history.Clear();
        }
        _capture.Clear();
        Deflate.Write(literal);
        if (flush)
            Deflate.Flush();
        var produced = _capture.Captured;
        if (flush)
        {
            if (!produced.EndsWith(SyncFlushMarker))
                throw new InvalidOperationException("deflate sync flush did not end with 00 00 ff ff");
            produced = produced[..^SyncFlushMarker.Length];
        }
        while (!produced.IsEmpty)
        {
            var n = Math.Min(produced.Length, TokenFraming.MaxDataCount);
            Output.WriteDataChunk(produced[..n]);
            produced = produced[n..];
        }
        _capture.Clear();
    }

    private protected override void SeeMatched(ReadOnlySpan<byte> matched)
    {
        if (!matchedHistory || matched.IsEmpty)
            return;
        var tail = DeflateHistory.ReachableTail(matched, protocol, out var earlier);
        _history.Append(earlier);
        _history.Append(tail);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _deflate?.Dispose();
        base.Dispose(disposing);
    }
}
