using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// CVE-2024-12085 class: block sums must be computed from the basis and nothing else. Before the pull, the shared
/// array pool is filled with buffers holding a marker pattern (what an earlier file or connection would have left);
/// the scripted daemon then records every sum the client sends for a basis of many blocks with a short last one, in
/// the first pass (short strong sums) and in the redo pass (full strong sums, which for xxh64 are 8 bytes, not 16),
/// and each is compared with sums computed here independently: rsync's checksum1 by its definition, the strong sum
/// with .NET's MD5 or System.IO.Hashing's XxHash64 over exactly the block's bytes.
/// </summary>
[Collection(MemoryBoundCollection.Name)] // poisons the process-wide pool: no test may run beside it
public sealed class StaleMemoryTests : IDisposable
{
    private const int Seed = 0x12345678; // HostileSession's checksum seed
    private const byte Marker = 0xA5;
    private readonly HostilePull _pull = new();

    public void Dispose() => _pull.Dispose();

    private sealed record SumRequest(int Count, int BlockLength, int StrongLength, int Remainder, byte[] Sums);

    [Theory]
    [InlineData("md5", 16)]
    [InlineData("xxh64", 8)]
    public async Task SumsCarryOnlyTheBasisInBothPasses(string checksum, int digestLength)
    {
        byte[] basis = new byte[(3 << 20) + 123];
        new Random(12085).NextBytes(basis);
        File.WriteAllBytes(Path.Combine(_pull.Sandbox.Destination, "basis.bin"), basis);
        PoisonThePool();

        var requests = new List<SumRequest>();
        var daemon = new HostileDaemon(async (s, ct) =>
        {
            await s.HandshakeAsync(ct, checksumList: [(byte)checksum.Length, .. System.Text.Encoding.ASCII.GetBytes(checksum)]);
            var list = new HostileFileList(s);
            list.Add(".", HostileFileList.Directory).Add("basis.bin", HostileFileList.Regular, basis.Length + 1).End();
            await list.SendAsync(ct);

            var first = await ReadRequestAsync(s, ct);
            requests.Add(first);
            // Rebuild the file from every block, then a whole-file sum that cannot match: the client asks again
            // with full-length strong sums (rsync receiver.c: redo after "failed verification").
            var reply = new ArrayBufferWriter<byte>();
            reply.Write<byte>([0x02, 0x00, 0x80]); // ndx 1, ITEM_TRANSFER
            reply.WriteInt32(first.Count);
            reply.WriteInt32(first.BlockLength);
            reply.WriteInt32(first.StrongLength);
            reply.WriteInt32(first.Remainder);
            for (int i = 0; i < first.Count; i++)
                reply.WriteInt32(-(i + 1));
            reply.WriteInt32(0);
            reply.Write(new byte[digestLength]);
            reply.Write<byte>([0x00]); // NDX_DONE: the end of phase 1
            await s.SendDataAsync(reply.WrittenMemory, ct);

            Assert.Equal(0, (await s.ReadDataAsync(1, ct))[0]); // the generator's NDX_DONE
            requests.Add(await ReadRequestAsync(s, ct));
        });
        await _pull.ExpectFailureAsync(daemon);

        Assert.Equal(2, requests.Count);
        Assert.InRange(requests[0].StrongLength, 2, digestLength);
        Assert.Equal(Math.Min(16, digestLength), requests[1].StrongLength);
        foreach (var request in requests)
            AssertSumsOf(basis, request, checksum);
    }

    // Buffers of every size the client might rent, full of the marker, returned to the shared pool (beyond the
    // per-thread slot they land in the per-core stacks any thread rents from).
    private static void PoisonThePool()
    {
        for (int size = 1 << 10; size <= 8 << 20; size <<= 1)
        {
            var rented = new List<byte[]>();
            for (int i = 0; i < 32; i++)
            {
                byte[] b = ArrayPool<byte>.Shared.Rent(size);
                b.AsSpan().Fill(Marker);
                rented.Add(b);
            }
            foreach (byte[] b in rented)
                ArrayPool<byte>.Shared.Return(b);
        }
    }

    // ndx (one byte, or 0xFE and two bytes for a repeat of the same index), item flags, the sum header, the sums;
    // itemized entries without ITEM_TRANSFER (the "." whose time differs) come first, as stock sends them.
    private static async Task<SumRequest> ReadRequestAsync(HostileSession s, CancellationToken ct)
    {
        while (true)
        {
            if ((await s.ReadDataAsync(1, ct))[0] == 0xFE)
                await s.ReadDataAsync(2, ct);
            if ((BinaryPrimitives.ReadUInt16LittleEndian(await s.ReadDataAsync(2, ct)) & 0x8000) != 0)
                break;
        }
        byte[] head = await s.ReadDataAsync(16, ct);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head);
        int blength = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4));
        int s2length = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        int remainder = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(12));
        return new SumRequest(count, blength, s2length, remainder, await s.ReadDataAsync(count * (4 + s2length), ct));
    }

    private static void AssertSumsOf(byte[] basis, SumRequest request, string checksum)
    {
        Assert.Equal((basis.Length + request.BlockLength - 1) / request.BlockLength, request.Count);
        Assert.Equal(basis.Length % request.BlockLength, request.Remainder);
        int stride = 4 + request.StrongLength;
        for (int i = 0; i < request.Count; i++)
        {
            var block = basis.AsSpan(i * request.BlockLength, Math.Min(request.BlockLength, basis.Length - i * request.BlockLength));
            var sent = request.Sums.AsSpan(i * stride, stride);
            Assert.True(BinaryPrimitives.ReadUInt32LittleEndian(sent) == Checksum1(block), $"weak sum of block {i}");
            byte[] strong = StrongSum(block, checksum);
            Assert.True(sent[4..].SequenceEqual(strong.AsSpan(0, request.StrongLength)),
                $"strong sum of block {i} of {request.Count} ({block.Length} bytes): {Convert.ToHexString(sent[4..])}");
        }
    }

    // rsync checksum.c: get_checksum1 with CHAR_OFFSET 0: over signed chars, s1 the sum, s2 the sum of the s1s.
    private static uint Checksum1(ReadOnlySpan<byte> block)
    {
        uint s1 = 0, s2 = 0;
        foreach (byte b in block)
        {
            s1 += (uint)(sbyte)b;
            s2 += s1;
        }
        return (s1 & 0xFFFF) + (s2 << 16);
    }

    // rsync checksum.c: get_checksum2: md5 of the seed (little-endian, first with CF_CHKSUM_SEED_FIX) and the block;
    // xxh64 of the block with the seed, stored little-endian.
    private static byte[] StrongSum(ReadOnlySpan<byte> block, string checksum)
    {
        if (checksum == "xxh64")
        {
            var sum = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(sum, XxHash64.HashToUInt64(block, Seed));
            return sum;
        }
        byte[] seeded = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32LittleEndian(seeded, Seed);
        block.CopyTo(seeded.AsSpan(4));
        return MD5.HashData(seeded);
    }
}
