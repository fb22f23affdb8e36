using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>
/// The sender keeps one <see cref="MatchFinder"/> for a whole session (<c>MatchFinder.Use</c> per file): whatever the
/// files before, its tokens and whole-file sum for a file are those of a finder made for that file alone.
/// </summary>
public class MatchFinderReuseTests
{
    // Sizes that grow and shrink the table, the filter and the window (a 1-block file after a 10,000-block one, and
    // back), edits that match, miss and repeat blocks; a basis of one repeated block puts every block on one chain.
    private static IEnumerable<(byte[] Basis, byte[] NewFile, int BlockLength, bool Inplace)> Files()
    {
        var random = new Random(1604);
        // (size, block length: 0 for the default); 1.5 MB in 16-byte blocks is a table of 2^17 buckets.
        (int Size, int BlockLength)[] files = [(575, 0), (64, 0), (3_000_000, 0), (700, 0), (0, 0), (1_500_000, 16), (1, 0),
            (70_000, 0), (300, 0), (200_000, 64), (5000, 0)];
        int i = 0;
        foreach (var (size, blockLength) in files)
        {
            byte[] basis = DeltaRoundTripTests.RandomBytes(random, size);
            var edit = (DeltaRoundTripTests.Edit)(i % Enum.GetValues<DeltaRoundTripTests.Edit>().Length);
            yield return (basis, DeltaRoundTripTests.Mutate(basis, edit, random), blockLength, Inplace: i % 3 == 2);
            i++;
        }
        byte[] block = DeltaRoundTripTests.RandomBytes(random, 700);
        byte[] repeated = Enumerable.Repeat(block, 40).SelectMany(b => b).ToArray();
        yield return (repeated, repeated.Skip(350).Concat(repeated).ToArray(), 700, Inplace: false);
        yield return (repeated, repeated.Skip(350).Concat(repeated).ToArray(), 700, Inplace: true);
        yield return (block, block, 0, Inplace: false);
    }

    [Fact]
    public void AReusedFinderMatchesAsAFreshOneDoes()
    {
        var strong = BlockChecksum.Create(ChecksumVariant.Xxh128, 0);
        var reused = new MatchFinder(strong);
        using var sum = FileChecksum.CreateTransferSum(ChecksumVariant.Xxh128, 0);
        var digest = new byte[ChecksumNames.MaxDigestLength];
        var expectedDigest = new byte[ChecksumNames.MaxDigestLength];
        int n = 0;
        foreach (var (basis, newFile, blockLength, inplace) in Files())
        {
            var header = BlockLayout.For(basis.Length, 31, 16, blockLength) with { StrongLength = 16 };
            var signature = Signature.Compute(new MemoryStream(basis), header, strong);
            if (header.Count == 0)
                continue;

            var fresh = new MatchFinder(signature, strong) { UpdatingBasis = inplace };
            var expected = new RecordedTokens();
            fresh.Run(new MemoryStream(newFile), expected, sum);
            sum.GetDigestAndReset(expectedDigest);

            reused.Use(signature, inplace);
            var actual = new RecordedTokens();
            reused.Run(new MemoryStream(newFile), actual, sum);
            sum.GetDigestAndReset(digest);

            Assert.Equal(Describe(expected), Describe(actual));
            Assert.Equal(expectedDigest, digest);
            Assert.Equal(fresh.Matches, reused.Matches);
            Assert.Equal(fresh.LiteralBytes, reused.LiteralBytes);
            Assert.True(actual.Finished);
            n++;
        }
        Assert.True(n >= 10);
    }

    [Fact]
    public void AFinderGivenANewSignatureWantsBeginAgain()
    {
        var strong = BlockChecksum.Create(ChecksumVariant.Md5, 5);
        byte[] basis = DeltaRoundTripTests.RandomBytes(new Random(2), 3000);
        var signature = Signature.Compute(new MemoryStream(basis), BlockLayout.For(basis.Length, 31, 16), strong);
        var finder = new MatchFinder(strong);
        Assert.Throws<InvalidOperationException>(() => finder.Begin(new RecordedTokens()));
        finder.Use(signature, updatingBasis: false);
        finder.Begin(new RecordedTokens());
        finder.Use(signature, updatingBasis: false);
        Assert.Throws<InvalidOperationException>(() => finder.GetBuffer());
        var incomplete = new Signature(BlockLayout.For(basis.Length, 31, 16), ChecksumVariant.Md5, 5);
        Assert.Throws<ArgumentException>(() => finder.Use(incomplete, updatingBasis: false));
    }

    // The token stream as text: literal lengths and contents' hash, block indexes.
    private static string Describe(RecordedTokens tokens) => string.Join(' ', tokens.Tokens.Select(t =>
        t.Literal is { } literal ? $"L{literal.Length}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(literal))[..8]}" : $"B{t.Block}"));
}
