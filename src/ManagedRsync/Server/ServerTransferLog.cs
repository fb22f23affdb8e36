namespace ManagedRsync.Server;

/// <summary>
/// A daemon's transfer logging (rsyncd.conf "transfer logging" with the module's "log format"; log.c: log_item and
/// log_delete with FLOG): a line for each entry the server sends, receives or deletes, in its log file. Nothing goes
/// to the client: its lines travel as item flags and MSG_DELETED, as before.
/// </summary>
/// <param name="line">The module's format and the daemon's escapes.</param>
/// <param name="sink">The daemon's log file.</param>
/// <param name="moduleRoot">The module's path: a sent entry's %f is shown relative to it.</param>
/// <param name="receiveDirectory">Where a push lands, relative to the module ("" for its top): a received entry's %f.</param>
internal sealed class ServerTransferLog(LogLine line, Action<string> sink, string moduleRoot, string receiveDirectory) : ITransferLog
{
    // log.c: log_delete — the module's format when it has %i or %o, else "deleting %n".
    private readonly LogLine _deletions = LogLine.FormatsDeletions(line.Format) ? line : new LogLine("deleting %n", new LogLineContext());

    public void Info(string text)
    {
        // A server's informational lines go to its client (MSG_INFO) and, on a daemon, to its log file through
        // ServerMessageLog (Connection.DaemonLog), whether or not the module logs transfers.
    }

    public void Error(string text)
    {
        // Likewise: errors reach the log through ServerMessageLog and the server's own handling.
    }

    // A %C with nothing to show is as wide as the session's checksum (log.c: csum_len_for_type), which the roles that
    // made the entry do not carry when it was not transferred.
    public void Item(ItemizedChange change) =>
        sink(line.Item(change with
        {
            FullPath = ModuleRelative(change),
            ChecksumDigits = change.Checksum is null ? line.Context.BlankChecksumDigits : change.ChecksumDigits,
        }));

    public void Deleted(string name, bool isDirectory, int mode) =>
        sink(_deletions.Deletion(name, isDirectory, mode, Joined(receiveDirectory, name)));

    // log.c %f on a daemon: a sender's entry is its source directory joined with its name (F_PATHNAME, which the
    // daemon's chdir into the module makes module-relative); a receiver's is the current directory beneath the module
    // (curr_dir + module_dirlen) joined with the name; cleaned, without a leading '/'.
    private string ModuleRelative(ItemizedChange change)
    {
        if (!change.ReportedBySender)
            return Joined(receiveDirectory, change.Name);
        string full = change.FullPath ?? change.Name;
        string root = moduleRoot.Trim('/');
        if (root.Length == 0)
            return full;
        if (full == root)
            return ".";
        return full.StartsWith(root + "/", StringComparison.Ordinal) ? full[(root.Length + 1)..] : full;
    }

    private static string Joined(string directory, string name)
    {
        string dir = directory.Trim('/');
        // clean_fname keeps a trailing "." ("sub/." for the top of a push into sub/).
        return dir is "" or "." ? name : dir + "/" + name;
    }
}
