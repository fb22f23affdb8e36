using BenchmarkDotNet.Attributes;
using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Benchmarks.Tokens;

/// <summary>
/// Each token codec encoding and decoding one 4 MiB file (default level, protocol 31), with the session's encoder or
/// decoder created per file so that setup cost is included. MB/s = 4 MiB / Mean.
/// </summary>
[MemoryDiagnoser]
public class TokenCodecBenchmarks
{
    private TokenWorkload _workload = null!;
    private byte[] _encoded = [];
    private MemoryStream _output = null!;

    [Params(TokenCodec.None, TokenCodec.Zlib, TokenCodec.ZlibX, TokenCodec.Zstd, TokenCodec.Lz4)]
    public TokenCodec Codec { get; set; }

    [Params(TokenScenario.Literal, TokenScenario.Delta)]
    public TokenScenario Scenario { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = new TokenWorkload(Scenario);
        _output = new MemoryStream(TokenWorkload.FileSize + (1 << 20));
        Encode();
        _encoded = _output.ToArray();
        if (Decode() != _workload.NewFile.Length)
            throw new InvalidOperationException("decoded length differs");
    }

    [Benchmark]
    public long Encode()
    {
        _output.Position = 0;
        _output.SetLength(0);
        using var encoder = TokenCodecFactory.CreateEncoder(Codec, 31, null, _output);
        _workload.Replay(encoder);
        return _output.Length;
    }

    [Benchmark]
    public long Decode()
    {
        using var decoder = TokenCodecFactory.CreateDecoder(Codec, 31, new MemoryStream(_encoded, writable: false));
        return _workload.Patch(decoder);
    }
}
