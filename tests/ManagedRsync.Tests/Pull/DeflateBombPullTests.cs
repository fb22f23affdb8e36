using System.Buffers;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Tests that bound the process-wide allocation count (<see cref="GC.GetTotalAllocatedBytes"/>): the work spans the
/// client's and the scripted daemon's threads, so a per-thread count would miss most of it. The collection runs alone
/// (xunit runs collections with parallelization disabled after all others, one test at a time), so no other test's
/// allocations land in the measured window.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryBoundCollection
{
    public const string Name = "memory-bound (runs alone)";
}

[Collection(MemoryBoundCollection.Name)]
public sealed class DeflateBombPullTests : IDisposable
{
    private readonly HostilePull _pull = new();

    public void Dispose() => _pull.Dispose();

    // A zlib token stream (-z) whose literal data inflates to 1 GiB for a file listed at 50 bytes: the receiver must
    // stop at the file's budget (its size plus the growth allowance) with a protocol error, never hold the inflated
    // data in memory, and leave the old file and no temp file. The allocation bound is far below the bomb's size,
    // so a decoder that buffered the output (or a writer that kept it) could not pass.
    [Fact]
    public async Task DeflateBombIsStoppedAtTheFileBudgetWithBoundedMemory()
    {
        byte[] bomb = DeflateBomb(mebibytes: 1024);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var e = await _pull.ExpectFailureAsync(HostilePull.AnsweringRequest((s, reply) =>
        {
            Assert.True(s.Compress, "the client asked for -z");
            reply.Write(HostilePull.EchoedHeader());
            for (int i = 0; i < bomb.Length; i += 16383)
            {
                int n = Math.Min(16383, bomb.Length - i);
                reply.Write([(byte)(0x40 | (n >> 8)), (byte)n]); // DEFLATED_DATA (rsync token.c)
                reply.Write(bomb.AsSpan(i, n));
            }
            reply.Write([(byte)0]); // END_FLAG
            return Task.CompletedTask;
        }), options: TransferOptions.Archive with { Compress = true });
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("exceeds what the file may hold", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256 << 20, $"{allocated:N0} bytes allocated while refusing a 1 GiB deflate bomb");
    }

    /// <summary>
    /// Raw deflate of <paramref name="mebibytes"/> MiB of zeros, built from one sync-flushed MiB repeated (each further
    /// MiB of zeros compresses to the same bytes), without the final sync-flush marker, which rsync's sender strips.
    /// </summary>
    private static byte[] DeflateBomb(int mebibytes)
    {
        var zeros = new byte[1 << 20];
        var compressed = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(zeros);
            deflate.Flush();
            int first = (int)compressed.Length;
            deflate.Write(zeros);
            deflate.Flush();
            int second = (int)compressed.Length;
            deflate.Write(zeros);
            deflate.Flush();
            byte[] all = compressed.ToArray();
            byte[] repeated = all[first..second];
            Assert.Equal(repeated, all[second..]);
            var bomb = new List<byte>(all.Length + (mebibytes - 3) * repeated.Length);
            bomb.AddRange(all);
            for (int i = 3; i < mebibytes; i++)
                bomb.AddRange(repeated);
            return bomb.ToArray()[..^4];
        }
    }
}
