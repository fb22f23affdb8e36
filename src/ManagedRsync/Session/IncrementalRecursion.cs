namespace ManagedRsync.Session;

/// <summary>
/// When a transfer recurses incrementally (protocol-notes §25): the client offers it with the 'i' capability letter
/// (options.c: maybe_add_e_option) and the server turns it on with CF_INC_RECURSE (compat.c: setup_protocol).
/// </summary>
internal static class IncrementalRecursion
{
    /// <summary>
    /// rsync compat.c: set_allow_inc_recurse — recursion, protocol 30, no --no-inc-recursive, and on a receiving side
    /// no --delete-before / --delete-after / --delay-updates / --prune-empty-dirs (those need the whole list first). Stock's -v header
    /// ("receiving incremental file list") follows this, whatever mrsync then does.
    /// </summary>
    public static bool StockAllows(TransferOptions o, bool weSend) =>
        o.Recursive && o.IncrementalRecursion && o.Protocol >= 30
        && (weSend || (o.Delete is not (DeleteTiming.Before or DeleteTiming.After) && !o.DelayUpdates && !o.PruneEmptyDirs));

    /// <summary>
    /// Whether a sending server turns incremental recursion on for a client that offered 'i' (compat.c:
    /// set_allow_inc_recurse: recursion and no --no-i-r; the receiving side's options do not matter to a sender), -R
    /// included (protocol-notes §57).
    /// </summary>
    public static bool ServerSends(TransferOptions o) =>
        o.Recursive && o.IncrementalRecursion;

    /// <summary>
    /// Whether a receiving server (a daemon pushed to, the server half of a local copy) turns incremental recursion on
    /// for a client that offered 'i' (compat.c: set_allow_inc_recurse on a receiver: not with --delete-before,
    /// --delete-after, --delay-updates or --prune-empty-dirs), -R included. A server prints no per-entry line of its own (the client that sends does), so -v and -i do
    /// not narrow it, nor does --progress (never sent to a server; a local copy's server half shares its client's
    /// options, and the client's sender shows the progress).
    /// </summary>
    public static bool ServerReceives(TransferOptions o) =>
        StockAllows(o, weSend: false);

    /// <summary>
    /// Whether we offer 'i' (and accept CF_INC_RECURSE): what stock allows, narrowed to what mrsync implements so far.
    /// Not with a listing; with -R (and --files-from with -r) as stock: implied directories in later lists
    /// (FileListBuilder.Imply, protocol-notes §57); with -H as stock (a later list's
    /// hard-link group numbers reach into earlier lists: FileListWriter.ListStart, ReceiveRun.MatchHardLinks). A sender (push, local copy) sends the lists directory by directory
    /// (Roles/Sender/SentLists); a receiver (pull, a local copy's receiving side) takes them, with its per-entry lines
    /// (-v, -i, --out-format, --progress's names) in stock's order across the parts (Roles/Receiving/OrderedLog grows
    /// with each part). Either side's progress lines count entries across the parts (progress.c:
    /// set_current_file_index, "ir-chk" until the last part).
    /// Declining only changes when the list travels, never what is transferred.
    /// </summary>
    public static bool Offered(TransferOptions o, bool weSend) =>
        StockAllows(o, weSend) && !o.ListOnly && !o.Listing;
}
