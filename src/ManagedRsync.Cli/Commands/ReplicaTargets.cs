using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Watch;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

/// <summary>Turns a `mrsync watch` DEST, with its rsync options, into a replica target.</summary>
internal static class ReplicaTargets
{
    /// <summary>HOST::MODULE or rsync://: a daemon. Otherwise [USER@]HOST:PATH (a colon before any slash) is a remote
    /// shell, as for rsync (main.c: check_for_hostspec), and anything else a local directory.</summary>
    public static bool IsDaemon(string dest) =>
        dest.StartsWith("rsync://", StringComparison.OrdinalIgnoreCase) || dest.Contains("::", StringComparison.Ordinal);

    /// <summary>
    /// The target's options are the command line's rsync arguments followed by its own (config "options =", "delete =",
    /// "password file ="), parsed as `mrsync` parses them; <see cref="WatchOptionRules"/> refuses, by name and with exit 4,
    /// what this kind of replica cannot honour.
    /// </summary>
    public static IReplicaTarget Create(WatchConfig config, WatchTargetConfig t, WatchFilter filter, Action<string> log, CliContext context)
    {
        List<string> own = [.. t.RsyncOptions];
        if (t.Delete)
            own.Add("--delete");
        if (t.PasswordFile is { } passwordFile)
            own.Add("--password-file=" + passwordFile);
        var given = new HashSet<string>(StringComparer.Ordinal);
        RsyncOptions options = WatchOptionRules.Parse([.. config.RsyncArgs, .. own], given, t.Name);
        // The target's own filter options come after the shared ones, as they would on one command line.
        RsyncOptions ownOnly = WatchOptionRules.Parse(own, null, t.Name);
        FilterList rules = ownOnly.Filters.Count == 0 && options.DeleteExcluded == filter.List.DeleteExcluded && options.From0 == config.CommandLine.From0
            ? filter.List
            : config.BuildList(options, ownOnly.Filters);
        // rsync --delete-WHEN, --del, --delete-excluded (which implies --delete) and --delete-missing-args all delete on the
        // replica; the watch sends a deleted path as a missing argument whichever was given.
        bool propagateDeletes = options.Delete != DeleteTiming.None || options.DeleteExcluded || options.DeleteMissingArgs;
        bool verbose = (options.Verbose > 0 || config.Verbose) && !options.Quiet;

        bool shell = !IsDaemon(t.Dest) && DaemonAddress.IsRemoteShellSpec(t.Dest);
        bool local = !IsDaemon(t.Dest) && !shell;
        if (local)
            WatchOptionRules.CheckLocal(given, t.Name);
        else if (shell)
            WatchOptionRules.CheckShell(given, t.Name);
        else
            WatchOptionRules.CheckDaemon(given, t.Name);
        if (WatchOptionRules.LeavesPreservationOpen(given))
            options = WatchOptionRules.Parse(["-a", .. config.RsyncArgs, .. own], null, t.Name); // the seed's "rsync -az"
        var events = new WatchTransferEvents(t.Name, log, verbose);
        if (local)
        {
            // The local-copy engine with the daemon replica's requests; whole-file unless --no-W, as stock forces it
            // for a local copy (main.c: whole_file < 0 becomes 1 for local_server).
            TransferOptions copy = options.ToTransferOptions() with { WholeFile = options.WholeFile ?? true };
            return new LocalReplicaTarget(t.Name, config.Source!, t.Dest, copy, propagateDeletes, () => filter.CurrentFor(rules), events);
        }
        // Over a network a push gets an I/O timeout even when the user gave none (WatchConfig.DefaultStallTimeout says
        // why); the daemon's greeting and login keep their own bound (60 s without --timeout), or the stall timeout
        // when that is shorter.
        int stall = config.StallTimeoutSeconds;
        TransferOptions transfer = options.ToTransferOptions() with { Timeout = options.Timeout ?? stall };
        if (shell)
        {
            // rsync main.c: start_client's shell branch, as `mrsync SRC/ [USER@]HOST:PATH` pushes.
            DaemonAddress.TrySplitRemoteShell(t.Dest, out string? user, out string host, out string path);
            if (host.StartsWith('-'))
                throw new RsyncException(RsyncErrorKind.Usage, $"{t.Name}: Invalid remote host: hostnames may not start with '-'.");
            return new RemoteShellReplicaTarget(t.Name, config.Source!, RsyncCommand.Shell(options, context, user, host), path, transfer,
                propagateDeletes, () => filter.CurrentFor(rules), events);
        }
        DaemonAddress address = DaemonAddress.Parse(t.Dest);
        // Connects as `mrsync` would (--port, --address, -4/-6, --contimeout, --timeout, --protocol, USER@ or $USER), and
        // reads the password when the daemon asks, every connection (the file may be rotated), never by prompting.
        var invocation = new DaemonInvocation(options, address, context with { StdinIsTerminal = false });
        DaemonConnectOptions connection = invocation.Connection;
        if (options.Timeout is null && stall > 0 && TimeSpan.FromSeconds(stall) < connection.HandshakeTimeout)
            connection = connection with { HandshakeTimeout = TimeSpan.FromSeconds(stall) };
        return new DaemonReplicaTarget(t.Name, config.Source!, address, transfer, propagateDeletes, () => filter.CurrentFor(rules),
            connection, invocation.User, invocation.GetPassword, events);
    }

    /// <summary>
    /// The daemon's messages and errors go to the watch log, prefixed with the target; with -v the file names too.
    /// MOTD lines are not printed (a connection per batch; --motd is refused for a watch).
    /// </summary>
    private sealed class WatchTransferEvents(string target, Action<string> log, bool verbose) : ITransferEvents
    {
        public void OnMessage(TransferMessage message)
        {
            if (message.Kind == TransferMessageKind.Error || (message.Kind == TransferMessageKind.Info && verbose))
                log($"{target}: {message.Text}");
        }

        public void OnDeleted(TransferDeletion deletion)
        {
            if (verbose)
                log($"{target}: {ItemLine.Deletion(deletion, itemized: false)}");
        }

        public void OnItem(ItemizedChange change)
        {
            if (verbose)
                log($"{target}: {ItemLine.Format(change, itemize: false)}");
        }
    }
}
