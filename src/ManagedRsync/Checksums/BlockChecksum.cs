using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace ManagedRsync.Checksums;

/// <summary>
/// rsync's strong block sum, "checksum2" (rsync checksum.c: get_checksum2), with the session's checksum seed placed
/// exactly where stock rsync puts it. One instance per session; not thread-safe. <see cref="Compute"/> allocates
/// nothing.
/// </summary>
public sealed class BlockChecksum
{
    private readonly ChecksumVariant _variant;
    private readonly int _seed;
    private readonly bool _seedFirst;
    private readonly Md4? _md4;
    private readonly IncrementalHash? _incremental;

    private BlockChecksum(ChecksumVariant variant, int seed, bool properSeedOrder)
    {
        _variant = variant;
        _seed = seed;
        DigestLength = ChecksumNames.DigestLength(variant);
        if (Md4Forms.IsMd4(variant))
            _md4 = new Md4();
        switch (variant)
        {
            case ChecksumVariant.Md5:
                // Where the seed goes depends on the build and the negotiation: see ChecksumNames.SeedBeforeData.
                _seedFirst = properSeedOrder;
                if (seed != 0)
                    _incremental = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                break;
            case ChecksumVariant.Sha1:
                // sha1 exists in rsync only through OpenSSL (NNI_EVP), whose path always hashes the seed first.
                _seedFirst = true;
                if (seed != 0)
                    _incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                break;
        }
    }

    /// <summary>
    /// Creates the block sum for <paramref name="variant"/>. <paramref name="seed"/> is the session's checksum seed
    /// (0 for none); <paramref name="properSeedOrder"/> is whether both peers set compat flag <c>C</c>.
    /// </summary>
    public static BlockChecksum Create(ChecksumVariant variant, int seed, bool properSeedOrder = true) =>
        new(variant, seed, properSeedOrder);

    /// <summary>Length of the full digest; rsync sends only its first <c>s2length</c> bytes.</summary>
    public int DigestLength { get; }

    /// <summary>The seed applied.</summary>
    public int Seed => _seed;

    /// <summary>The variant computed.</summary>
    public ChecksumVariant Variant => _variant;

    /// <summary>Writes the full digest of <paramref name="block"/> to <paramref name="destination"/>.</summary>
    public void Compute(ReadOnlySpan<byte> block, Span<byte> destination)
    {
        if (destination.Length < DigestLength)
            throw new ArgumentException($"The destination must hold {DigestLength} bytes.", nameof(destination));
        Span<byte> seedBytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(seedBytes, _seed);
        // xxhash takes rsync's int seed as an unsigned 64-bit value: C's conversion sign-extends it.
        long seed64 = _seed;
        switch (_variant)
        {
            case ChecksumVariant.Xxh64:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, XxHash64.HashToUInt64(block, seed64));
                break;
            case ChecksumVariant.Xxh3:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, XxHash3.HashToUInt64(block, seed64));
                break;
            case ChecksumVariant.Xxh128:
            {
                // rsync writes low64 then high64, each little-endian (checksum.c: SIVAL64(sum, 0, digest.low64)).
                UInt128 h = XxHash128.HashToUInt128(block, seed64);
                BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)h);
                BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)(h >> 64));
                break;
            }
            case ChecksumVariant.Md5 or ChecksumVariant.Sha1:
                if (_incremental is null)
                {
                    if (_variant == ChecksumVariant.Md5)
                        MD5.HashData(block, destination);
                    else
                        SHA1.HashData(block, destination);
                    break;
                }
                if (_seedFirst)
                    _incremental.AppendData(seedBytes);
                _incremental.AppendData(block);
                if (!_seedFirst)
                    _incremental.AppendData(seedBytes);
                _incremental.GetHashAndReset(destination);
                break;
            case var _ when _md4 is not null:
                // All md4 forms append a non-zero seed after the data (checksum.c: get_checksum2, SIVAL(buf1,len,...)).
                _md4!.Append(block);
                if (_seed != 0)
                    _md4.Append(seedBytes);
                _md4.GetHashAndReset(destination, Md4Forms.Finish(_variant));
                break;
            default:
                destination[..DigestLength].Clear();
                break;
        }
    }
}
