using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

public class HistoryTailTests
{
    [Theory]
    [InlineData(new[] { 10, 20, 30 })]
    [InlineData(new[] { 30_000, 5_000, 100 })]
    [InlineData(new[] { 40_000, 7 })]
    [InlineData(new[] { 7, 32_768, 1 })]
    public void KeepsTheLast32KiBOfEverythingAppended(int[] sizes)
    {
        var rng = new Random(sizes.Sum());
        var tail = new HistoryTail();
        var all = new List<byte>();
        foreach (var size in sizes)
        {
            var piece = new byte[size];
            rng.NextBytes(piece);
            tail.Append(piece);
            all.AddRange(piece);
        }
        Assert.Equal(all.Skip(Math.Max(0, all.Count - 32_768)).ToArray(), tail.Bytes.ToArray());
    }

    [Fact]
    public void Pre31HistoryRepeatsTheBlockStart()
    {
        // token.c before protocol 31: pieces block[..0xffff], block[..(len - 0xffff)]; the last 32 KiB of that.
        var block = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var last = DeflateHistory.ReachableTail(block, 30, out var earlier);
        Assert.True(earlier.IsEmpty);
        Assert.Equal(block[(34_465 - 32_768)..34_465], last.ToArray());

        var fixedTail = DeflateHistory.ReachableTail(block, 31, out earlier);
        Assert.True(earlier.IsEmpty);
        Assert.Equal(block[^32_768..], fixedTail.ToArray());

        var shortLast = DeflateHistory.ReachableTail(block[..70_000], 30, out earlier);
        Assert.Equal(block[(65_535 - (32_768 - 4_465))..65_535], earlier.ToArray());
        Assert.Equal(block[..4_465], shortLast.ToArray());
    }
}
