using System.IO.Compression;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's zlib and zlibx codecs, receiving side (token.c: recv_deflated_token, see_deflate_token): one raw inflate
/// stream per file. When a run of DEFLATED_DATA chunks ends, the sync-flush marker 00 00 ff ff the sender stripped is
/// put back; for zlib, every matched block is fed to the inflater as fabricated stored blocks so that its window
/// holds the same bytes as the sender's compressor (see <see cref="DeflateHistory"/>).
/// </summary>
/// <remarks>
/// Output is taken from the inflater 32 KiB at a time, so a chunk that expands enormously costs time, not memory; the
/// file's literal budget (<see cref="TokenDecoder.BeginFile"/>) bounds the time.
/// </remarks>
internal sealed class DeflateTokenDecoder(Stream input, int protocol, bool matchedHistory) : CompressedTokenDecoder(input)
{
    private static ReadOnlySpan<byte> SyncFlushMarker => [0x00, 0x00, 0xff, 0xff];

    private readonly FeedStream _feed = new();
    private readonly HistoryTail _history = new();
    private readonly byte[] _decompressed = new byte[TokenFraming.ChunkSize];
    private DeflateStream? _inflate;
    private bool _inflating;
    private bool _sawData;

    private DeflateStream Inflate => _inflate ?? throw new InvalidOperationException("inflate used before a file started");

    private protected override void StartFile()
    {
        // token.c: inflateReset for every file.
        _inflate?.Dispose();
        _feed.Clear();
        _inflate = new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true);
        _inflating = false;
        _sawData = false;
        _history.Clear();
    }

    private protected override void AcceptData(ReadOnlySpan<byte> compressed)
    {
        if (_history.Length != 0)
        {
            // Matched data seen since the last compressed chunk: only its last 32 KiB can be referenced.
            FeedStored(_history.Bytes);
            _history.Clear();
        }
        _feed.Append(compressed);
        _inflating = true;
        _sawData = true;
    }

    private protected override bool TryDecompress(out ReadOnlySpan<byte> literal)
    {
        literal = default;
        if (!_inflating)
            return false;
        var n = InflateSome();
        if (n > 0)
        {
            literal = _decompressed.AsSpan(0, n);
            return true;
        }
        _inflating = false;
        if (_feed.Remaining != 0)
            throw RsyncException.Protocol("token stream: deflate data continues after the end of the deflate stream");
        return false;
    }

    private protected override void EndDataRun()
    {
        if (!_sawData)
            return;
        _sawData = false;
        // token.c: "the decompressor should be expecting to see the 0, 0, ff, ff bytes".
        _feed.Append(SyncFlushMarker);
        if (InflateSome() != 0 || _feed.Remaining != 0)
            throw RsyncException.Protocol("token stream: deflate data lost sync at the end of a data run");
    }

    public override void SeeMatch(ReadOnlySpan<byte> data)
    {
        if (!matchedHistory || data.IsEmpty || _inflate is null)
            return;
        var tail = DeflateHistory.ReachableTail(data, protocol, out var earlier);
        _history.Append(earlier);
        _history.Append(tail);
    }

    /// <summary>token.c see_deflate_token: a non-final stored block (header byte, LEN, ~LEN) around the bytes.</summary>
    private void FeedStored(ReadOnlySpan<byte> piece)
    {
        if (piece.IsEmpty)
            return;
        Span<byte> header = [0, (byte)piece.Length, (byte)(piece.Length >> 8), (byte)~piece.Length, (byte)(~piece.Length >> 8)];
        _feed.Append(header);
        _feed.Append(piece);
        while (InflateSome() != 0)
        {
        }
        if (_feed.Remaining != 0)
            throw RsyncException.Protocol("token stream: deflate stream ended before the matched data");
    }

    private int InflateSome()
    {
        try
        {
            return Inflate.Read(_decompressed);
        }
        catch (InvalidDataException e)
        {
            throw new RsyncException(RsyncErrorKind.ProtocolViolation, $"token stream: corrupt deflate data ({e.Message})", e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inflate?.Dispose();
        base.Dispose(disposing);
    }
}
