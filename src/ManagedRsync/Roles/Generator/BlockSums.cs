using System.Buffers;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Roles.Generator;

/// <summary>
/// The generator's block sums of a basis file (rsync generator.c: generate_and_send_sums): after the sum header, per
/// block an int32 rolling sum and the first s2length bytes of its strong sum. The generator's walk over the file list
/// (recv_generator) is <see cref="GeneratorRole"/>.
/// </summary>
internal static class BlockSums
{
    /// <summary>Reads the basis in runs of whole blocks (about 1 MiB) and sends each block's rolling and strong sum.</summary>
    public static void Write(SafeFileHandle basis, SumHeader header, ChecksumVariant checksum, int seed, bool seedFix,
        MultiplexWriter output)
    {
        var strong = BlockChecksum.Create(checksum, seed, seedFix);
        Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
        int blocksPerRead = Math.Max(1, (1 << 20) / header.BlockLength);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blocksPerRead * header.BlockLength);
        try
        {
            for (int first = 0; first < header.Count; first += blocksPerRead)
            {
                int count = Math.Min(blocksPerRead, header.Count - first);
                int wanted = (count - 1) * header.BlockLength + header.LengthOf(first + count - 1);
                long offset = (long)first * header.BlockLength;
                int got = 0;
                while (got < wanted)
                {
                    int n = RandomAccess.Read(basis, buffer.AsSpan(got, wanted - got), offset + got);
                    if (n <= 0)
                        break;
                    got += n;
                }
                if (got < wanted)
                    buffer.AsSpan(got, wanted - got).Clear(); // the basis shrank under us: the redo pass will fix it
                for (int i = 0; i < count; i++)
                {
                    var data = buffer.AsSpan(i * header.BlockLength, header.LengthOf(first + i));
                    output.WriteInt32((int)RollingChecksum.Compute(data));
                    strong.Compute(data, digest);
                    output.Write(digest[..header.StrongLength]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
