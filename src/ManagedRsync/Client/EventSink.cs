using ManagedRsync.Daemon;

namespace ManagedRsync.Client;

/// <summary>
/// The roles' output (reports through <see cref="ITransferLog"/>, progress through <see cref="IProgress{T}"/>) raised
/// as <see cref="ITransferEvents"/>.
/// </summary>
internal sealed class EventSink(ITransferEvents? events) : ITransferLog, IProgress<TransferProgress>
{
    public void Info(string line) => events?.OnMessage(new TransferMessage(TransferMessageKind.Info, line));

    public void Client(string line) => events?.OnMessage(new TransferMessage(TransferMessageKind.Client, line));

    public void LogFile(string line) => events?.OnMessage(new TransferMessage(TransferMessageKind.LogFile, line));

    public void ClientStart(string text) => events?.OnMessage(new TransferMessage(TransferMessageKind.ClientStart, text));

    public void Error(string line) => events?.OnMessage(new TransferMessage(TransferMessageKind.Error, line));

    public void ServerLine(string line) => events?.OnMessage(new TransferMessage(TransferMessageKind.ServerLine, line));

    public void Report(TransferProgress value) => events?.OnProgress(value);

    // Written by the role that settles the session's checksum, read by whichever role reports a deletion.
    private volatile int _checksumDigits = 32;

    public void Deleted(string name, bool isDirectory, int mode) =>
        events?.OnDeleted(new TransferDeletion(name, isDirectory, mode) { ChecksumDigits = _checksumDigits });

    public void ChecksumSettled(int blankDigits) => _checksumDigits = blankDigits;

    public void Item(ItemizedChange change) => events?.OnItem(change);

    public void Listed(ListingEntry entry) => events?.OnListed(entry);

    /// <summary>The connect options with the daemon's greeting lines routed here (and to the caller's own hook).</summary>
    public DaemonConnectOptions Attach(DaemonConnectOptions connection)
    {
        Action<string>? own = connection.ServerLine;
        return connection with { ServerLine = own is null ? ServerLine : line => { own(line); ServerLine(line); } };
    }
}
