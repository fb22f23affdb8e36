using BenchmarkDotNet.Attributes;
using ManagedRsync.Checksums;

namespace ManagedRsync.Benchmarks.Delta;

/// <summary>Strong block sum of one block, seeded as on the wire.</summary>
[MemoryDiagnoser]
public class StrongSumBenchmarks
{
    private byte[] _data = [];
    private readonly byte[] _digest = new byte[ChecksumNames.MaxDigestLength];
    private BlockChecksum _sum = null!;

    [Params(ChecksumVariant.Md4, ChecksumVariant.Md5, ChecksumVariant.Sha1, ChecksumVariant.Xxh64, ChecksumVariant.Xxh3, ChecksumVariant.Xxh128)]
    public ChecksumVariant Variant { get; set; }

    [Params(700, 16384)]
    public int BlockLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[BlockLength];
        new Random(1).NextBytes(_data);
        _sum = BlockChecksum.Create(Variant, 0x1234567);
    }

    [Benchmark]
    public byte Block()
    {
        _sum.Compute(_data, _digest);
        return _digest[0];
    }
}
