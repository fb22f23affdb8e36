namespace ManagedRsync.Client;

/// <summary>
/// A replay of a batch file into a local destination, as <c>rsync [options] --read-batch=FILE DEST</c> does: the batch
/// (written by <c>--write-batch</c>, by stock rsync or by mrsync) stands in for the sender.
/// </summary>
public sealed record ReadBatchRequest : ReceiveRequest
{
    /// <summary>The batch file; "-" reads it from standard input.</summary>
    public required string Batch { get; init; }
}
