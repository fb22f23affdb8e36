using System.Security.Cryptography;
using System.Text;
using ManagedRsync.Checksums;

namespace ManagedRsync.Daemon;

/// <summary>Choosing the auth digest with the daemon and answering its challenge (rsync authenticate.c).</summary>
public static class AuthDigestNegotiation
{
    /// <summary>What rsync 3.2+ offers, strongest first.</summary>
    public static readonly IReadOnlyList<AuthDigest> DefaultPreference =
        [AuthDigest.Sha512, AuthDigest.Sha256, AuthDigest.Sha1, AuthDigest.Md5, AuthDigest.Md4];

    /// <summary>The name of a digest in greetings and on the command line.</summary>
    public static string Name(AuthDigest digest) => digest switch
    {
        AuthDigest.Sha512 => "sha512",
        AuthDigest.Sha256 => "sha256",
        AuthDigest.Sha1 => "sha1",
        AuthDigest.Md5 => "md5",
        AuthDigest.Md4 or AuthDigest.Md4Legacy => "md4",
        _ => throw new ArgumentOutOfRangeException(nameof(digest)),
    };

    /// <summary>Parses a digest name as rsync spells it (case-insensitive).</summary>
    public static bool TryParseName(ReadOnlySpan<char> name, out AuthDigest digest)
    {
        foreach (var candidate in DefaultPreference)
        {
            if (name.Equals(Name(candidate), StringComparison.OrdinalIgnoreCase))
            {
                digest = candidate;
                return true;
            }
        }
        digest = default;
        return false;
    }

    /// <summary>Our digest list as the greeting carries it: names separated by single spaces.</summary>
    public static string FormatList(IReadOnlyList<AuthDigest> preference) =>
        string.Join(' ', preference.Where(d => d != AuthDigest.Md4Legacy).Select(Name).Distinct());

    /// <summary>
    /// The digest the client uses for the daemon's <paramref name="serverList"/> (null when its greeting had none).
    /// rsync compat.c: negotiate_daemon_auth and parse_negotiate_str: of the names the daemon lists, the one the
    /// client prefers most; unknown names are skipped. Without a list, md5 from protocol 30, else legacy md4.
    /// </summary>
    /// <exception cref="RsyncException">No digest in common (exit 4, as rsync's RERR_UNSUPPORTED).</exception>
    public static AuthDigest Choose(string? serverList, int protocolVersion, IReadOnlyList<AuthDigest> preference)
    {
        if (serverList is null)
        {
            var implied = protocolVersion >= 30 ? AuthDigest.Md5 : AuthDigest.Md4Legacy;
            if (preference.Contains(implied) || (implied == AuthDigest.Md4Legacy && preference.Contains(AuthDigest.Md4)))
            {
                return implied;
            }
            throw NoCommonDigest(protocolVersion >= 30 ? "md5" : "md4", preference);
        }

        int best = int.MaxValue;
        foreach (var token in serverList.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParseName(token, out var digest))
            {
                int rank = IndexOf(preference, digest);
                if (rank >= 0 && rank < best)
                {
                    best = rank;
                }
            }
        }
        return best == int.MaxValue ? throw NoCommonDigest(serverList, preference) : preference[best];
    }

    /// <summary>
    /// The response to <c>@RSYNCD: AUTHREQD challenge</c>: base64, unpadded, of digest(password + challenge)
    /// (rsync authenticate.c: generate_hash, base64_encode with pad = 0).
    /// </summary>
    public static string Respond(AuthDigest digest, string password, string challenge)
    {
        byte[] input = Encoding.UTF8.GetBytes(password + challenge);
        Span<byte> hash = stackalloc byte[64];
        int length = digest switch
        {
            AuthDigest.Sha512 => SHA512.HashData(input, hash),
            AuthDigest.Sha256 => SHA256.HashData(input, hash),
            AuthDigest.Sha1 => SHA1.HashData(input, hash),
            AuthDigest.Md5 => MD5.HashData(input, hash),
            AuthDigest.Md4 => Md4Hash(input, hash, legacySeed: false),
            AuthDigest.Md4Legacy => Md4Hash(input, hash, legacySeed: true),
            _ => throw new ArgumentOutOfRangeException(nameof(digest)),
        };
        CryptographicOperations.ZeroMemory(input);
        return Convert.ToBase64String(hash[..length]).TrimEnd('=');
    }

    private static int Md4Hash(ReadOnlySpan<byte> input, Span<byte> destination, bool legacySeed)
    {
        var md4 = new Md4();
        if (legacySeed)
        {
            // rsync checksum.c: sum_init for CSUM_MD4_OLD hashes the 4-byte little-endian seed first; auth uses seed 0.
            md4.Append([0, 0, 0, 0]);
        }
        md4.Append(input);
        md4.GetHashAndReset(destination);
        return Md4.HashSizeInBytes;
    }

    private static int IndexOf(IReadOnlyList<AuthDigest> list, AuthDigest digest)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == digest)
            {
                return i;
            }
        }
        return -1;
    }

    private static RsyncException NoCommonDigest(string serverList, IReadOnlyList<AuthDigest> preference) =>
        new(RsyncErrorKind.Unsupported,
            $"Failed to negotiate a daemon auth checksum choice. Server list: {serverList}; client list: {FormatList(preference)}");
}
