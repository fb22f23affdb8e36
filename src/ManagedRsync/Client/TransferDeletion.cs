namespace ManagedRsync.Client;

/// <summary>An entry deleted on the receiving side of a transfer.</summary>
/// <param name="Name">
/// Its path in the transfer, without a trailing '/'; names that are not UTF-8 are escaped as rsync prints them
/// (<c>\#ooo</c>).
/// </param>
/// <param name="IsDirectory">Whether it was a directory (rsync prints its name with a trailing '/').</param>
/// <param name="Mode">
/// Its st_mode when the deleting side is this one (a pull); from a remote receiver only the type is known
/// (S_IFDIR or S_IFREG, as rsync's MSG_DELETED tells it: io.c read_a_msg).
/// </param>
public readonly record struct TransferDeletion(string Name, bool IsDirectory, int Mode)
{
    /// <summary>
    /// How many spaces rsync's %C prints for it (log.c: log_formatted — twice csum_len_for_type of the session's
    /// transfer checksum, or of the file-list one with --checksum): 32 until the session has settled its checksum.
    /// </summary>
    public int ChecksumDigits { get; init; } = 32;
}
