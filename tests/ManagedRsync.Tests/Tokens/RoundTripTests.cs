using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>Our encoder's streams read back by our decoder, over whole sessions of several files.</summary>
public class RoundTripTests
{
    public static IEnumerable<object[]> CodecsAndProtocols()
    {
        foreach (var codec in Enum.GetValues<TokenCodec>())
            foreach (var protocol in new[] { 30, 31, 32 })
                yield return [codec, protocol];
    }

    /// <summary>
    /// One session, one encoder and one decoder, several files in a row (zstd is one stream across them, zlib resets
    /// per file): random edits, an empty file, a file of matches only, long literals, runs longer than 65536 blocks'
    /// worth of framing is covered separately.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodecsAndProtocols))]
    public void SessionOfFilesRoundTrips(TokenCodec codec, int protocol)
    {
        var rng = new Random(42 + (int)codec * 100 + protocol);
        const int blockLength = 700;
        var files = new List<(byte[] Basis, List<DeltaEvent> Events, byte[] Expected)>
        {
            Delta(rng, blockLength, basisLength: 50_000, edits: 12),
            ([], [], []),
            Delta(rng, blockLength, basisLength: 20_000, edits: 0),
            Delta(rng, blockLength, basisLength: 3_000, edits: 40),
            WholeFile(SampleText.Generate(rng, 300_000)),
            Delta(rng, blockLength, basisLength: 80_000, edits: 5),
        };

        var wire = new MemoryStream();
        using (var encoder = TokenCodecFactory.CreateEncoder(codec, protocol, null, wire))
        {
            foreach (var (basis, events, _) in files)
                TokenStreams.Replay(encoder, events, basis, blockLength, whole: basis.Length == 0);
        }

        wire.Position = 0;
        using var decoder = TokenCodecFactory.CreateDecoder(codec, protocol, wire);
        foreach (var (basis, events, expected) in files)
        {
            decoder.BeginFile(TokenVectors.BlockCount(basis, blockLength), expected.Length);
            Assert.Equal(expected, TokenStreams.Patch(decoder, basis, blockLength));
        }
        Assert.Equal(wire.Length, wire.Position);
    }

    /// <summary>
    /// Blocks longer than 64 KiB followed by literals that repeat the start and the end of the block: the zlib
    /// history differs below protocol 31 (token.c's data-duplicating bug) and both sides must agree on it.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodecsAndProtocols))]
    public void LongBlocksRoundTrip(TokenCodec codec, int protocol)
    {
        var rng = new Random(7);
        const int blockLength = 131_072;
        var basis = SampleText.Generate(rng, blockLength * 3 - 1000);
        var events = new List<DeltaEvent>();
        var expected = new MemoryStream();
        foreach (var block in new[] { 0, 1, 2, 0 })
        {
            events.Add(DeltaEvent.OfMatch(block));
            var data = TokenStreams.Block(basis, blockLength, block);
            expected.Write(data);
            var literal = data[1000..5000].ToArray().Concat(data[^4000..].ToArray()).Concat(data[70_000..71_000].ToArray()).ToArray();
            events.Add(DeltaEvent.OfLiteral(literal));
            expected.Write(literal);
        }

        var wire = TokenStreams.Encode(codec, protocol, events, basis, blockLength, whole: false);

        Assert.Equal(expected.ToArray(), TokenStreams.Decode(codec, protocol, wire, basis, blockLength));
    }

    /// <summary>More consecutive matches than one TOKENRUN can hold (65536), and token numbers beyond 63 apart.</summary>
    [Theory]
    [InlineData(TokenCodec.Zlib)]
    [InlineData(TokenCodec.Zstd)]
    [InlineData(TokenCodec.Lz4)]
    [InlineData(TokenCodec.None)]
    public void LongRunsAndFarTokensRoundTrip(TokenCodec codec)
    {
        const int blockLength = 1;
        var basis = new byte[200_000];
        new Random(3).NextBytes(basis);
        var events = new List<DeltaEvent>();
        for (var i = 0; i < 150_000; i++)
            events.Add(DeltaEvent.OfMatch(i));
        events.Add(DeltaEvent.OfMatch(199_999));
        events.Add(DeltaEvent.OfMatch(5));
        events.Add(DeltaEvent.OfLiteral([1, 2, 3]));
        events.Add(DeltaEvent.OfMatch(70));
        byte[] expected = [.. basis.AsSpan(0, 150_000), basis[199_999], basis[5], 1, 2, 3, basis[70]];

        var wire = TokenStreams.Encode(codec, 31, events, basis, blockLength, whole: false);

        Assert.Equal(expected, TokenStreams.Decode(codec, 31, wire, basis, blockLength));
    }

