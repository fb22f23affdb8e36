using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>rsync token.c: init_compression_level, and the codec names of compat.c.</summary>
public class TokenCompressionTests
{
    [Theory]
    [InlineData(TokenCodec.Zlib, null, TokenCodec.Zlib, 6)]
    [InlineData(TokenCodec.Zlib, -1, TokenCodec.Zlib, 6)]
    [InlineData(TokenCodec.Zlib, 0, TokenCodec.None, 0)]
    [InlineData(TokenCodec.Zlib, 12, TokenCodec.Zlib, 9)]
    [InlineData(TokenCodec.ZlibX, -7, TokenCodec.ZlibX, 1)]
    [InlineData(TokenCodec.ZlibX, 4, TokenCodec.ZlibX, 4)]
    [InlineData(TokenCodec.Zstd, null, TokenCodec.Zstd, 3)]
    [InlineData(TokenCodec.Zstd, 0, TokenCodec.Zstd, 3)]
    [InlineData(TokenCodec.Zstd, 40, TokenCodec.Zstd, 22)]
    [InlineData(TokenCodec.Zstd, -200000, TokenCodec.Zstd, -131072)]
    [InlineData(TokenCodec.Lz4, null, TokenCodec.Lz4, 0)]
    [InlineData(TokenCodec.Lz4, 5, TokenCodec.Lz4, 0)]
    [InlineData(TokenCodec.None, 5, TokenCodec.None, 0)]
    public void LevelsFollowRsync(TokenCodec codec, int? requested, TokenCodec expectedCodec, int expectedLevel) =>
        Assert.Equal(new TokenCompression(expectedCodec, expectedLevel), TokenCompression.Resolve(codec, requested));

    [Fact]
    public void ZstdLevelBoundsMatchTheLibrary()
    {
        Assert.Equal(TokenCompression.ZstdMinLevel, ZstdSharp.Unsafe.Methods.ZSTD_minCLevel());
        Assert.Equal(TokenCompression.ZstdMaxLevel, ZstdSharp.Unsafe.Methods.ZSTD_maxCLevel());
    }

    [Theory]
    [InlineData("zstd", TokenCodec.Zstd)]
    [InlineData("LZ4", TokenCodec.Lz4)]
    [InlineData("zlibx", TokenCodec.ZlibX)]
    [InlineData("zlib", TokenCodec.Zlib)]
    [InlineData("none", TokenCodec.None)]
    public void NamesParse(string name, TokenCodec codec)
    {
        Assert.True(TokenCodecNames.TryParse(name, out var parsed));
        Assert.Equal(codec, parsed);
        Assert.Equal(name.ToLowerInvariant(), parsed.ToWireName());
    }

    [Fact]
    public void UnknownNameDoesNotParse() => Assert.False(TokenCodecNames.TryParse("brotli", out _));
}
