using ManagedRsync.Filters;

namespace ManagedRsync.Watch;

/// <summary>
/// One transfer of a replica sync, whatever carries it (a push to a daemon, a local copy): either <see cref="Sources"/>
/// ("SRC/" for a full sync) or <see cref="RelativePaths"/> under <see cref="SourceRoot"/> (a --files-from style list,
/// with -R), with the target's rsync options and the watch's filter rules as they stand.
/// </summary>
/// <param name="Sources">rsync source arguments, or empty when <see cref="RelativePaths"/> is set.</param>
/// <param name="SourceRoot">The directory <see cref="RelativePaths"/> are relative to.</param>
/// <param name="RelativePaths">Paths under <see cref="SourceRoot"/>; names that are not UTF-8 keep their bytes (FileNameEncoding).</param>
/// <param name="Options">The options of this transfer.</param>
/// <param name="Filters">The rules, applied by the sender and sent to the receiver.</param>
public sealed record ReplicaPass(IReadOnlyList<string> Sources, string? SourceRoot, IReadOnlyList<string>? RelativePaths,
    TransferOptions Options, FilterList? Filters);