    [Theory]
    [InlineData(TokenCodec.Zlib, 1)]
    [InlineData(TokenCodec.Zlib, 9)]
    [InlineData(TokenCodec.ZlibX, 3)]
    [InlineData(TokenCodec.Zstd, -5)]
    [InlineData(TokenCodec.Zstd, 19)]
    public void EveryLevelRoundTrips(TokenCodec codec, int level)
    {
        var rng = new Random(level + 1000);
        var (basis, events, expected) = Delta(rng, 1024, 60_000, 10);

        var wire = TokenStreams.Encode(codec, 32, events, basis, 1024, whole: false, level);

        Assert.Equal(expected, TokenStreams.Decode(codec, 32, wire, basis, 1024));
    }

    [Fact]
    public void ZlibLevelZeroSendsUncompressedTokens()
    {
        var events = new List<DeltaEvent> { DeltaEvent.OfLiteral([9, 8, 7]), DeltaEvent.OfMatch(0) };

        var wire = TokenStreams.Encode(TokenCodec.Zlib, 31, events, [5], 1, whole: false, level: 0);

        Assert.Equal(new byte[] { 3, 0, 0, 0, 9, 8, 7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 }, wire);
    }

    [Theory]
    [MemberData(nameof(CodecsAndProtocols))]
    public void OneHugeLiteralCallRoundTrips(TokenCodec codec, int protocol)
    {
        var data = SampleText.Generate(new Random(11), 1_000_000);
        var wire = new MemoryStream();
        using (var encoder = TokenCodecFactory.CreateEncoder(codec, protocol, null, wire))
        {
            encoder.WriteLiteral(data);
            encoder.Finish();
        }

        Assert.Equal(data, TokenStreams.Decode(codec, protocol, wire.ToArray(), [], 1));
    }

    internal static (byte[] Basis, List<DeltaEvent> Events, byte[] Expected) WholeFile(byte[] data) =>
        ([], [DeltaEvent.OfLiteral(data)], data);

    /// <summary>A basis and the events of a delta with random edits (inserted literals that echo recent text).</summary>
    internal static (byte[] Basis, List<DeltaEvent> Events, byte[] Expected) Delta(Random rng, int blockLength, int basisLength, int edits)
    {
        var basis = SampleText.Generate(rng, basisLength);
        var blocks = TokenVectors.BlockCount(basis, blockLength);
        var literalAfter = new HashSet<int>();
        for (var i = 0; i < edits; i++)
            literalAfter.Add(rng.Next(-1, blocks));
        var skip = new HashSet<int>();
        for (var i = 0; i < edits / 2; i++)
            skip.Add(rng.Next(blocks));
        var events = new List<DeltaEvent>();
        var expected = new MemoryStream();
        void Literal()
        {
            var echo = expected.Length > 100 ? expected.ToArray()[^Math.Min(2000, (int)expected.Length)..][..50] : [];
            var literal = SampleText.Generate(rng, rng.Next(1, 3000)).Concat(echo).ToArray();
            events.Add(DeltaEvent.OfLiteral(literal));
            expected.Write(literal);
        }
        if (literalAfter.Contains(-1))
            Literal();
        for (var b = 0; b < blocks; b++)
        {
            if (!skip.Contains(b))
            {
                events.Add(DeltaEvent.OfMatch(b));
                expected.Write(TokenStreams.Block(basis, blockLength, b));
            }
            if (literalAfter.Contains(b))
                Literal();
        }
        return (basis, events, expected.ToArray());
    }

}
