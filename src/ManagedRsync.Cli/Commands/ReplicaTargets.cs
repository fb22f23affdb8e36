using ManagedRsync.Cli.Options;
using ManagedRsync.Daemon;
using ManagedRsync.Transfer;
using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>Turns a `mrsync watch` DEST into a replica target.</summary>
internal static class ReplicaTargets
{
    public static bool IsDaemon(string dest) =>
        dest.StartsWith("rsync://", StringComparison.OrdinalIgnoreCase) || dest.Contains("::", StringComparison.Ordinal);

    public static IReplicaTarget Create(WatchTargetConfig t, string source, WatchFilter? filter, Action<string> log, CliContext context)
    {
        if (!IsDaemon(t.Dest))
            return new LocalDirectoryTarget(source, t.Dest, t.Delete, filter is { IsEmpty: false } ? filter.CreatePredicate() : null, log, t.Name);
        RsyncOptions parsed;
        try
        {
            // The rsync options given with the target (-az ...); none means -a, as the seed's "rsync -az".
            List<string> args = t.RsyncOptions.Count > 0 ? [.. t.RsyncOptions] : ["-a"];
            if (t.Delete)
                args.Add("--delete");
            parsed = OptionParser.Parse(args);
        }
        catch (OptionException ex)
        {
            throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Syntax, $"{t.Name}: {ex.Message}");
        }
        TransferOptions options = parsed.ToTransferOptions();
        DaemonAddress address = DaemonAddress.Parse(t.Dest);
        string? passwordFile = t.PasswordFile;
        // Resolved when the daemon asks, every connection (the file may be rotated), never by prompting.
        var noPrompt = context with { StdinIsTerminal = false };
        var transferLog = new WatchTransferLog(t.Name, log);
        return new DaemonReplicaTarget(t.Name, source, address, options, t.Delete, () => PasswordSource.Get(passwordFile, noPrompt), filter is null ? null : filter.Current,
            async (request, ct) =>
            {
                TransferResult result = await RsyncClient.PushAsync(request with { Port = parsed.Port }, transferLog, null, ct).ConfigureAwait(false);
                // 24 (files vanished since the event) is normal for a live tree; 23 keeps the batch for a retry.
                if (result.ExitCode is not (RsyncExitCode.Ok or RsyncExitCode.Vanished))
                    throw new RsyncException(RsyncErrorKind.RemoteError, result.ExitCode, $"push ended with rsync exit code {(int)result.ExitCode}");
                return result.Stats;
            });
    }

    /// <summary>The daemon's messages and errors go to the watch log, prefixed with the target.</summary>
    private sealed class WatchTransferLog(string target, Action<string> log) : ITransferLog
    {
        public void Info(string line)
        {
        }

        public void Error(string line) => log($"{target}: {line}");
    }
}
