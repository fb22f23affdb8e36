using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace ManagedRsync.Checksums;

/// <summary>
/// A whole-file sum fed incrementally: the transfer sum the sender sends after a file's tokens and the receiver
/// checks (rsync checksum.c: sum_init/sum_update/sum_end), or the pre-transfer <c>--checksum</c> sum of the file list
/// (checksum.c: file_checksum). Not thread-safe.
/// </summary>
public sealed class FileChecksum : IDisposable
{
    private readonly ChecksumVariant _variant;
    private readonly int _seed;
    private readonly bool _seeded;
    private readonly Md4? _md4;
    private readonly IncrementalHash? _incremental;
    private readonly NonCryptographicHashAlgorithm? _xxh;

    private FileChecksum(ChecksumVariant variant, int seed, bool seeded)
    {
        _variant = variant;
        _seed = seed;
        // Only the pre-30 md4 forms are seeded, and then always, even by a zero seed (checksum.c: sum_init writes
        // SIVAL(s, 0, seed) unconditionally for CSUM_MD4_OLD/BUSTED/ARCHAIC). xxh64 is reset with seed 0.
        _seeded = seeded && variant is ChecksumVariant.Md4Old or ChecksumVariant.Md4Busted or ChecksumVariant.Md4Archaic;
        DigestLength = ChecksumNames.DigestLength(variant);
        if (Md4Forms.IsMd4(variant))
            _md4 = new Md4();
        switch (variant)
        {
            case ChecksumVariant.Md5:
                _incremental = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                break;
            case ChecksumVariant.Sha1:
                _incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                break;
            case ChecksumVariant.Xxh64:
                _xxh = new XxHash64();
                break;
            case ChecksumVariant.Xxh3:
                _xxh = new XxHash3();
                break;
            case ChecksumVariant.Xxh128:
                _xxh = new XxHash128();
                break;
        }
        Reset();
    }

    /// <summary>The sum the sender computes over a file while matching it and sends after its tokens.</summary>
    public static FileChecksum CreateTransferSum(ChecksumVariant variant, int seed) => new(variant, seed, seeded: true);

    /// <summary>The <c>--checksum</c> sum of a file, which rsync never seeds (checksum.c: file_checksum).</summary>
    public static FileChecksum CreateListSum(ChecksumVariant variant) => new(variant, 0, seeded: false);

    /// <summary>Digest length in bytes.</summary>
    public int DigestLength { get; }

    /// <summary>The variant computed.</summary>
    public ChecksumVariant Variant => _variant;

    /// <summary>Starts over, as for a new file.</summary>
    public void Reset()
    {
        _xxh?.Reset();
        if (_md4 is not null)
        {
            _md4.Reset();
            if (_seeded)
            {
                Span<byte> s = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(s, _seed);
                _md4.Append(s);
            }
        }
    }

    /// <summary>Feeds the next bytes of the file.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_md4 is not null)
            _md4.Append(data);
        else if (_incremental is not null)
            _incremental.AppendData(data);
        else
            _xxh?.Append(data);
    }

    /// <summary>Writes the digest as rsync puts it on the wire and starts over.</summary>
    public void GetDigestAndReset(Span<byte> destination)
    {
        if (destination.Length < DigestLength)
            throw new ArgumentException($"The destination must hold {DigestLength} bytes.", nameof(destination));
        switch (_variant)
        {
            case ChecksumVariant.Xxh64:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, ((XxHash64)_xxh!).GetCurrentHashAsUInt64());
                break;
            case ChecksumVariant.Xxh3:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, ((XxHash3)_xxh!).GetCurrentHashAsUInt64());
                break;
            case ChecksumVariant.Xxh128:
            {
                UInt128 h = ((XxHash128)_xxh!).GetCurrentHashAsUInt128();
                BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)h);
                BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)(h >> 64));
                break;
            }
            case ChecksumVariant.Md5 or ChecksumVariant.Sha1:
                _incremental!.GetHashAndReset(destination);
                break;
            case var _ when _md4 is not null:
                _md4.GetHashAndReset(destination, Md4Forms.Finish(_variant));
                break;
            default:
                // CSUM_NONE: sum_end writes a single NUL.
                destination[0] = 0;
                break;
        }
        Reset();
    }

    /// <summary>Releases the platform hash handle, if any.</summary>
    public void Dispose() => _incremental?.Dispose();
}
