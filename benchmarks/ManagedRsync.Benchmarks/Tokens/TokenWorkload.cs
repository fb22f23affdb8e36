using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Tests.Tokens;

namespace ManagedRsync.Benchmarks.Tokens;

/// <summary>What a codec is given: a file sent whole (all literal) or a delta against a basis (98% matched).</summary>
public enum TokenScenario
{
    /// <summary>4 MiB of text-like data, no basis: 32 KiB literal pieces, as rsync sends a new file.</summary>
    Literal,
    /// <summary>A 4 MiB file against a basis with 2 KiB blocks, about 2% of it new literal data.</summary>
    Delta,
}

/// <summary>The data and the match finder's calls for one file, replayed into any <see cref="IDeltaSink"/>.</summary>
internal sealed class TokenWorkload
{
    // The words the recorded codec figures were measured with (the tests' list plus two).
    private static readonly string[] Words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike rsync token".Split(' ');

    public const int FileSize = 4 << 20;
    private const int BlockLength = 2048;

    private readonly List<(int Block, int Start, int Length)> _calls = [];

    public TokenWorkload(TokenScenario scenario)
    {
        var rng = new Random(1);
        Basis = SampleText.Generate(rng, FileSize, Words);
        if (scenario == TokenScenario.Literal)
        {
            NewFile = Basis;
            for (var offset = 0; offset < FileSize; offset += 32 * 1024)
                _calls.Add((-1, offset, Math.Min(32 * 1024, FileSize - offset)));
            Basis = [];
            return;
        }
        var output = new MemoryStream();
        for (var block = 0; block < FileSize / BlockLength; block++)
        {
            if (rng.Next(50) == 0)
            {
                var literal = SampleText.Generate(rng, rng.Next(100, 4000), Words);
                _calls.Add((-1, (int)output.Length, literal.Length));
                output.Write(literal);
            }
            _calls.Add((block, (int)output.Length, BlockLength));
            output.Write(Basis, block * BlockLength, BlockLength);
        }
        NewFile = output.ToArray();
    }

    public byte[] Basis { get; }
    public byte[] NewFile { get; }

    public void Replay(IDeltaSink sink)
    {
        foreach (var (block, start, length) in _calls)
        {
            if (block < 0)
                sink.WriteLiteral(NewFile.AsSpan(start, length));
            else
                sink.WriteMatch(block, NewFile.AsSpan(start, length));
        }
        sink.Finish();
    }

    /// <summary>rsync receiver.c receive_data without the file: copy matched blocks, see them, count the bytes.</summary>
    public long Patch(TokenDecoder decoder)
    {
        long total = 0;
        while (true)
        {
            switch (decoder.Read(out var literal, out var block))
            {
                case DeltaTokenKind.End:
                    return total;
                case DeltaTokenKind.Literal:
                    total += literal.Length;
                    break;
                case DeltaTokenKind.Match:
                    decoder.SeeMatch(Basis.AsSpan(block * BlockLength, BlockLength));
                    total += BlockLength;
                    break;
            }
        }
    }

}
