using System.Globalization;
using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Transports;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

// `mrsync [options] SRC... [USER@]HOST:DEST` and `mrsync [options] [USER@]HOST:SRC... [DEST]`: a server started over a
// remote shell (rsync main.c: start_client's shell branch, do_cmd). The checks and their messages are start_client's.
internal static partial class RsyncCommand
{
    // rsync main.c: start_client: a remote first argument pulls (or lists, when nothing follows it or what follows
    // starts with ':'); every further source names the same host or none (":PATH").
    private static Task<int> RunShellPullAsync(RsyncOptions o, CliContext context)
    {
        var args = o.Args;
        DaemonAddress.TrySplitRemoteShell(args[0], out string? user, out string host, out string first);
        bool listing = args.Count == 1 || args[^1].StartsWith(':');
        List<string> sources = listing ? [.. args] : [.. args.Take(args.Count - 1)];
        if (!listing && (DaemonAddress.TryParse(args[^1], out _) || DaemonAddress.IsRemoteShellSpec(args[^1])))
            throw UsageError("The source and destination cannot both be remote.");
        var remotePaths = new List<string> { first };
        foreach (string extra in sources.Skip(1))
        {
            // ":PATH" names the same host (options.c: parse_hostspec gives an empty host).
            string? extraUser = null, extraHost = "", path = extra.StartsWith(':') ? extra[1..] : "";
            if (!extra.StartsWith(':') && !DaemonAddress.TrySplitRemoteShell(extra, out extraUser, out extraHost, out path))
                throw UsageError($"Unexpected local arg: {extra}\nIf arg is a remote file/dir, prefix it with a colon (:).");
            string named = extraUser is null ? extraHost : extraUser + "@" + extraHost;
            if (named.Length > 0 && named != (user is null ? host : user + "@" + host))
                throw UsageError("All source args must come from the same machine.");
            remotePaths.Add(path);
        }
        // rsync options.c: --files-from is forwarded by a pulling client over the connection; not done yet.
        if (o.FilesFrom is not null)
            throw new RsyncException(RsyncErrorKind.Unsupported, "--files-from is not supported yet on a pull");
        TransferOptions options = o.ToTransferOptions(listing);
        var request = new RemoteShellPullRequest
        {
            Shell = Shell(o, context, user, host),
            Sources = remotePaths,
            Destination = listing ? null : args[^1],
            Options = options,
            Filters = o.BuildFilters(context),
        };
        return RunShellAsync(o, context, request.Shell, summary: !listing,
            events => RsyncClient.PullAsync(request, events, context.Cancellation));
    }

    // rsync main.c: start_client: a local first argument and a remote last one push; no other argument may be remote.
    private static Task<int> RunShellPushAsync(RsyncOptions o, CliContext context)
    {
        var args = o.Args;
        DaemonAddress.TrySplitRemoteShell(args[^1], out string? user, out string host, out string destination);
        List<string> sources = [.. args.Take(args.Count - 1)];
        foreach (string source in sources)
        {
            if (source.Length == 0)
                throw UsageError("Empty source arg specified.");
            if (DaemonAddress.TryParse(source, out _) || DaemonAddress.IsRemoteShellSpec(source))
                throw UsageError($"Unexpected remote arg: {source}");
        }
        if (o.FilesFrom is not null)
            throw new RsyncException(RsyncErrorKind.Unsupported, "--files-from over a remote shell is not supported yet");
        TransferOptions options = o.ToTransferOptions(listing: o.ListOnly);
        var request = new RemoteShellPushRequest
        {
            Shell = Shell(o, context, user, host),
            Destination = destination,
            Sources = sources,
            Options = options,
            Filters = o.BuildFilters(context),
        };
        // The sender prints the -v header itself (it depends on whether the lists go incrementally).
        return RunShellAsync(o, context, request.Shell, summary: true,
            events => RsyncClient.PushAsync(request, events, context.Cancellation), sender: true);
    }

