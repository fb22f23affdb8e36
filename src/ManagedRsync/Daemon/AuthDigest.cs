namespace ManagedRsync.Daemon;

/// <summary>
/// The digests a daemon challenge can be answered with (rsync checksum.c: valid_auth_checksums_items), strongest
/// first.
/// </summary>
public enum AuthDigest
{
    /// <summary>SHA-512.</summary>
    Sha512,
    /// <summary>SHA-256.</summary>
    Sha256,
    /// <summary>SHA-1.</summary>
    Sha1,
    /// <summary>MD5: what protocol 30+ peers without a digest list use.</summary>
    Md5,
    /// <summary>MD4 as negotiated by name with a 3.2+ daemon.</summary>
    Md4,
    /// <summary>
    /// The MD4 of peers that send no digest list at protocol &lt; 30 (rsync before 3.2): four zero bytes of checksum
    /// seed are hashed before the password (rsync compat.c: negotiate_daemon_auth, md4_is_old -> CSUM_MD4_OLD;
    /// checksum.c: sum_init).
    /// </summary>
    Md4Legacy,
}
