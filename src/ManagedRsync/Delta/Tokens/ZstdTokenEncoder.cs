using ZstdSharp.Unsafe;

namespace ManagedRsync.Delta.Tokens;

/// <summary>
/// rsync's zstd codec (token.c: send_zstd_token): one compression stream for the whole session, never reset between
/// files. Literal data is fed with ZSTD_e_continue, and with ZSTD_e_flush when a token or the end follows; every call
/// gets an output window of 16383 bytes and whatever it produced becomes one DEFLATED_DATA chunk.
/// </summary>
internal sealed unsafe class ZstdTokenEncoder : CompressedTokenEncoder
{
    private readonly ZSTD_CCtx_s* _context;
    private readonly byte[] _compressed = new byte[TokenFraming.MaxDataCount];

    public ZstdTokenEncoder(Stream output, int level)
        : base(output)
    {
        _context = Methods.ZSTD_createCCtx();
        if (_context == null)
            throw new InvalidOperationException("zstd: cannot create a compression context");
        ZstdCheck.ThrowIfError(Methods.ZSTD_CCtx_setParameter(_context, ZSTD_cParameter.ZSTD_c_compressionLevel, level), "zstd level");
    }

    private protected override void CompressLiteral(ReadOnlySpan<byte> literal, bool flush)
    {
        var directive = flush ? ZSTD_EndDirective.ZSTD_e_flush : ZSTD_EndDirective.ZSTD_e_continue;
        fixed (byte* src = literal)
        fixed (byte* dst = _compressed)
        {
            var input = new ZSTD_inBuffer_s { src = src, size = (nuint)literal.Length, pos = 0 };
            bool finished;
            do
            {
                var outBuffer = new ZSTD_outBuffer_s { dst = dst, size = (nuint)_compressed.Length, pos = 0 };
                var remaining = Methods.ZSTD_compressStream2(_context, &outBuffer, &input, directive);
                ZstdCheck.ThrowIfError(remaining, "zstd compression");
                // token.c: a flush is done when zstd reports nothing left to flush; otherwise when the input is used.
                finished = flush ? remaining == 0 : input.pos == input.size;
                if (outBuffer.pos != 0)
                    Output.WriteDataChunk(_compressed.AsSpan(0, (int)outBuffer.pos));
            }
            while (!finished);
        }
    }

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        Methods.ZSTD_freeCCtx(_context);
        base.Dispose(disposing);
    }

    ~ZstdTokenEncoder() => Dispose(false);
}

internal static class ZstdCheck
{
    public static void ThrowIfError(nuint code, string what)
    {
        if (Methods.ZSTD_isError(code))
            throw new InvalidOperationException($"{what} failed: {Methods.ZSTD_getErrorName(code)}");
    }
}
