using ManagedRsync.Cli.Output;
using ManagedRsync.Client;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// A transfer's events as the lines mrsync prints for them: stdout lines in <see cref="Lines"/>, stderr lines in
/// <see cref="Errors"/>; progress goes to <paramref name="progress"/>. Safe for a pull's two threads.
/// </summary>
internal sealed class RecordedEvents(bool itemized = false, Action<TransferProgress>? progress = null) : ITransferEvents
{
    public List<string> Lines { get; } = [];
    public List<string> Errors { get; } = [];

    public void OnMessage(TransferMessage message)
    {
        var into = message.Kind == TransferMessageKind.Error ? Errors : Lines;
        lock (into)
            into.Add(message.Text);
    }

    public void OnDeleted(TransferDeletion deletion)
    {
        lock (Lines)
            Lines.Add(ItemLine.Deletion(deletion, itemized));
    }

    public void OnItem(ItemizedChange change)
    {
        lock (Lines)
            Lines.Add(ItemLine.Format(change, itemized));
    }

    public void OnListed(ListingEntry entry)
    {
        lock (Lines)
            Lines.Add(ItemLine.Listing(entry));
    }

    public void OnProgress(TransferProgress value) => progress?.Invoke(value);
}
