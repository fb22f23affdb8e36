using System.Collections.Concurrent;
using System.Text;
using ManagedRsync.Protocol;

namespace ManagedRsync.Session;

/// <summary>
/// The log of a server role: what a client role would print goes to the client instead, as MSG_INFO, MSG_ERROR
/// or MSG_ERROR_XFER (rsync log.c: rwrite sends FINFO/FERROR/FERROR_XFER to the client when am_server), for the
/// client to print. Only one thread writes the output at a time (the generator, then the receiver once the generator
/// has sent its end of phase 1, as in <c>Roles</c>); a line from another thread waits here until the writing thread
/// sends (<see cref="Connection.Send"/>), as stock's receiver hands its messages to the generator to forward.
/// Entries and deletions go to <paramref name="logFile"/>, the host's own log (a daemon's transfer logging), never to
/// the client. A daemon also writes each line it tells the client to <paramref name="daemonLog"/>, its log file (log.c:
/// rwrite calls logit for every FINFO, FERROR and FWARNING when am_daemon, then sends it; an FCLIENT line is only sent).
/// Below protocol 30 an error goes as MSG_ERROR_XFER and a warning as MSG_INFO (log.c: rwrite, `protocol_version &lt;
/// 30`): such a client has no MSG_IO_ERROR, so each error a server tells it makes its run a partial transfer.
/// </summary>
internal sealed class ServerMessageLog(MultiplexWriter output, ITransferLog logFile, int protocol, Action<string>? daemonLog = null) : ITransferLog
{
    private readonly ConcurrentQueue<(MessageCode Code, byte[] Text)> _pending = new();
    private int _owner = -1;

    /// <summary>The calling thread writes the output from now on; what waited goes out first.</summary>
    public void TakeOutput()
    {
        Volatile.Write(ref _owner, Environment.CurrentManagedThreadId);
        DrainInto(output);
    }

    public void Info(string line) => Logged(MessageCode.Info, line);

    /// <summary>A line for a daemon's log alone (rsync log.c: FLOG); nothing elsewhere.</summary>
    public void LogFile(string line) => daemonLog?.Invoke(line);

    /// <summary>A line the client prints but a daemon does not log (rsync log.c: FCLIENT, sent as MSG_INFO).</summary>
    public void Client(string line) => Post(MessageCode.Info, line);

    public void Error(string line) => Logged(MessageCode.Error, line);

    /// <summary>A warning (rsync log.c: FWARNING, MSG_WARNING): printed by the client, not an error of the run.</summary>
    public void Warning(string line) => Logged(MessageCode.Warning, line);

    /// <summary>
    /// A server's deletions reach the client as MSG_DELETED, sent by the role itself (log.c: log_delete); here they
    /// go to the host's log only.
    /// </summary>
    public void Deleted(string name, bool isDirectory, int mode) => logFile.Deleted(name, isDirectory, mode);

    /// <summary>
    /// A server reports no entries to its client, which prints them from the item flags (log.c: log_item with FLOG);
    /// here they go to the host's log only.
    /// </summary>
    public void Item(ItemizedChange change) => logFile.Item(change);

    /// <summary>A server never lists (--list-only is a client's).</summary>
    public void Listed(ListingEntry entry)
    {
    }

    /// <summary>An error that makes the run a partial transfer on the client (rsync log.c: FERROR_XFER, exit 23).</summary>
    public void Failure(string line) => Logged(MessageCode.ErrorXfer, line);

    /// <summary>
    /// Writes what waits, ahead of the data still buffered (rsync io.c: perform_io sends messages first); called only
    /// by the thread that writes the output.
    /// </summary>
    public void DrainInto(MultiplexWriter writer)
    {
        while (_pending.TryDequeue(out var message))
            writer.WriteMessageAhead(message.Code, message.Text);
    }

    /// <summary>A message with bytes of its own (MSG_DELETED's name), after what waits; only by the writing thread.</summary>
    public void Send(MessageCode code, ReadOnlySpan<byte> payload)
    {
        DrainInto(output);
        output.WriteMessageAhead(code, payload);
    }

    private void Logged(MessageCode code, string line)
    {
        daemonLog?.Invoke(line);
        Post(code, line);
    }

    private void Post(MessageCode code, string line)
    {
        if (protocol < 30)
            code = code switch { MessageCode.Error => MessageCode.ErrorXfer, MessageCode.Warning => MessageCode.Info, _ => code };
        _pending.Enqueue((code, Encoding.UTF8.GetBytes(line + "\n")));
        if (Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId && output.IsMultiplexed)
            DrainInto(output);
    }
}
