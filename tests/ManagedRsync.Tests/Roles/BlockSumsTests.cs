using System.Buffers.Binary;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Generator;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// The generator's block sums of a large basis, summed by two threads (BlockSums.WriteInParallel): the same bytes, in
/// the same order, as each block's rolling sum and strong-sum prefix one after another (generator.c:
/// generate_and_send_sums), whatever the checksum, the seed and the last block's length.
/// </summary>
public sealed class BlockSumsTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(ChecksumVariant.Xxh128, 0, 16 * 1024, 5_000)]
    [InlineData(ChecksumVariant.Md5, 12345, 8 * 1024, 0)]
    [InlineData(ChecksumVariant.Md4, -7, 700, 333)]
    [InlineData(ChecksumVariant.Xxh3, 1, 131_072, 1)]
    public void A_large_basis_is_summed_as_block_by_block(ChecksumVariant variant, int seed, int blockLength, int tail)
    {
        long length = BlockSums.ParallelFrom + 3 * 1024 * 1024 + tail;
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        // Repeated blocks too: equal blocks must give equal entries wherever they fall.
        data.AsSpan(0, blockLength).CopyTo(data.AsSpan(9 * blockLength));
        File.WriteAllBytes(_path, data);
        int count = (int)((length + blockLength - 1) / blockLength);
        int remainder = (int)(length % blockLength);
        var header = new SumHeader(count, blockLength, Math.Min(16, ChecksumNames.DigestLength(variant)), remainder);

        using var output = new MemoryStream();
        var writer = new MultiplexWriter(output);
        using (SafeFileHandle basis = File.OpenHandle(_path))
            BlockSums.Write(basis, header, variant, seed, seedFix: true, writer);
        writer.Send();

        var expected = new MemoryStream();
        BlockChecksum strong = BlockChecksum.Create(variant, seed, true);
        Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
        Span<byte> rolling = stackalloc byte[4];
        for (int b = 0; b < count; b++)
        {
            ReadOnlySpan<byte> block = data.AsSpan(b * blockLength, header.LengthOf(b));
            BinaryPrimitives.WriteInt32LittleEndian(rolling, (int)RollingChecksum.ComputeScalar(block));
            expected.Write(rolling);
            strong.Compute(block, digest);
            expected.Write(digest[..header.StrongLength]);
        }
        Assert.Equal(expected.Length, output.Length);
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(output.ToArray()), "the sums differ from block-by-block ones");
    }
}
