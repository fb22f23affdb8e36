namespace ManagedRsync.Client;

/// <summary>
/// A local copy, as <c>rsync [options] SRC... DEST</c> with no host on either side. Sources are given as to every
/// <see cref="SendRequest"/>; both halves of the copy use <see cref="SendRequest.Options"/>, as stock's forked server
/// does, and <see cref="SendRequest.Filters"/> also protect destination names from --delete.
/// </summary>
public sealed record LocalCopyRequest : SendRequest
{
    /// <summary>
    /// The destination (rsync main.c: get_local_name): a directory, made if missing; or, for a lone file that is not a
    /// directory, the name it takes when no directory of that name exists. Nothing outside it is ever written.
    /// </summary>
    public required string Destination { get; init; }

    /// <summary>
    /// The receiving half's own options, when they differ from <see cref="SendRequest.Options"/> (rsync pipe.c:
    /// local_child parses the -M/--remote-option words on top of the forked server's copy of the client's options);
    /// null for the same options on both halves.
    /// </summary>
    public TransferOptions? ReceivingOptions { get; init; }
}
