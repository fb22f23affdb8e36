namespace ManagedRsync.Server;

/// <summary>
/// Where a server puts what the client tells it (rsync log.c: a server's FLOG/FINFO lines go to its log file, never
/// to a terminal): the host's log, or nowhere.
/// </summary>
internal sealed class DaemonSideLog(Action<string>? sink) : ITransferLog
{
    public void Info(string line) => sink?.Invoke(line);

    public void Error(string line) => sink?.Invoke(line);
}
