using CsCheck;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Tests.Properties;

/// <summary>
/// Signature, delta and patch over random bases and random edit scripts (insertions, deletions, overwrites and
/// moves of random spans, any block length and checksum): the patch always rebuilds the new file byte for byte.
/// </summary>
public sealed class DeltaPropertyTests
{
    private enum EditKind { Insert, Delete, Overwrite, Move }

    private static readonly Gen<(EditKind Kind, int At, int Length, byte[] Bytes)> Edits =
        Gen.Select(Gen.Enum<EditKind>(), Gen.Int[0, int.MaxValue], Gen.Int[1, 3000], Gen.Byte.Array[1, 400]);

    private static byte[] Apply(byte[] basis, (EditKind Kind, int At, int Length, byte[] Bytes)[] edits)
    {
        var data = new List<byte>(basis);
        foreach (var (kind, at, length, bytes) in edits)
        {
            int pos = data.Count == 0 ? 0 : at % (data.Count + 1);
            int span = Math.Min(length, data.Count - pos);
            switch (kind)
            {
                case EditKind.Insert:
                    data.InsertRange(pos, bytes);
                    break;
                case EditKind.Delete:
                    data.RemoveRange(pos, span);
                    break;
                case EditKind.Overwrite:
                    for (int i = 0; i < Math.Min(span, bytes.Length); i++)
                        data[pos + i] = bytes[i];
                    break;
                case EditKind.Move:
                    var moved = data.GetRange(pos, span);
                    data.RemoveRange(pos, span);
                    data.InsertRange(data.Count == 0 ? 0 : (at / 7) % (data.Count + 1), moved);
                    break;
            }
        }
        return [.. data];
    }

    [Fact]
    public void PatchRebuildsTheNewFile() =>
        Gen.Select(Gen.Byte.Array[0, 40_000], Edits.Array[0, 8], Gen.OneOf(0, 8, 100, 700, 1024, 4096),
                Gen.OneOf(ChecksumKind.Md4, ChecksumKind.Md5, ChecksumKind.Sha1, ChecksumKind.Xxh64, ChecksumKind.Xxh3, ChecksumKind.Xxh128))
            .Sample((basis, edits, blockLength, checksum) =>
            {
                byte[] newFile = Apply(basis, edits);
                var options = new DeltaOptions { BlockLength = blockLength, Checksum = checksum };
                var signature = DeltaEngine.CreateSignature(new MemoryStream(basis), options);
                var delta = new MemoryStream();
                DeltaEngine.WriteDelta(signature, new MemoryStream(newFile), delta, options);
                delta.Position = 0;
                var output = new MemoryStream();
                long written = DeltaEngine.ApplyDelta(new MemoryStream(basis), delta, output, options);
                Assert.Equal(newFile.Length, written);
                Assert.Equal(newFile, output.ToArray());
            }, iter: 500);
}
