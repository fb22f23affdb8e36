using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Client;

/// <summary>
/// What every transfer that receives into this machine shares (a pull from a daemon, a pull through a remote shell):
/// the local destination, the rsync options and the filter rules. With no <see cref="Destination"/> the sources are
/// listed, as <c>rsync --list-only</c> does.
/// </summary>
public abstract record ReceiveRequest
{
    /// <summary>The local destination; null lists the sources like <c>rsync --list-only</c>.</summary>
    public string? Destination { get; init; }

    /// <summary>
    /// The rsync options (-a by default); <see cref="TransferOptions.Partial"/> and <see cref="TransferOptions.TempDir"/>
    /// act on this side.
    /// </summary>
    public TransferOptions Options { get; init; } = TransferOptions.Archive;

    /// <summary>
    /// --exclude/--include/--filter/-C/-F: sent to the sender so that it leaves excluded names out of the file list,
    /// and kept here so that --delete never removes a local name the rules exclude (rsync's receiver protects them).
    /// </summary>
    public FilterList? Filters { get; init; }

    /// <summary>
    /// The options the run uses: a pull with no destination is a listing whether or not the caller said so (options.c:
    /// list_only |= 1 for a single argument), which changes what the session offers (no incremental recursion) and sends.
    /// What the receiving side cannot do yet is refused by name.
    /// </summary>
    internal TransferOptions RunOptions()
    {
        return Destination is null && !Options.Listing ? Options with { Listing = true } : Options;
    }

    /// <summary>Where and how the received files are written, for the top-level names the sources may send.</summary>
    internal ReceiveTarget Target(RequestedNames requested, TransferOptions options, IProgress<TransferProgress> progress) =>
        new(Destination, requested, Filters, options.Partial, options.ReportsProgress ? progress : null, options.TempDir,
            LinkTargets: options.MungeLinks ? static (_, target) => FileList.MungedLinks.Munge(target) : null);
}
