using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>Turns a `mrsync watch` DEST into a replica target.</summary>
internal static class ReplicaTargets
{
    public static bool IsDaemon(string dest) =>
        dest.StartsWith("rsync://", StringComparison.OrdinalIgnoreCase) || dest.Contains("::", StringComparison.Ordinal);

    public static IReplicaTarget Create(WatchTargetConfig t, string source, Func<RawPath, bool, bool>? exclude, Action<string> log)
    {
        if (IsDaemon(t.Dest))
            throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported,
                $"{t.Dest}: daemon destinations need the push client, which this build does not have yet; use a local directory");
        return new LocalDirectoryTarget(source, t.Dest, t.Delete, exclude, log, t.Name);
    }
}
