namespace ManagedRsync;

/// <summary>
/// Where the roles report what happens (file names, daemon messages, errors): the client raises it as
/// <see cref="Client.ITransferEvents"/>, a server sends it to its client (Session.ServerMessageLog).
/// </summary>
internal interface ITransferLog
{
    /// <summary>A line rsync prints on stdout (file names with -v, itemized changes, daemon info).</summary>
    void Info(string line);

    /// <summary>A line rsync prints on stderr (errors and warnings, the daemon's included).</summary>
    void Error(string line);

    /// <summary>
    /// An entry deleted on the receiver, reported where rsync logs it (log.c: log_delete); by default the line rsync
    /// prints: "deleting %n" (with -i "*deleting   %n"), a directory's name ending in '/'.
    /// </summary>
    /// <param name="name">The entry's path in the transfer, as rsync displays it.</param>
    /// <param name="isDirectory">Whether it was a directory.</param>
    /// <param name="itemized">-i is on.</param>
    void Deleted(string name, bool isDirectory, bool itemized) =>
        Info((itemized ? "*deleting   " : "deleting ") + name + (isDirectory ? "/" : ""));
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
