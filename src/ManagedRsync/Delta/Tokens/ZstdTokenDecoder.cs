using ZstdSharp.Unsafe;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's zstd codec, receiving side (token.c: recv_zstd_token): one decompression stream for the whole session;
/// each chunk is decompressed into a buffer of two ZSTD_DStreamOutSize() blocks at a time, so memory stays bounded
/// whatever a chunk expands to. The window a peer may make us allocate is capped at 2^27 bytes (128 MiB): rsync's
/// receiver keeps zstd's default limit (token.c creates its ZSTD_DCtx without parameters; zstd.h:
/// ZSTD_WINDOWLOG_LIMIT_DEFAULT), and a stock sender at --compress-level=22 does use that window (zstd's level table
/// gives level 22 windowLog 27), so a lower cap would refuse real transfers. Set explicitly, not left to the library.
/// </summary>
internal sealed unsafe class ZstdTokenDecoder : CompressedTokenDecoder
{
    private readonly ZSTD_DCtx_s* _context;
    // Pinned: zstd's in/out buffers hold raw pointers between calls.
    private readonly byte[] _compressed = GC.AllocateUninitializedArray<byte>(TokenFraming.MaxDataCount, pinned: true);
    private readonly byte[] _decompressed = GC.AllocateUninitializedArray<byte>(checked((int)Methods.ZSTD_DStreamOutSize() * 2), pinned: true);
    private ZSTD_inBuffer_s _in;
    private bool _inflating;
    private bool _disposed;

    public ZstdTokenDecoder(Stream input)
        : base(input)
    {
        _context = Methods.ZSTD_createDCtx();
        if (_context == null)
            throw new InvalidOperationException("zstd: cannot create a decompression context");
        if (Methods.ZSTD_isError(Methods.ZSTD_DCtx_setParameter(_context, ZSTD_dParameter.ZSTD_d_windowLogMax, MaxWindowLog)))
            throw new InvalidOperationException("zstd: cannot limit the decompression window");
    }

    /// <summary>rsync's limit for the window a zstd frame may ask for (see the remarks above).</summary>
    public const int MaxWindowLog = 27;

    private protected override void AcceptData(ReadOnlySpan<byte> compressed)
    {
        compressed.CopyTo(_compressed);
        _in = new ZSTD_inBuffer_s { src = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _compressed[0]), size = (nuint)compressed.Length, pos = 0 };
        _inflating = true;
    }

    private protected override bool TryDecompress(out ReadOnlySpan<byte> literal)
    {
        literal = default;
        while (_inflating)
        {
            var before = _in.pos;
            var output = new ZSTD_outBuffer_s
            {
                dst = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _decompressed[0]),
                size = (nuint)_decompressed.Length,
                pos = 0,
            };
            ZSTD_inBuffer_s input = _in;
            var result = Methods.ZSTD_decompressStream(_context, &output, &input);
            _in = input;
            if (Methods.ZSTD_isError(result))
                throw RsyncException.Protocol($"token stream: corrupt zstd data ({Methods.ZSTD_getErrorName(result)})");
            var n = (int)output.pos;
            // token.c: once the input is used up and the output buffer was not filled, the chunk is done.
            if (_in.pos == _in.size && output.pos < output.size)
                _inflating = false;
            if (n != 0)
            {
                literal = _decompressed.AsSpan(0, n);
                return true;
            }
            if (_inflating && _in.pos == before)
                throw RsyncException.Protocol("token stream: zstd made no progress on a chunk");
        }
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        Methods.ZSTD_freeDCtx(_context);
        base.Dispose(disposing);
    }

    ~ZstdTokenDecoder() => Dispose(false);
}
