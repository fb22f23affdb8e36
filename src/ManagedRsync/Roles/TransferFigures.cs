using ManagedRsync.Checksums;

namespace ManagedRsync.Roles;

/// <summary>
/// What rsync's %b, %c and %C show for one transferred file (log.c: log_formatted): the data bytes this side wrote and
/// read from just before the file's checksums or data went out or came in (remember_initial_stats: after the request's
/// index and attributes were read) to the end of its whole-file checksum, and that checksum as %C prints it.
/// </summary>
/// <param name="Written">Data bytes written (io.c: total_data_written, frame headers and messages not counted).</param>
/// <param name="Read">Data bytes read (io.c: total_data_read).</param>
/// <param name="Checksum">The whole-file checksum in hex (util2.c: sum_as_hex), or null when the kind has no canonical form.</param>
/// <param name="Digits">Twice the transfer checksum's length: the spaces a %C without a checksum prints.</param>
internal readonly record struct TransferFigures(long Written, long Read, string? Checksum, int Digits)
{
    /// <summary>
    /// log.c %C with --checksum (always_checksum): a regular file shows its file-list checksum (F_SUM, file_sum_nni,
    /// util2.c: sum_as_hex with flist_csum) whether or not it was transferred; the counts stay the transfer's.
    /// </summary>
    public static TransferFigures WithListSum(TransferFigures? figures, ChecksumVariant listKind, byte[]? listSum)
    {
        int digits = BlankDigits(listKind, fileList: true);
        string? hex = listSum is { } sum ? Hex(listKind, sum.AsSpan(0, Math.Min(sum.Length, digits / 2))) : null;
        return new TransferFigures(figures?.Written ?? 0, figures?.Read ?? 0, hex, digits);
    }

    /// <summary>
    /// log.c %C for an entry with no checksum to show (not transferred, not a regular file, deleted): twice
    /// csum_len_for_type of the file-list kind with --checksum, else of the transfer kind.
    /// </summary>
    public static int SessionBlankDigits(bool alwaysChecksum, ChecksumVariant transfer, ChecksumVariant list) =>
        alwaysChecksum ? BlankDigits(list, fileList: true) : BlankDigits(transfer, fileList: false);

    /// <summary>
    /// What a dry run shows for a transfer: no checksum was computed, so stock's %C prints its sender_file_sum as it
    /// started, all zeros, in the kind's canonical form (none for the older MD4 forms: spaces).
    /// </summary>
    public static TransferFigures DryRun(ChecksumVariant transfer)
    {
        int length = ChecksumNames.DigestLength(transfer);
        return new TransferFigures(0, 0, Hex(transfer, new byte[length]), 2 * length);
    }

    /// <summary>checksum.c: csum_len_for_type(kind, flist_csum) twice: the spaces of a %C with no checksum to show.</summary>
    public static int BlankDigits(ChecksumVariant kind, bool fileList) => 2 * kind switch
    {
        ChecksumVariant.None => 1,
        ChecksumVariant.Md4Archaic when fileList => 2,
        _ => ChecksumNames.DigestLength(kind),
    };

    /// <summary>
    /// util2.c: sum_as_hex — lower-case hex, in the byte order checksum.c: canonical_checksum gives the kind: MD4 (protocol
    /// 30+), MD5 and SHA1 as the digest's bytes run, the xxhash kinds from the last byte (their digests are stored little
    /// endian); the older MD4 forms and "none" have none (null).
    /// </summary>
    public static string? Hex(ChecksumVariant kind, ReadOnlySpan<byte> digest)
    {
        bool reversed;
        switch (kind)
        {
            case ChecksumVariant.Md4 or ChecksumVariant.Md5 or ChecksumVariant.Sha1:
                reversed = false;
                break;
            case ChecksumVariant.Xxh64 or ChecksumVariant.Xxh3 or ChecksumVariant.Xxh128:
                reversed = true;
                break;
            default:
                return null;
        }
        Span<char> hex = stackalloc char[digest.Length * 2];
        for (int i = 0; i < digest.Length; i++)
        {
            byte b = digest[reversed ? digest.Length - 1 - i : i];
            hex[2 * i] = "0123456789abcdef"[b >> 4];
            hex[2 * i + 1] = "0123456789abcdef"[b & 0xF];
        }
        return new string(hex);
    }
}
