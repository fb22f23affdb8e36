using ManagedRsync.Daemon;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Transfer;

namespace ManagedRsync.Watch;

/// <summary>
/// A stock rsync daemon module as a replica, through the library's push client (never a child process). A batch
/// becomes at most two pushes over fresh connections: the changed and deleted paths as a --files-from style list
/// without recursion (missing ones deleted with --delete-missing-args when deletions are on, as stock 3.x daemons
/// accept: rsync(1) "--delete-missing-args"), and the subtrees to re-send recursively with --delete inside them.
/// A full sync is one recursive push of the whole source.
/// </summary>
public sealed class DaemonReplicaTarget : IReplicaTarget
{
    private readonly string _source;
    private readonly DaemonAddress _destination;
    private readonly TransferOptions _options;
    private readonly bool _delete;
    private readonly Func<string?>? _password;
    private readonly Func<FilterList>? _filters;
    private readonly Func<PushRequest, CancellationToken, Task<TransferStats>> _push;

    /// <summary>
    /// <paramref name="push"/> is the push client's entry point; <paramref name="filters"/> gives the watch's filter rules as they stand for each push; <paramref name="options"/> are the target's rsync
    /// options (their --delete applies to full syncs and re-sent trees); <paramref name="delete"/> says whether deleted
    /// paths are sent as deletions (--delete-missing-args).
    /// </summary>
    public DaemonReplicaTarget(string name, string source, DaemonAddress destination, TransferOptions options, bool delete,
        Func<string?>? password, Func<FilterList>? filters, Func<PushRequest, CancellationToken, Task<TransferStats>> push)
    {
        Name = name;
        _source = Path.GetFullPath(source);
        _destination = destination;
        _options = options;
        _delete = delete;
        _password = password;
        _filters = filters;
        _push = push;
    }

    public string Name { get; }

    public async Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_source))
            throw new RsyncException(RsyncErrorKind.FileIo, RsyncExitCode.FileSelect, $"source {_source} is missing; not syncing");
        long files = 0, bytes = 0;
        void Add(TransferStats s)
        {
            files += s.NumRegular;
            bytes += s.TotalBytesSent;
        }
        if (batch.FullSync)
        {
            Add(await _push(Request(sources: [_source + "/"], recursive: true), cancellationToken).ConfigureAwait(false));
            return new SyncResult(files, bytes);
        }
        List<string> list = [.. PushPaths(batch.Send), .. _delete ? PushPaths(batch.Delete) : []];
        if (list.Count > 0)
            Add(await _push(Request(paths: list, recursive: false), cancellationToken).ConfigureAwait(false));
        List<string> trees = PushPaths(batch.SendTrees);
        if (trees.Count > 0)
            Add(await _push(Request(paths: trees, recursive: true), cancellationToken).ConfigureAwait(false));
        return new SyncResult(files, bytes);
    }

    private PushRequest Request(IReadOnlyList<string>? sources = null, IReadOnlyList<string>? paths = null, bool recursive = true) => new()
    {
        Sources = sources ?? [],
        SourceRoot = paths is null ? null : _source,
        RelativePaths = paths,
        Destination = _destination,
        Password = _password,
        Filters = _filters?.Invoke(), // the same rules the watcher applies; also sent to the daemon, as a push sends them
        Options = _options with
        {
            Recursive = recursive,
            Dirs = !recursive,
            DeleteMissingArgs = _delete && paths is not null,
            Relative = paths is not null, // rsync --files-from implies -R: each path keeps its parent directories
        },
    };

    // The push API takes names as strings; a name that is not UTF-8 travels escaped and keeps its bytes (FileNameEncoding).
    private static List<string> PushPaths(IReadOnlyList<RawPath> paths) =>
        paths.Select(p => FileNameEncoding.Decode(p.ToBytes())).ToList();
}
