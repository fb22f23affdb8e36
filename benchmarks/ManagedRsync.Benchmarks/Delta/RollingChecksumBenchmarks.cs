using BenchmarkDotNet.Attributes;
using ManagedRsync.Checksums;

namespace ManagedRsync.Benchmarks.Delta;

/// <summary>rsync checksum1 over one block, per code path (bytes/s = Size / mean time).</summary>
[MemoryDiagnoser]
public class RollingChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(700, 2048, 32768, 131072)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public uint Scalar() => RollingChecksum.ComputeScalar(_data);

    [Benchmark]
    public uint Vector128() => RollingChecksum.ComputeVector128(_data);

    [Benchmark]
    public uint Vector256() => RollingChecksum.ComputeVector256(_data);
}
