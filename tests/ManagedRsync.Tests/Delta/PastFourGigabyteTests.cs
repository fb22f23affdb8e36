using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>Block offsets beyond 4 GiB, on a sparse basis so that the test stays fast and small on disk.</summary>
public sealed class PastFourGigabyteTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mrsync-delta-sparse-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void PatchCopiesBlocksPastFourGiB()
    {
        const int blength = 1 << 17;
        long length = (5L << 30) + 12345;
        var tail = new byte[12345 + blength];
        new Random(4).NextBytes(tail);
        using (var f = new FileStream(_path, FileMode.Create))
        {
            f.SetLength(length);
            f.Position = length - tail.Length;
            f.Write(tail);
        }
        var header = BlockLayout.For(length, 31, 16, blength);
        Assert.True((long)(header.Count - 1) * blength > uint.MaxValue);
        var tokens = new RecordedTokens();
        tokens.WriteMatch(header.Count - 2, default);
        tokens.WriteLiteral([42]);
        tokens.WriteMatch(header.Count - 1, default);
        tokens.WriteMatch(0, default); // a block of the sparse hole
        using var basis = new FileStream(_path, FileMode.Open, FileAccess.Read);
        var output = new MemoryStream();
        long written = DeltaPatcher.Apply(basis, header, tokens, output);
        byte[] expected = [.. tail.AsSpan(0, blength), 42, .. tail.AsSpan(blength), .. new byte[blength]];
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, output.ToArray());
    }
}
