using System.Runtime.InteropServices;
using ManagedRsync.Cli.Options;
using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using ManagedRsync.Daemon;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// The rsync-compatible command line: parse options, decide what the arguments ask for (module list, remote
/// listing, pull, push) and report failures with rsync's messages and exit codes.
/// </summary>
internal static partial class RsyncCommand
{
    public static int Run(string[] args)
    {
        using var cts = new CancellationTokenSource();
        // rsync main.c: SIGINT, SIGTERM and SIGHUP all end the run through exit_cleanup (RERR_SIGNAL, 20), which removes
        // the receiver's temporary file; left to the runtime, SIGTERM and SIGHUP would kill us with it in place.
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        return RunAsync(args, CliContext.FromConsole(cts.Token)).GetAwaiter().GetResult();

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            cts.Cancel();
        }
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        RsyncOptions options;
        try
        {
            options = OptionParser.Parse(args, environment: context.GetEnvironmentVariable);
            OptionRules.CheckDeleteHasDirs(options);
        }
        catch (OptionException e)
        {
            return ExitCodeText.Report(context, e.ToRsyncException());
        }
        // log.c: rwrite — -8 leaves a name's high-bit bytes unescaped, on stdout and stderr alike.
        if (options.EightBitOutput && context.OpenOutBytes is { } stdout && context.OpenErrorBytes is { } stderr)
            context = context with { Out = new EightBitWriter(stdout()), Error = new EightBitWriter(stderr()) };
        // rsync log.c: rwrite — with --stderr=all every message (FINFO included: names, --stats, the version, the
        // help) goes to stderr.
        if (options.Stderr == StderrMode.All)
            context = context with { Out = context.Error };
        // log.c: output_needs_newline — what follows a progress line or a file-list line left open ("receiving file list
        // ... ") starts on a new line.
        if ((options.Info.Gte(InfoFlag.Progress, 1) || options.Info.Gte(InfoFlag.Flist, 1)) && !options.Quiet)
        {
            var owed = new OwedNewline(context.Out);
            context = context with { Out = new NewlineFirstWriter(context.Out, owed), Error = new NewlineFirstWriter(context.Error, owed), Newline = owed };
        }

        if (options.ShowHelp)
        {
            // options.c: output_item_help writes with rprintf(FINFO), which an earlier -q silences.
            if (options.HelpText is null || !options.Quiet)
                context.Out.Write(options.HelpText ?? Usage.Help);
            return 0;
        }
        if (options.ShowVersion)
        {
            // rsync options.c: version_opt_cnt > 1 prints the JSON report.
            context.Out.Write(VersionReport.For(options.VersionCount));
            return 0;
        }
        if (options.Args.Count == 0)
        {
            // rsync prints its usage and exits with a usage error when given nothing to do.
            context.Out.Write(Usage.Help);
            return ExitCodeText.Report(context, new RsyncException(RsyncErrorKind.Usage, "no source or destination given"));
        }

