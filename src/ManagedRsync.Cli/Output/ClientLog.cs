using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// What stock's client writes to its --log-file (log.c: rwrite copies every FINFO, FERROR and FWARNING message there
/// as well as FLOG's, but never FCLIENT's): its messages (-q silences only the terminal), each entry the library marks
/// <see cref="ItemizedChange.Logged"/> in the --log-file-format, deletions unless dry (log_delete: the format with %i
/// or %o, else "deleting %n"), and at the end log_exit's "sent N bytes  received N bytes  total size N".
/// </summary>
internal sealed class ClientLog(ClientLogFile file, RsyncOptions options) : IDisposable
{
    private readonly LogLine _line = new(options.LogFileFormat!, new LogLineContext { Owners = options.Owner, Groups = options.Group });

    /// <summary>A message line (FINFO, FERROR, FWARNING or FLOG).</summary>
    public void Message(string line) => file.Write(line);

    /// <summary>log.c: log_item with FINFO or FLOG.</summary>
    public void Item(ItemizedChange change)
    {
        if (change.Logged)
            file.Write(_line.Item(change));
    }

    /// <summary>log.c: log_delete — nothing in a dry run.</summary>
    public void Deletion(TransferDeletion deletion)
    {
        if (options.DryRun)
            return;
        string line = LogLine.FormatsDeletions(_line.Format)
            ? _line.Deletion(deletion.Name, deletion.IsDirectory, deletion.Mode, checksumDigits: deletion.ChecksumDigits)
            : new LogLine("deleting %n", _line.Context).Deletion(deletion.Name, deletion.IsDirectory, deletion.Mode);
        file.Write(line);
    }

    /// <summary>
    /// cleanup.c: _exit_cleanup calls log_exit when the run failed or a client's --stats/-v summary is not printed; its
    /// first line, with plain numbers, is written by a successful run or a sender (log.c: log_exit).
    /// </summary>
    /// <param name="result">The transfer's outcome.</param>
    /// <param name="sender">This client was the sender (a push, a local copy).</param>
    public void Exit(TransferResult result, bool sender)
    {
        bool failed = result.ExitCode != RsyncExitCode.Ok;
        if ((failed && sender) || (!failed && !options.Info.Gte(InfoFlag.Stats, 1)))
            file.Write($"sent {result.Stats.TotalBytesSent} bytes  received {result.Stats.TotalBytesReceived} bytes  total size {result.Stats.TotalSize}");
    }

    public void Dispose() => file.Dispose();
}
