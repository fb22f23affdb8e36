using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Delta;

/// <summary>A token stream kept in memory: a sink for the match finder and a source for the patcher.</summary>
internal sealed class RecordedTokens : IDeltaSink, IDeltaSource
{
    public List<(byte[]? Literal, int Block)> Tokens { get; } = [];
    public bool Finished { get; private set; }
    private int _read;

    public void WriteLiteral(ReadOnlySpan<byte> data) => Tokens.Add((data.ToArray(), -1));

    public void WriteMatch(int blockIndex, ReadOnlySpan<byte> data) => Tokens.Add((null, blockIndex));

    public void Finish() => Finished = true;

    public DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex)
    {
        literal = default;
        blockIndex = -1;
        if (_read == Tokens.Count)
            return DeltaTokenKind.End;
        var (data, block) = Tokens[_read++];
        if (data is not null)
        {
            literal = data;
            return DeltaTokenKind.Literal;
        }
        blockIndex = block;
        return DeltaTokenKind.Match;
    }

    public void SeeMatch(ReadOnlySpan<byte> data)
    {
    }

    public IEnumerable<int> Blocks => Tokens.Where(t => t.Literal is null).Select(t => t.Block);

    public long LiteralBytes => Tokens.Where(t => t.Literal is not null).Sum(t => (long)t.Literal!.Length);
}
