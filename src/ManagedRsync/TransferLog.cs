namespace ManagedRsync;

/// <summary>
/// Where the roles report what happens (file names, daemon messages, errors): the client raises it as
/// <see cref="Client.ITransferEvents"/>, a server sends it to its client (Session.ServerMessageLog).
/// </summary>
internal interface ITransferLog
{
    /// <summary>A line rsync prints on stdout (file names with -v, itemized changes, daemon info).</summary>
    void Info(string line);

    /// <summary>A line rsync prints on stdout but never logs (FCLIENT: the file-list headers).</summary>
    void Client(string line) => Info(line);

    /// <summary>
    /// The start of a <see cref="Client"/> line printed at once without its newline (rsync flist.c:
    /// start_filelist_progress); the whole line follows as <see cref="Client"/>. Nothing by default.
    /// </summary>
    void ClientStart(string text)
    {
    }

    /// <summary>A line only a client's --log-file gets (FLOG; raised only with a log format set); nothing by default.</summary>
    void LogFile(string line)
    {
    }

    /// <summary>A line rsync prints on stderr (errors and warnings, the daemon's included).</summary>
    void Error(string line);

    /// <summary>
    /// The session's checksum is settled: a %C with nothing to show is <paramref name="blankDigits"/> spaces wide
    /// (log.c: log_formatted, csum_len_for_type). Nothing by default: only a client's deletions need it.
    /// </summary>
    void ChecksumSettled(int blankDigits)
    {
    }

    /// <summary>An entry deleted on the receiver, reported where rsync logs it (log.c: log_delete).</summary>
    /// <param name="name">The entry's path in the transfer, as rsync displays it.</param>
    /// <param name="isDirectory">Whether it was a directory.</param>
    /// <param name="mode">Its st_mode, or only its type when a remote receiver deleted it (MSG_DELETED).</param>
    /// <remarks>Nothing by default: only a client reports entries (a server's go to its client as MSG_DELETED).</remarks>
    void Deleted(string name, bool isDirectory, int mode)
    {
    }

    /// <summary>An entry the client reports (log.c: log_item); a server reports none of its own.</summary>
    void Item(ItemizedChange change)
    {
    }

    /// <summary>An entry of a listing (generator.c: list_file_entry); only a client lists.</summary>
    void Listed(ListingEntry entry)
    {
    }
}

/// <summary>A log that drops everything.</summary>
internal sealed class SilentLog : ITransferLog
{
    public static readonly SilentLog Instance = new();

    public void Info(string line)
    {
    }

    public void Error(string line)
    {
    }
}