        using ClientLog? log = OpenLog(options, context);
        if (log is not null)
            context = context with { Log = log, Error = new LoggedWriter(context.Error, log) };
        using var limit = new RunLimit(context.Cancellation, options.StopAt);
        try
        {
            int code = await DispatchAsync(options, context with { Cancellation = limit.Token }).ConfigureAwait(false);
            context.Newline?.Settle();
            return code;
        }
        catch (Exception e) when (limit.Reached && !context.Cancellation.IsCancellationRequested && e is OperationCanceledException or RsyncException or IOException)
        {
            return ReportStopLimit(context, options);
        }
        catch (Exception e) when (context.Cancellation.IsCancellationRequested && e is OperationCanceledException or RsyncException or IOException)
        {
            // rsync main.c: sig_int ends the run at once with exit_cleanup(RERR_SIGNAL), whatever it was doing; here the
            // run unwinds first, and the failure the stop caused on the way (a local copy's sender finds its pipe closed
            // by the stopped receiver) is the signal's, not a second error. Stock prints only the one "rsync error:" line.
            return ExitCodeText.Report(context, new RsyncException(RsyncErrorKind.Interrupted, ""));
        }
        catch (RsyncException e)
        {
            return ExitCodeText.Report(context, e);
        }
        catch (Exception e) when (RsyncException.IsFault(e))
        {
            // A fault of ours ends the run with its words and stock's code for a crashed process, not a stack trace.
            return ExitCodeText.Report(context, RsyncException.Internal(e));
        }
    }

    // main.c: client_run's end — output_summary (a listing has none), then exit_cleanup: log_exit's line in a
    // --log-file, and the "rsync error:" line of a failed run (copied to the log file too).
    private static int Finish(CliContext context, TextWriter output, RsyncOptions o, TransferResult result, long started,
        bool summary, bool sender, string program = "rsync")
    {
        if (summary)
            TransferSummary.Print(output, o, result, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - started, context.Log);
        context.Newline?.Settle();
        context.Log?.Exit(result, sender);
        // log.c: log_exit — vanished files are a warning, not an error ("rsync warning: ... (code 24)").
        if (result.ExitCode != RsyncExitCode.Ok)
            context.Error.WriteLine($"{program} {(result.ExitCode == RsyncExitCode.Vanished ? "warning" : "error")}: {ExitCodeText.Describe(result.ExitCode)} (code {(int)result.ExitCode})");
        return (int)result.ExitCode;
    }

    // log.c: logfile_open — a log file that cannot be opened is reported (stock then logs to syslog, which mrsync does
    // not) and the transfer goes on.
    private static ClientLog? OpenLog(RsyncOptions options, CliContext context)
    {
        if (options.LogFile is not { } path)
            return null;
        if (ClientLogFile.Open(path, out string? error) is { } file)
            return new ClientLog(file, options);
        context.Error.WriteLine(error);
        if (!options.Quiet)
            context.Out.WriteLine("Ignoring \"log file\" setting.");
        return null;
    }

    // rsync io.c: perform_io — the process that meets the limit says "stopping at requested limit" and exits with
    // RERR_TIMEOUT (30). On a push and in a local copy that is stock's client itself, the sender. On a pull (and a
    // listing) the client is the generator and its forked receiver, busy reading, meets it first: the generator then
    // finds the receiver gone and exits with RERR_STREAMIO (12), which is the client's exit code (main.c: do_recv).
    private static int ReportStopLimit(CliContext context, RsyncOptions options)
    {
        context.Error.WriteLine("stopping at requested limit");
        context.Error.WriteLine($"mrsync error: {ExitCodeText.Describe(RsyncExitCode.Timeout)} (code {(int)RsyncExitCode.Timeout})");
        if (!DaemonAddress.TryParse(options.Args[0], out _) && !DaemonAddress.IsRemoteShellSpec(options.Args[0]))
            return (int)RsyncExitCode.Timeout;
        return ExitCodeText.Report(context, new RsyncException(RsyncErrorKind.ConnectionClosed, "connection unexpectedly closed [generator]"));
    }

    // rsync main.c: start_client: a remote first argument makes a pull (or a listing when it is alone); otherwise a
    // remote last argument makes a push; otherwise the copy is local. HOST:PATH (one colon) goes through a remote
    // shell, HOST::MODULE and rsync:// to a daemon.
    private static Task<int> DispatchAsync(RsyncOptions options, CliContext context)
    {
        var args = options.Args;
        if (options.ReadBatch is not null)
            return RunReadBatchAsync(options, context);
        // options.c: --debug is never sent to a server; what it adds comes from this side's own roles (DebugOption).
        bool pushing = args.Count > 1 && !DaemonAddress.TryParse(args[0], out _) && !DaemonAddress.IsRemoteShellSpec(args[0])
            && (DaemonAddress.TryParse(args[^1], out _) || DaemonAddress.IsRemoteShellSpec(args[^1]));
        bool pulling = DaemonAddress.IsRemoteShellSpec(args[0]) || DaemonAddress.TryParse(args[0], out _);
        DebugOption.Check(options, pushing ? TransferDirection.Push : pulling ? TransferDirection.Pull : TransferDirection.Local);
        if (DaemonAddress.IsRemoteShellSpec(args[0]))
            return RunShellPullAsync(options, context);
        if (args.Count > 1 && !DaemonAddress.TryParse(args[0], out _) && DaemonAddress.IsRemoteShellSpec(args[^1]))
            return RunShellPushAsync(options, context);
        // rsync main.c: do_cmd runs no shell for a local copy, so -e, --rsync-path, -s and --old-args change nothing there.
        if (DaemonAddress.TryParse(args[0], out var source))
        {
            var invocation = new DaemonInvocation(options, source, context) { Shell = DaemonShell(options, context, source) };
            invocation.RemotePaths.Add(source.ModulePath);
            int last = args.Count - 1;
            if (args.Count > 1)
            {
                if (DaemonAddress.TryParse(args[last], out _) || DaemonAddress.IsRemoteShellSpec(args[last]))
                {
                    throw new RsyncException(RsyncErrorKind.Usage, "The source and destination cannot both be remote.");
                }
                // rsync: further sources on the same daemon may be written "::mod/path" or as full addresses.
                foreach (var extra in args.Skip(1).Take(last - 1))
                {
                    invocation.RemotePaths.Add(DaemonAddress.TryParse(extra, out var a) ? a.ModulePath : extra.TrimStart(':'));
                }
                invocation.LocalPaths.Add(args[last]);
                // Stock sends a sending daemon "--files-from=- --from0" and forwards the list over the socket
                // (options.c: server_options; io.c: forward_filesfrom_data); we do not yet.
                if (options.FilesFrom != null)
                    throw new RsyncException(RsyncErrorKind.Unsupported, "--files-from is not supported yet on a pull");
                return RunPullAsync(invocation);
            }
            if (source.Module.Length == 0)
            {
                return ListModulesAsync(invocation);
            }
            return RunRemoteListingAsync(invocation);
        }

        if (options.PasswordFile != null && !args.Any(a => DaemonAddress.TryParse(a, out _)))
        {
            throw new RsyncException(RsyncErrorKind.Usage,
                "The --password-file option may only be used when accessing an rsync daemon.");
        }
        if (args.Count > 1 && DaemonAddress.TryParse(args[^1], out var destination))
        {
            var invocation = new DaemonInvocation(options, destination, context) { Shell = DaemonShell(options, context, destination) };
            invocation.RemotePaths.Add(destination.ModulePath);
            invocation.LocalPaths.AddRange(args.Take(args.Count - 1));
            return RunPushAsync(invocation);
        }
        return RunLocalCopyAsync(options, context);
    }

    // `mrsync HOST::` and `mrsync rsync://HOST/`: the daemon prints MOTD and module lines, then @RSYNCD: EXIT.
    private static async Task<int> ListModulesAsync(DaemonInvocation invocation)
    {
        CliContext context = invocation.Context;
        var events = new ConsoleEvents(context.Out, context.Error, invocation.Options, context.Log, context.Newline);
        if (invocation.Shell is { } shell)
        {
            await RsyncClient.ListModulesAsync(shell, invocation.Address, invocation.Options.Port, invocation.Connection, events,
                context.Cancellation).ConfigureAwait(false);
            return 0;
        }
        await RsyncClient.ListModulesAsync(invocation.Connection, events, context.Cancellation).ConfigureAwait(false);
        return 0;
    }
}
