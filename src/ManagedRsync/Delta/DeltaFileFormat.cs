using System.Buffers.Binary;
using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// ManagedRsync's own files for signatures and deltas (<c>mrsync signature|delta|patch</c>), self-describing so
/// that a delta can be checked against its basis without the signature. All integers little-endian.
/// <code>
/// signature: "MRSG" u8 version=1, u8 checksum variant, u8 strong length, u8 0, i32 block length, i32 seed,
///            i64 basis length, i32 block count, then per block: u32 checksum1, strong-length bytes of the strong sum.
/// delta:     "MRDL" u8 version=1, u8 checksum variant, u16 0, i32 block length, i32 basis block count,
///            i32 basis remainder, i32 seed, then tokens: 'L' u32 n (1..32768) n bytes | 'M' i32 first block,
///            i32 run length (&gt;= 1) | 'E', then the whole-file sum of the new file (the variant's digest length).
/// </code>
/// </summary>
internal static class DeltaFileFormat
{
    public const uint SignatureMagic = 0x4753524D; // "MRSG"
    public const uint DeltaMagic = 0x4C44524D;     // "MRDL"
    public const byte Version = 1;
    public const int SignatureHeaderLength = 28;
    public const int DeltaHeaderLength = 24;
    public const byte LiteralToken = (byte)'L';
    public const byte MatchToken = (byte)'M';
    public const byte EndToken = (byte)'E';

    public static ChecksumVariant ReadVariant(byte value) =>
        value <= (byte)ChecksumVariant.Xxh128 && value != (byte)ChecksumVariant.None
            ? (ChecksumVariant)value
            : throw Invalid($"unknown checksum variant {value}");

    public static void CheckMagic(ReadOnlySpan<byte> header, uint magic, string what)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != magic)
            throw Invalid($"not a ManagedRsync {what} file");
        if (header[4] != Version)
            throw Invalid($"{what} format version {header[4]} is not supported");
    }

    public static RsyncException Invalid(string message) =>
        new(RsyncErrorKind.ProtocolViolation, "Invalid delta file data: " + message);

    public static void ReadFully(Stream stream, Span<byte> destination, string what)
    {
        try
        {
            stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            throw new RsyncException(RsyncErrorKind.ProtocolViolation, $"Truncated {what}", e);
        }
    }
}
