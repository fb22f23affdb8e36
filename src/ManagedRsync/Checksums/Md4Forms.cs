namespace ManagedRsync.Checksums;

/// <summary>How each of rsync's md4 forms finishes the core <see cref="Md4"/>.</summary>
internal static class Md4Forms
{
    /// <summary>Whether <paramref name="variant"/> is one of rsync's md4 forms.</summary>
    public static bool IsMd4(ChecksumVariant variant) =>
        variant is ChecksumVariant.Md4Archaic or ChecksumVariant.Md4Busted or ChecksumVariant.Md4Old or ChecksumVariant.Md4;

    /// <summary>
    /// Before protocol 27 rsync skipped MD4's padding block when the input was a multiple of 64 bytes and wrote only
    /// the low 32 bits of the bit count (rsync checksum.c: get_checksum2 / sum_end for CSUM_MD4_BUSTED and
    /// CSUM_MD4_ARCHAIC; lib/mdfour.c: mdfour_tail, "protocol_version >= 27").
    /// </summary>
    public static Md4Finish Finish(ChecksumVariant variant) => variant is ChecksumVariant.Md4Busted or ChecksumVariant.Md4Archaic
        ? Md4Finish.SkipTailOnBlockBoundary | Md4Finish.BitCountModulo32
        : Md4Finish.Standard;
}
