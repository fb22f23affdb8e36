using System.Buffers.Binary;
using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>Reads and writes <see cref="Signature"/>s in ManagedRsync's signature file format.</summary>
public static class SignatureFile
{
    /// <summary>Writes <paramref name="signature"/> to <paramref name="output"/>.</summary>
    public static void Write(Signature signature, Stream output)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(output);
        var h = signature.Header;
        Span<byte> head = stackalloc byte[DeltaFileFormat.SignatureHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(head, DeltaFileFormat.SignatureMagic);
        head[4] = DeltaFileFormat.Version;
        head[5] = (byte)signature.Variant;
        head[6] = (byte)h.StrongLength;
        head[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(head[8..], h.BlockLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[12..], signature.Seed);
        BinaryPrimitives.WriteInt64LittleEndian(head[16..], h.FileLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[24..], h.Count);
        output.Write(head);
        int record = 4 + h.StrongLength;
        var buffer = new byte[record * 4096];
        int used = 0;
        for (int i = 0; i < h.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(used), signature.WeakSum(i));
            signature.StrongSum(i).CopyTo(buffer.AsSpan(used + 4));
            used += record;
            if (used == buffer.Length)
            {
                output.Write(buffer, 0, used);
                used = 0;
            }
        }
        output.Write(buffer, 0, used);
    }

    /// <summary>
    /// Reads a signature, validating the header before anything is allocated from it: a layout rsync could have made
    /// (block length within rsync's protocol-29 maximum, strong length within the digest, block count and remainder
    /// consistent with the basis length). Truncated or inconsistent input throws a protocol-violation
    /// <see cref="RsyncException"/>.
    /// </summary>
    public static Signature Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Span<byte> head = stackalloc byte[DeltaFileFormat.SignatureHeaderLength];
        DeltaFileFormat.ReadFully(input, head, "signature header");
        DeltaFileFormat.CheckMagic(head, DeltaFileFormat.SignatureMagic, "signature");
        var variant = DeltaFileFormat.ReadVariant(head[5]);
        int strongLength = head[6];
        int blockLength = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int seed = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        long fileLength = BinaryPrimitives.ReadInt64LittleEndian(head[16..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head[24..]);
        if (blockLength <= 0 || blockLength > SumHeader.OldMaxBlockLength)
            throw DeltaFileFormat.Invalid($"block length {blockLength}");
        if (fileLength < 0)
            throw DeltaFileFormat.Invalid($"basis length {fileLength}");
        int remainder = (int)(fileLength % blockLength);
        long expected = fileLength / blockLength + (remainder != 0 ? 1 : 0);
        if (count != expected)
            throw DeltaFileFormat.Invalid($"{count} blocks for a basis of {fileLength} bytes in blocks of {blockLength}");
        var header = new SumHeader(count, blockLength, strongLength, remainder);
        try
        {
            header.Validate(29, ChecksumNames.DigestLength(variant));
        }
        catch (RsyncException e)
        {
            throw DeltaFileFormat.Invalid(e.Message);
        }
        var signature = new Signature(header, variant, seed);
        int record = 4 + strongLength;
        var buffer = new byte[record * 4096];
        for (int i = 0; i < count;)
        {
            int n = Math.Min(4096, count - i);
            DeltaFileFormat.ReadFully(input, buffer.AsSpan(0, n * record), "signature");
            for (int j = 0; j < n; j++)
            {
                var r = buffer.AsSpan(j * record, record);
                signature.Add(BinaryPrimitives.ReadUInt32LittleEndian(r), r[4..]);
            }
            i += n;
        }
        return signature;
    }
}
