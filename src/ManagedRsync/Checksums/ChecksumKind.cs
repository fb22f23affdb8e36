namespace ManagedRsync.Checksums;

/// <summary>
/// The checksum algorithms rsync negotiates, by the names it uses on the wire and in <c>--checksum-choice</c>
/// (rsync checksum.c: valid_checksums_items).
/// </summary>
public enum ChecksumKind
{
    /// <summary><c>none</c>: no strong sums; rsync then sends whole files.</summary>
    None,
    /// <summary><c>md4</c>: the pre-3.0 default; its exact form depends on the protocol (see <see cref="ChecksumVariant"/>).</summary>
    Md4,
    /// <summary><c>md5</c>: the protocol 30+ default when nothing is negotiated.</summary>
    Md5,
    /// <summary><c>sha1</c>.</summary>
    Sha1,
    /// <summary><c>xxh64</c> (also accepted as <c>xxhash</c>).</summary>
    Xxh64,
    /// <summary><c>xxh3</c>: XXH3 64-bit.</summary>
    Xxh3,
    /// <summary><c>xxh128</c>: XXH3 128-bit, rsync's first choice.</summary>
    Xxh128,
}

/// <summary>
/// The exact checksum computation, as rsync distinguishes it internally (rsync rsync.h: CSUM_*). The md4 forms differ
/// in seed placement, in whether a 64-byte-multiple input gets its padding block, and in the width of the bit count.
/// </summary>
public enum ChecksumVariant
{
    /// <summary>CSUM_NONE.</summary>
    None,
    /// <summary>CSUM_MD4_ARCHAIC: protocol &lt; 21.</summary>
    Md4Archaic,
    /// <summary>CSUM_MD4_BUSTED: protocols 21-26, no MD4 padding for 64-byte multiples, 32-bit bit count.</summary>
    Md4Busted,
    /// <summary>CSUM_MD4_OLD: protocols 27-29, seed prepended to the whole-file sum.</summary>
    Md4Old,
    /// <summary>CSUM_MD4: protocol 30+, standard MD4, seed appended to block sums only.</summary>
    Md4,
    /// <summary>CSUM_MD5.</summary>
    Md5,
    /// <summary>CSUM_SHA1.</summary>
    Sha1,
    /// <summary>CSUM_XXH64.</summary>
    Xxh64,
    /// <summary>CSUM_XXH3_64.</summary>
    Xxh3,
    /// <summary>CSUM_XXH3_128.</summary>
    Xxh128,
}

/// <summary>Names, digest lengths and the per-protocol default of rsync's checksums.</summary>
public static class ChecksumNames
{
    /// <summary>rsync's preference order, strongest/fastest first, as stock rsync 3.x advertises it.</summary>
    public static IReadOnlyList<string> PreferenceOrder { get; } = ["xxh128", "xxh3", "xxh64", "md5", "md4", "sha1", "none"];

    /// <summary>The wire name of <paramref name="kind"/>.</summary>
    public static string GetName(ChecksumKind kind) => kind switch
    {
        ChecksumKind.None => "none",
        ChecksumKind.Md4 => "md4",
        ChecksumKind.Md5 => "md5",
        ChecksumKind.Sha1 => "sha1",
        ChecksumKind.Xxh64 => "xxh64",
        ChecksumKind.Xxh3 => "xxh3",
        ChecksumKind.Xxh128 => "xxh128",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a wire name, case-insensitively as rsync does; <c>xxhash</c> is an alias of xxh64.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out ChecksumKind kind)
    {
        foreach (var (text, value) in s_names)
        {
            if (name.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                kind = value;
                return true;
            }
        }
        kind = default;
        return false;
    }

    private static readonly (string, ChecksumKind)[] s_names =
    [
        ("xxh128", ChecksumKind.Xxh128), ("xxh3", ChecksumKind.Xxh3), ("xxh64", ChecksumKind.Xxh64),
        ("xxhash", ChecksumKind.Xxh64), ("md5", ChecksumKind.Md5), ("md4", ChecksumKind.Md4),
        ("sha1", ChecksumKind.Sha1), ("none", ChecksumKind.None),
    ];

    /// <summary>
    /// The variant rsync computes for a chosen (negotiated or <c>--checksum-choice</c>) kind, or for no choice at all
    /// (<paramref name="chosen"/> null: rsync checksum.c parse_csum_name "auto": md5 from protocol 30, where a peer
    /// without the <c>C</c> capability gets the built-in md5 with the seed after the data; md4 forms below 30).
    /// An explicitly chosen md4 is CSUM_MD4 whatever the protocol, as in parse_csum_name.
    /// </summary>
    public static ChecksumVariant Resolve(ChecksumKind? chosen, int protocol) => chosen switch
    {
        null when protocol >= 30 => ChecksumVariant.Md5,
        null when protocol >= 27 => ChecksumVariant.Md4Old,
        null when protocol >= 21 => ChecksumVariant.Md4Busted,
        null => ChecksumVariant.Md4Archaic,
        ChecksumKind.None => ChecksumVariant.None,
        ChecksumKind.Md4 => ChecksumVariant.Md4,
        ChecksumKind.Md5 => ChecksumVariant.Md5,
        ChecksumKind.Sha1 => ChecksumVariant.Sha1,
        ChecksumKind.Xxh64 => ChecksumVariant.Xxh64,
        ChecksumKind.Xxh3 => ChecksumVariant.Xxh3,
        ChecksumKind.Xxh128 => ChecksumVariant.Xxh128,
        _ => throw new ArgumentOutOfRangeException(nameof(chosen)),
    };

    /// <summary>Digest length in bytes (rsync checksum.c: csum_len_for_type, not the file-list form).</summary>
    public static int DigestLength(ChecksumVariant variant) => variant switch
    {
        ChecksumVariant.None => 1,
        ChecksumVariant.Md4Archaic or ChecksumVariant.Md4Busted or ChecksumVariant.Md4Old or ChecksumVariant.Md4 => 16,
        ChecksumVariant.Md5 => 16,
        ChecksumVariant.Sha1 => 20,
        ChecksumVariant.Xxh64 or ChecksumVariant.Xxh3 => 8,
        ChecksumVariant.Xxh128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>
    /// Whether md5 block sums hash the seed before the data, for <see cref="BlockChecksum.Create"/>. rsync's built-in
    /// md5 does so only with proper_seed_order (compat flag <c>C</c>); but an md5 chosen by name (negotiated or
    /// <c>--checksum-choice</c>) runs through OpenSSL in stock builds, whose path always hashes the seed first
    /// (rsync checksum.c: get_checksum2, the xfer_sum_evp_md branch; only the implied md5 is NNI_BUILTIN-only).
    /// </summary>
    public static bool SeedBeforeData(bool chosenByName, bool properSeedOrder) => properSeedOrder || chosenByName;

    /// <summary>The largest digest of any variant (rsync MAX_DIGEST_LEN is larger; we carry no sha256/512 sums).</summary>
    public const int MaxDigestLength = 20;
}
