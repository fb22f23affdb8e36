using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>Our codecs against the token streams stock rsync sent (tests/tools/capture-token-vectors.sh).</summary>
public class GoldenVectorTests
{
    public static IEnumerable<object[]> Cases() => TokenVectors.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecoderRebuildsTheFileFromStockRsyncStream(string set, string codec, int protocol, string direction)
    {
        var (basis, expected, blockLength) = TokenVectors.Files(set);
        var stream = TokenVectors.Stream(set, codec, protocol, direction);
        var input = new MemoryStream(stream);
        using var decoder = TokenCodecFactory.CreateDecoder(TokenVectors.Codec(codec), protocol, input);
        decoder.BeginFile(TokenVectors.BlockCount(basis, blockLength), expected.Length);

        var actual = TokenStreams.Patch(decoder, basis, blockLength);

        Assert.Equal(expected, actual);
        Assert.Equal(stream.Length, input.Position);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncoderOutputDecodesToTheSameFile(string set, string codec, int protocol, string direction)
    {
        _ = direction;
        var (basis, expected, blockLength) = TokenVectors.Files(set);
        var events = RsyncEvents(set, codec, protocol, direction);

        var ours = TokenStreams.Encode(TokenVectors.Codec(codec), protocol, events, basis, blockLength, whole: set == "whole");

        Assert.Equal(expected, TokenStreams.Decode(TokenVectors.Codec(codec), protocol, ours, basis, blockLength));
    }

    /// <summary>
    /// Where rsync's encoder is deterministic and our library is the same algorithm (uncompressed tokens; lz4, whose
    /// K4os port matches liblz4 1.9.4's LZ4_compress_default), our encoder produces stock rsync's bytes exactly.
    /// zlib/zlibx cannot: .NET's deflate is zlib-ng 2.2, rsync's is zlib 1.2.13 (see DeflateTokenEncoder).
    /// </summary>
    public static IEnumerable<object[]> ExactCases() => TokenVectors.Cases().Where(c => (string)c[1] is "none" or "lz4");

    [Theory]
    [MemberData(nameof(ExactCases))]
    public void EncoderReproducesStockRsyncBytes(string set, string codec, int protocol, string direction)
    {
        var (basis, _, blockLength) = TokenVectors.Files(set);
        var events = RsyncEvents(set, codec, protocol, direction);

        var ours = TokenStreams.Encode(TokenVectors.Codec(codec), protocol, events, basis, blockLength, whole: set == "whole");

        Assert.Equal(TokenVectors.Stream(set, codec, protocol, direction), ours);
    }

    public static IEnumerable<object[]> CompressedCases() => TokenVectors.Cases().Where(c => (string)c[1] != "none");

    /// <summary>
    /// Where the compressed bytes cannot match (zlib-ng and ZstdSharp are not the libraries rsync links), the framing
    /// around them still does: the same token and run bytes, with compressed data in the same places.
    /// </summary>
    [Theory]
    [MemberData(nameof(CompressedCases))]
    public void EncoderFramingMatchesStockRsync(string set, string codec, int protocol, string direction)
    {
        var (basis, _, blockLength) = TokenVectors.Files(set);
        var events = RsyncEvents(set, codec, protocol, direction);

        var ours = TokenStreams.Encode(TokenVectors.Codec(codec), protocol, events, basis, blockLength, whole: set == "whole");

        Assert.Equal(Skeleton(TokenVectors.Stream(set, codec, protocol, direction)), Skeleton(ours));
    }

    /// <summary>The compressed framing with every run of DEFLATED_DATA chunks replaced by one "D".</summary>
    private static List<string> Skeleton(byte[] stream)
    {
        var items = new List<string>();
        var p = 0;
        while (p < stream.Length)
        {
            var flag = stream[p];
            if ((flag & 0xC0) == 0x40)
            {
                p += 2 + (((flag & 0x3f) << 8) | stream[p + 1]);
                if (items.Count == 0 || items[^1] != "D")
                    items.Add("D");
                continue;
            }
            var length = flag switch
            {
                0x20 => 5,
                0x21 => 7,
                _ when (flag & 0xC0) == 0xC0 => 3,
                _ => 1,
            };
            items.Add(Convert.ToHexString(stream, p, length));
            p += length;
        }
        return items;
    }

    /// <summary>The sequence of literals and matches stock rsync sent, as our decoder reads it.</summary>
    private static List<DeltaEvent> RsyncEvents(string set, string codec, int protocol, string direction)
    {
        var (basis, _, blockLength) = TokenVectors.Files(set);
        var events = new List<DeltaEvent>();
        using var decoder = TokenCodecFactory.CreateDecoder(TokenVectors.Codec(codec), protocol, new MemoryStream(TokenVectors.Stream(set, codec, protocol, direction)));
        TokenStreams.Patch(decoder, basis, blockLength, events);
        return events;
    }
}
