
namespace ManagedRsync.Client;

/// <summary>
/// What a transfer reports while it runs, as values: entries (itemized changes, deletions, listing entries), messages,
/// per-file progress; the figures come with the result (<see cref="TransferResult.Stats"/>). Every method has an empty default,
/// so an implementation overrides only what it wants. The library never prints: a command line formats these events
/// (mrsync prints them exactly as rsync would), a service logs them, a UI draws them.
/// </summary>
/// <remarks>
/// Events are raised synchronously on the transfer's own threads, in the order they happen on each. A pull runs its
/// generator and receiver concurrently, so an implementation used for pulls must be safe to call from two threads at
/// once. An exception thrown by a handler ends the transfer.
/// </remarks>
public interface ITransferEvents
{
    /// <summary>A line of text from the transfer or the daemon; <see cref="TransferMessage.Kind"/> says which.</summary>
    void OnMessage(TransferMessage message)
    {
    }

    /// <summary>
    /// An entry the transfer reports (rsync's -v and -i lines, log.c: log_item), in the order rsync prints them. Raised
    /// when entries are logged (<see cref="TransferOptions.Verbose"/>, <see cref="TransferOptions.ItemizeChanges"/> or
    /// <see cref="TransferOptions.Progress"/>), for the entries rsync shows at that level.
    /// </summary>
    void OnItem(ItemizedChange change)
    {
    }

    /// <summary>One entry of a listing (a pull with no destination, as <c>rsync --list-only</c>), in file-list order.</summary>
    void OnListed(ListingEntry entry)
    {
    }

    /// <summary>
    /// Progress of one file: first with <see cref="TransferProgress.BytesDone"/> 0 or the bytes so far, last with it
    /// equal to <see cref="TransferProgress.FileSize"/> (rsync --progress reports the same moments). Between files,
    /// one with <see cref="TransferProgress.EndOfList"/> set and no name at each end-of-list index (the totals
    /// --info=progress2 shows then).
    /// </summary>
    void OnProgress(TransferProgress progress)
    {
    }

    /// <summary>
    /// An entry was deleted on the receiving side (--delete and its kin), in the order rsync reports deletions. Raised
    /// when entries are logged (<see cref="TransferOptions.Verbose"/>, <see cref="TransferOptions.ItemizeChanges"/> or
    /// <see cref="TransferOptions.Progress"/>): a daemon reports its deletions only then (rsync log.c: log_delete).
    /// </summary>
    void OnDeleted(TransferDeletion deletion)
    {
    }
}