    private static async Task<int> RunShellAsync(RsyncOptions o, CliContext context, RemoteShell shell, bool summary,
        Func<ConsoleEvents, Task<TransferResult>> run, bool sender = false)
    {
        // rsync main.c: start_client refuses the daemon-only options once it knows the transfer uses a remote shell.
        if (o.PasswordFile is not null)
            throw UsageError("The --password-file option may only be used when accessing an rsync daemon.");
        if (o.ConnectTimeout is > 0)
            throw UsageError("The --contimeout option may only be used when connecting to an rsync daemon.");
        if (shell.Host.StartsWith('-'))
            throw UsageError("Invalid remote host: hostnames may not start with '-'.");
        // The generator's lines, the receiver's and --progress come from different threads: one writer, one lock.
        TextWriter output = TextWriter.Synchronized(context.Out);
        var events = new ConsoleEvents(output, context.Error, o, context.Log, context.Newline);
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        TransferResult result = await run(events).ConfigureAwait(false);
        return Finish(context, output, o, result, started, summary, sender);
    }

    // rsync main.c: do_cmd: -e, else $RSYNC_RSH, else ssh; options.c: how -s and --old-args settle with their
    // environment variables. Also a watch's replica over a remote shell (ReplicaTargets).
    internal static RemoteShell Shell(RsyncOptions o, CliContext context, string? user, string host)
    {
        (bool secluded, int oldArgs) = ArgumentStyle(o, context);
        return new RemoteShell
        {
            Command = o.RemoteShell ?? NonEmpty(context.GetEnvironmentVariable("RSYNC_RSH")) ?? "ssh",
            Host = host,
            User = user,
            RsyncPath = o.RsyncPath ?? "rsync",
            AddressFamily = o.AddressFamily,
            SecludedArgs = secluded,
            OldArgs = oldArgs,
        };
    }

    /// <summary>
    /// rsync options.c (parse_arguments, after the loop): without --old-args/--no-old-args, $RSYNC_OLD_ARGS sets it
    /// unless -s was given; --old-args turns -s off; without -s/--no-s, $RSYNC_PROTECT_ARGS decides (this rsync is built
    /// with secluded args optional, so off by default).
    /// </summary>
    internal static (bool Secluded, int OldArgs) ArgumentStyle(RsyncOptions o, CliContext context)
    {
        int secluded = o.SecludedArgs is { } s ? (s ? 1 : 0) : -1;
        int oldArgs = o.OldArgs ?? -1;
        if (oldArgs < 0)
        {
            string? env = NonEmpty(context.GetEnvironmentVariable("RSYNC_OLD_ARGS"));
            if (secluded <= 0 && env is not null)
            {
                secluded = 0;
                oldArgs = CAtoi(env);
            }
            else
            {
                oldArgs = 0;
            }
        }
        else if (oldArgs > 0)
        {
            secluded = 0;
        }
        if (secluded < 0)
            secluded = NonEmpty(context.GetEnvironmentVariable("RSYNC_PROTECT_ARGS")) is { } env && CAtoi(env) != 0 ? 1 : 0;
        return (secluded > 0, oldArgs);
    }

    /// <summary>
    /// The remote shell a daemon address is reached through: -e/--rsh given (rsync main.c: start_client sets
    /// daemon_connection from shell_cmd, so $RSYNC_RSH alone still connects over TCP), else null. Then stock refuses
    /// --contimeout and a host starting with '-' as for any remote shell; --password-file stays (the daemon asks).
    /// --old-args is not done for a daemon yet (refused by name).
    /// </summary>
    private static RemoteShell? DaemonShell(RsyncOptions o, CliContext context, DaemonAddress address)
    {
        // -s travels in the connection's options (DaemonInvocation.Connection), as stock sends it after the module.
        (_, int oldArgs) = ArgumentStyle(o, context);
        if (oldArgs > 0)
            throw new RsyncException(RsyncErrorKind.Unsupported, "--old-args with an rsync daemon is not supported yet");
        if (o.RemoteShell is null)
            return null;
        if (o.ConnectTimeout is > 0)
            throw UsageError("The --contimeout option may only be used when connecting to an rsync daemon.");
        if (address.Host.StartsWith('-'))
            throw UsageError("Invalid remote host: hostnames may not start with '-'.");
        return Shell(o, context, address.User, address.Host);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // C atoi: optional blanks and sign, then digits; anything else ends the number (0 when there is none).
    private static int CAtoi(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().TrimStart(" \t\n\v\f\r");
        int sign = 1;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            s = s[1..];
        }
        int end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
            end++;
        return end == 0 ? 0 : sign * (int)Math.Min(long.Parse(s[..Math.Min(end, 10)], CultureInfo.InvariantCulture), int.MaxValue);
    }

    private static RsyncException UsageError(string message) => new(RsyncErrorKind.Usage, message);
}
