using BenchmarkDotNet.Attributes;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Benchmarks.Delta;

/// <summary>
/// The match finder over a whole new file against the signature of a 256 MiB basis (rsync's block length for that
/// size, xxh128 strong sums); MB/s = 256 MiB / mean time. Tokens go to a sink that only counts.
/// </summary>
[MemoryDiagnoser]
public class MatchFinderBenchmarks
{
    public enum Change { Identical, Clustered1Percent, Scattered1Percent, Unrelated }

    private const int Size = 256 << 20;
    private byte[] _newFile = [];
    private MatchFinder _finder = null!;
    private readonly CountingSink _sink = new();

    [Params(Change.Identical, Change.Clustered1Percent, Change.Scattered1Percent, Change.Unrelated)]
    public Change Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var basis = new byte[Size];
        random.NextBytes(basis);
        _newFile = (byte[])basis.Clone();
        int n = Size / 100;
        switch (Kind)
        {
            case Change.Clustered1Percent:
                random.NextBytes(_newFile.AsSpan(Size / 3, n));
                break;
            case Change.Scattered1Percent:
                for (int i = 0; i < n / 1024; i++)
                    random.NextBytes(_newFile.AsSpan(random.Next(Size - 1024), 1024));
                break;
            case Change.Unrelated:
                random.NextBytes(_newFile);
                break;
        }
        var strong = BlockChecksum.Create(ChecksumVariant.Xxh128, 0);
        var header = BlockLayout.For(Size, 31, 16) with { StrongLength = 16 };
        _finder = new MatchFinder(Signature.Compute(new MemoryStream(basis), header, strong), strong);
    }

    [Benchmark]
    public long Delta()
    {
        _finder.Run(new MemoryStream(_newFile, writable: false), _sink);
        return _finder.LiteralBytes;
    }

    private sealed class CountingSink : IDeltaSink
    {
        public long Bytes;
        public void WriteLiteral(ReadOnlySpan<byte> data) => Bytes += data.Length;
        public void WriteMatch(int blockIndex, ReadOnlySpan<byte> data) => Bytes += data.Length;
        public void Finish() { }
    }
}
