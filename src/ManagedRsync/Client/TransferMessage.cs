namespace ManagedRsync.Client;

/// <summary>What a <see cref="TransferMessage"/> is.</summary>
public enum TransferMessageKind
{
    /// <summary>
    /// Informational output of the transfer, what rsync prints on stdout ("receiving incremental file list", "created
    /// directory ...", the daemon's own informational messages); entries come as their own events.
    /// </summary>
    Info,

    /// <summary>An error or warning, what rsync prints on stderr (the daemon's errors included, verbatim).</summary>
    Error,

    /// <summary>
    /// A line the daemon sent before the transfer or listing started: its message of the day, or a module listing
    /// line (rsync clientserver.c: the lines before "@RSYNCD: OK").
    /// </summary>
    ServerLine,

    /// <summary>
    /// Informational output only the client's terminal gets, never its --log-file (rsync's FCLIENT: "sending incremental
    /// file list", "building file list ... done").
    /// </summary>
    Client,

    /// <summary>A line only the client's --log-file gets (rsync's FLOG: "building file list", "receiving file list").</summary>
    LogFile,

    /// <summary>
    /// The start of a <see cref="Client"/> line printed before the rest is known, without its newline: "receiving file
    /// list ... " while the list arrives (rsync flist.c: start_filelist_progress, which leaves output_needs_newline
    /// set). The <see cref="Client"/> message that follows carries the whole line; a message in between starts on a
    /// new line of its own stream (log.c: rwrite).
    /// </summary>
    ClientStart,
}

/// <summary>A line a transfer reports, without a trailing newline.</summary>
/// <param name="Kind">What the line is.</param>
/// <param name="Text">The text; names that are not UTF-8 are escaped as rsync prints them (<c>\#ooo</c>).</param>
public readonly record struct TransferMessage(TransferMessageKind Kind, string Text);
