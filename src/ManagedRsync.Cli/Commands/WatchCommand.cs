using System.Runtime.InteropServices;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// `mrsync watch [options] SRC/ DEST [DEST...]` or `mrsync watch --config FILE`: real-time replication of SRC to
/// each DEST (a daemon module "host::module[/path]" / "rsync://host/module", "[user@]host:path" over a remote shell,
/// or a local directory), replacing the
/// `inotifywait | while read; do rsync; done` loop in one process that never spawns another. Starts with a full sync,
/// then pushes coalesced batches; failures are retried with backoff and journaled under --state-dir. SIGTERM,
/// SIGINT and SIGHUP flush the pending batch before exit.
/// </summary>
internal static class WatchCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true;
            stop.Cancel();
        }
        // SIGHUP (the terminal or ssh session that started it went away) stops it the same way instead of killing it
        // mid-batch: a watch is not reloaded in place; restart it to read a changed config.
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        return RunAsync(args.ToArray(), CliContext.FromConsole(stop.Token), ignoreOwnProcess: true).GetAwaiter().GetResult();
    }

    /// <summary>
    /// <paramref name="ignoreOwnProcess"/>: drop fanotify events this process caused (its replica and state writes);
    /// off for in-process callers whose writes are the changes.
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, CliContext context, Action<WatchService>? onReady = null, bool ignoreOwnProcess = false)
    {
        WatchConfig config;
        WatchFilter filter;
        try
        {
            config = Parse(args);
            filter = config.BuildFilter();
        }
        catch (RsyncException ex)
        {
            context.Error.WriteLine($"mrsync watch: {ex.Message}");
            context.Error.WriteLine(Usage);
            return (int)ex.ExitCode;
        }
        void Log(string message)
        {
            lock (context.Error)
                context.Error.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} mrsync watch: {message}");
        }
        // The watcher thread gets its own matcher (they are not thread-safe); each target builds its own as well.
        Func<RawPath, bool, bool>? excluded = filter.IsEmpty ? null : filter.CreatePredicate();
        var targets = new List<IReplicaTarget>();
        try
        {
            foreach (WatchTargetConfig t in config.Targets)
                targets.Add(ReplicaTargets.Create(config, t, filter, Log, context));
        }
        catch (RsyncException ex)
        {
            context.Error.WriteLine($"mrsync watch: {ex.Message}");
            return (int)ex.ExitCode;
        }
        using var notify = new SystemdNotify(context.GetEnvironmentVariable);
        WatchService service;
        try
        {
            service = CreateService(config, filter, excluded, targets, ignoreOwnProcess, Log);
        }
        catch (RsyncException ex)
        {
            Log(ex.Message);
            return (int)ex.ExitCode;
        }
        using var owned = service;
        using var watchdog = new CancellationTokenSource();
        Task? watchdogLoop = null;
        try
        {
            context.Cancellation.Register(() =>
            {
                notify.Send("STOPPING=1");
                Log("stopping: pushing what is pending first");
            });
            await service.RunAsync(() =>
            {
                notify.Send($"READY=1\nSTATUS=watching {service.WatchCount} directories, {targets.Count} target(s)");
                if (notify.WatchdogInterval is { } every)
                    watchdogLoop = WatchdogAsync(notify, service, every, watchdog.Token);
                onReady?.Invoke(service);
            }, context.Cancellation).ConfigureAwait(false);
            return service.Queues.Any(q => q.Depth > 0) ? (int)RsyncExitCode.Partial : 0;
        }
        catch (RsyncException ex)
        {
            Log(ex.Message);
            return (int)ex.ExitCode;
        }
        finally
        {
            await watchdog.CancelAsync().ConfigureAwait(false);
            if (watchdogLoop is not null)
            {
                try
                {
                    await watchdogLoop.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private static WatchService CreateService(WatchConfig config, WatchFilter filter, Func<RawPath, bool, bool>? excluded,
        List<IReplicaTarget> targets, bool ignoreOwnProcess, Action<string> log) => new(new WatchServiceOptions
        {
            Source = config.Source!,
            StateDirectory = config.StateDir,
            Exclude = excluded,
            AccessChanged = filter.SetDenied,
            FallbackScanInterval = config.FallbackScan,
            Backend = config.Backend ?? WatchBackend.Auto,
            IgnoreOwnProcess = ignoreOwnProcess,
            Batching = new CoalescerOptions { Delay = config.Delay, MaxWait = config.MaxDelay, MaxOpenWait = config.MaxOpenWait },
        }, targets, log);

    /// <summary>WATCHDOG=1 only while the watcher thread is alive, so systemd restarts a wedged service.</summary>
    private static async Task WatchdogAsync(SystemdNotify notify, WatchService service, TimeSpan every, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (service.IsHealthy)
                notify.Send($"WATCHDOG=1\nSTATUS=watching {service.WatchCount} directories; queued {string.Join(", ", service.Queues.Select(q => $"{q.Name}={q.Depth}"))}");
        }
    }

    // The watch's own options are taken out first; everything else (rsync options, SRC, DEST) goes through the CLI's
    // rsync option table, so an option is parsed as `mrsync` parses it and each replica honours it or refuses it by
    // name (WatchOptionRules), never drops it.
    private static WatchConfig Parse(string[] args)
    {
        WatchConfig? fromFile = null;
        var config = new WatchConfig();
        var rsyncArgs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = LongOption.Split(args[i], out string? inline);
            string Value() => inline ?? (++i < args.Length ? args[i] : throw Usage_($"{a} needs a value"));
            switch (a)
            {
                case "--config": fromFile = WatchConfig.Load(Value()); break;
                case "--delay": config.Delay = WatchConfig.ParseDuration(Value(), "--delay"); break;
                case "--max-delay": config.MaxDelay = WatchConfig.ParseDuration(Value(), "--max-delay"); break;
                case "--max-open-wait": config.MaxOpenWait = WatchConfig.ParseDuration(Value(), "--max-open-wait"); break;
                case "--fallback-scan": config.FallbackScan = WatchConfig.ParseDuration(Value(), "--fallback-scan"); break;
                case "--stall-timeout": config.StallTimeout = WatchConfig.ParseDuration(Value(), "--stall-timeout"); break;
                case "--state-dir": config.StateDir = Value(); break;
                case "--backend":
                    string backend = Value();
                    config.Backend = WatchConfig.TryParseBackend(backend, out WatchBackend b) ? b : throw Usage_($"--backend must be auto, fanotify or inotify, not '{backend}'");
                    break;
                default: rsyncArgs.Add(args[i]); break;
            }
        }
        RsyncOptions commandLine = WatchOptionRules.Parse(rsyncArgs, given: null, where: null);
        if (commandLine.ShowHelp)
            throw Usage_("usage");
        List<string> positional = commandLine.Args;
        if (fromFile is not null)
        {
            // Command-line values given next to --config override the file's globals.
            fromFile.StateDir = config.StateDir ?? fromFile.StateDir;
            fromFile.Backend = config.Backend ?? fromFile.Backend;
            fromFile.StallTimeout = config.StallTimeout ?? fromFile.StallTimeout;
            if (positional.Count > 0)
                fromFile.Source = positional[0];
            config = fromFile;
        }
        else
        {
            if (positional.Count < 2)
                throw Usage_("give SRC/ and at least one DEST (or --config FILE)");
            config.Source = positional[0];
            foreach (string dest in positional.Skip(1))
                config.Targets.Add(new WatchTargetConfig { Name = dest, Dest = dest });
        }
        // The command line's filter options follow the config file's global ones (first match wins).
        config.Filters.AddRange(commandLine.Filters.Select(f => new KeyValuePair<FilterOptionKind, string>(f.Option, f.Value)));
        config.CommandLine = commandLine;
        config.RsyncArgs.AddRange(rsyncArgs);
        if (string.IsNullOrEmpty(config.Source))
            throw Usage_("no source directory (source = ... in the config file, or SRC/ on the command line)");
        if (config.Targets.Count == 0)
            throw Usage_("no target");
        if (!Directory.Exists(config.Source))
            throw new RsyncException(RsyncErrorKind.FileSelection, $"source {config.Source} is not a directory");
        return config;
    }

    private static RsyncException Usage_(string message) => new(RsyncErrorKind.Usage, message);

    private const string Usage = """
        usage: mrsync watch [options] SRC/ DEST [DEST...]
               mrsync watch --config /etc/mrsync/watch.conf
          DEST               [USER@]HOST::MODULE[/PATH], rsync://[USER@]HOST[:PORT]/MODULE[/PATH], [USER@]HOST:PATH
                             (over ssh or -e COMMAND, one shell per transfer), or a local directory
          --delay=DUR        quiet window before a batch is pushed (default 10ms)
          --max-delay=DUR    longest a change waits under a steady stream (default 1s)
          --max-open-wait=D  longest a file still open for writing is held back (default 5s)
          --state-dir=DIR    journal of unsent changes and the status file (keep it for crash safety)
          --backend=B        auto (default: fanotify when root may mark the file system, else inotify, saying why),
                             fanotify (one mark for the whole file system; fails if it cannot), or inotify
          --fallback-scan=D  re-send interval for subtrees the watch limit left unwatched (default 10s)
          --stall-timeout=D  a push to a daemon or over a remote shell without --timeout gets --timeout=D (whole
                             seconds): a stalled daemon or link ends it and it is retried (default 10m; 0: none)
        rsync options, parsed as mrsync parses them, apply to every DEST:
          --delete, --del, --delete-before/-during/-delay/-after, --delete-excluded, --delete-missing-args
                             propagate deletions (the replica mirrors SRC)
          --exclude, --include, --filter/-f, --exclude-from, --include-from, -C, -F, --from0
                             filter rules, as a push takes them (in order); the watcher ignores what they exclude
          -v                 log each file sent and deleted
          daemon DEST: every option a push takes (default -a), incl. --password-file, --port, --address, -4/-6,
                       --contimeout, --timeout, --protocol, --bwlimit
          HOST:PATH:   every option a push over a remote shell takes (default -a), incl. -e/--rsh, --rsync-path,
                       -s, --old-args, -4/-6, --timeout
          local DEST:  copies as -rlpt (symlinks, permissions, times); other options are refused (exit 4)
        """;
}
