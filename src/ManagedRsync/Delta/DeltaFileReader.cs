using System.Buffers.Binary;
using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// Reads a delta in ManagedRsync's delta file format as an <see cref="IDeltaSource"/>: runs come back one block at a
/// time, every literal length and block index is bounded before use.
/// </summary>
internal sealed class DeltaFileReader : IDeltaSource
{
    private readonly Stream _input;
    private readonly byte[] _literal = new byte[MatchFinder.ChunkSize];
    private int _runNext;
    private int _runLeft;

    public DeltaFileReader(Stream input)
    {
        _input = input;
        Span<byte> head = stackalloc byte[DeltaFileFormat.DeltaHeaderLength];
        DeltaFileFormat.ReadFully(input, head, "delta header");
        DeltaFileFormat.CheckMagic(head, DeltaFileFormat.DeltaMagic, "delta");
        Variant = DeltaFileFormat.ReadVariant(head[5]);
        int blockLength = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        int remainder = BinaryPrimitives.ReadInt32LittleEndian(head[16..]);
        Seed = BinaryPrimitives.ReadInt32LittleEndian(head[20..]);
        Header = new SumHeader(count, blockLength, 0, remainder);
        try
        {
            Header.Validate(29, ChecksumNames.DigestLength(Variant));
        }
        catch (RsyncException e)
        {
            throw DeltaFileFormat.Invalid(e.Message);
        }
    }

    /// <summary>The layout of the basis the delta was made against.</summary>
    public SumHeader Header { get; }

    /// <summary>The checksum of the whole-file sum.</summary>
    public ChecksumVariant Variant { get; }

    /// <summary>The seed of the whole-file sum.</summary>
    public int Seed { get; }

    public DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex)
    {
        literal = default;
        blockIndex = -1;
        if (_runLeft > 0)
        {
            _runLeft--;
            blockIndex = _runNext++;
            return DeltaTokenKind.Match;
        }
        Span<byte> token = stackalloc byte[9];
        DeltaFileFormat.ReadFully(_input, token[..1], "delta");
        switch (token[0])
        {
            case DeltaFileFormat.EndToken:
                return DeltaTokenKind.End;
            case DeltaFileFormat.LiteralToken:
            {
                DeltaFileFormat.ReadFully(_input, token[1..5], "delta");
                uint n = BinaryPrimitives.ReadUInt32LittleEndian(token[1..]);
                if (n == 0 || n > MatchFinder.ChunkSize)
                    throw DeltaFileFormat.Invalid($"literal of {n} bytes (1..{MatchFinder.ChunkSize} allowed)");
                DeltaFileFormat.ReadFully(_input, _literal.AsSpan(0, (int)n), "delta literal");
                literal = _literal.AsSpan(0, (int)n);
                return DeltaTokenKind.Literal;
            }
            case DeltaFileFormat.MatchToken:
            {
                DeltaFileFormat.ReadFully(_input, token[1..9], "delta");
                int first = BinaryPrimitives.ReadInt32LittleEndian(token[1..]);
                int run = BinaryPrimitives.ReadInt32LittleEndian(token[5..]);
                if (first < 0 || run < 1 || (long)first + run > Header.Count)
                    throw DeltaFileFormat.Invalid($"blocks {first}+{run} out of range: the basis has {Header.Count}");
                _runNext = first + 1;
                _runLeft = run - 1;
                blockIndex = first;
                return DeltaTokenKind.Match;
            }
            default:
                throw DeltaFileFormat.Invalid($"unknown token 0x{token[0]:x2}");
        }
    }

    public void SeeMatch(ReadOnlySpan<byte> data)
    {
        // Uncompressed: no history to keep.
    }

    /// <summary>Reads the sender's whole-file sum that follows the end token.</summary>
    public void ReadFileSum(Span<byte> destination) => DeltaFileFormat.ReadFully(_input, destination, "delta file sum");
}
