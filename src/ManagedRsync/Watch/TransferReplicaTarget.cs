using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// A replica kept by the library's rsync transfers (never a child process), whatever transport carries them. A batch
/// becomes at most two transfers: the changed and deleted paths as a --files-from style list without recursion (missing
/// ones deleted with --delete-missing-args when deletions are on: rsync(1) "--delete-missing-args"), and the subtrees to
/// re-send recursively with the target's --delete inside them. A full sync is one recursive transfer of the whole source.
/// </summary>
public abstract class TransferReplicaTarget : IReplicaTarget
{
    private readonly TransferOptions _options;
    private readonly bool _delete;
    private readonly Func<FilterList>? _filters;

    /// <summary>
    /// <paramref name="options"/> are the target's rsync options (their --delete applies to full syncs and re-sent
    /// trees); <paramref name="delete"/> says whether deleted paths are sent as deletions (--delete-missing-args);
    /// <paramref name="filters"/> gives the watch's filter rules as they stand for each transfer.
    /// </summary>
    protected TransferReplicaTarget(string name, string source, TransferOptions options, bool delete, Func<FilterList>? filters)
    {
        Name = name;
        Source = Path.GetFullPath(source);
        _options = options;
        _delete = delete;
        _filters = filters;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The watched tree, as a full path.</summary>
    protected string Source { get; }

    /// <summary>Time the current batch's transfers waited for their connections (a subclass adds to it).</summary>
    private protected long ConnectWaitTicks;

    /// <summary>
    /// The current batch is a full sync or has at least <see cref="LongBatch"/> changes: a push long enough to hide
    /// the next connection's set-up, and in a burst the next batch follows it at once.
    /// </summary>
    private protected bool InLongBatch;

    /// <summary>Changes that make a batch long (<see cref="InLongBatch"/>).</summary>
    internal const int LongBatch = 256;

    /// <summary>Runs one transfer; its statistics feed the batch's result.</summary>
    protected abstract Task<TransferStats> TransferAsync(ReplicaPass pass, CancellationToken cancellationToken);

    /// <summary>
    /// A transfer's figures when it succeeded: 24 (files vanished since the event) is normal for a live tree, and the
    /// next event covers it; any other non-zero code (23: some files failed) throws, so the batch is kept and retried.
    /// </summary>
    protected static TransferStats Succeeded(TransferResult result, string what) =>
        result.Outcome is TransferOutcome.Complete or TransferOutcome.VanishedFiles ? result.Stats
            : throw new RsyncException(RsyncErrorKind.EntryFailed, $"{what} ended with rsync exit code {(int)RsyncExitCodes.For(result.Outcome)}");

    /// <inheritdoc/>
    public async Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Source))
            throw new RsyncException(RsyncErrorKind.FileSelection, $"source {Source} is missing; not syncing");
        long files = 0, bytes = 0;
        ConnectWaitTicks = 0;
        InLongBatch = batch.FullSync || batch.Count >= LongBatch;
        SyncResult Result() => new(files, bytes) { ConnectWait = TimeSpan.FromTicks(ConnectWaitTicks) };
        void Add(TransferStats s)
        {
            files += s.NumRegular;
            bytes += s.TotalBytesSent;
        }
        if (batch.FullSync)
        {
            Add(await TransferAsync(Pass(sources: [Source + "/"], recursive: true), cancellationToken).ConfigureAwait(false));
            return Result();
        }
        List<string> list = [.. Paths(batch.Send), .. _delete ? Paths(batch.Delete) : []];
        if (list.Count > 0)
            Add(await TransferAsync(Pass(paths: list, recursive: false), cancellationToken).ConfigureAwait(false));
        List<string> trees = Paths(batch.SendTrees);
        if (trees.Count > 0)
            Add(await TransferAsync(Pass(paths: trees, recursive: true), cancellationToken).ConfigureAwait(false));
        return Result();
    }

    private ReplicaPass Pass(IReadOnlyList<string>? sources = null, IReadOnlyList<string>? paths = null, bool recursive = true) => new(
        Sources: sources ?? [],
        SourceRoot: paths is null ? null : Source,
        RelativePaths: paths,
        Options: _options with
        {
            Recursive = recursive,
            Dirs = !recursive,
            DeleteMissingArgs = _delete && paths is not null,
            Relative = paths is not null, // rsync --files-from implies -R: each path keeps its parent directories
        },
        Filters: _filters?.Invoke()); // the same rules the watcher applies; the receiver gets them too, as a push sends them

    // The transfer API takes names in the form RawPath holds them (a name that is not UTF-8 keeps its bytes escaped).
    private static List<string> Paths(IReadOnlyList<RawPath> paths) => paths.Select(p => p.Text).ToList();
}
