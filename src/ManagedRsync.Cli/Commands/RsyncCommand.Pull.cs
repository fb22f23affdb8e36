using System.Globalization;
using ManagedRsync.Transfer;
using ManagedRsync.Transfer.Receive;

namespace ManagedRsync.Cli.Commands;

// Pulls and remote listings (rsync main.c: client_run as the receiver).
internal static partial class RsyncCommand
{
    private static Task<int> RunPullAsync(DaemonInvocation invocation) =>
        PullAsync(invocation, invocation.Options.ListOnly ? null : invocation.LocalPaths[0]);

    /// <summary>`mrsync HOST::MODULE[/PATH]` with no destination: list like rsync --list-only.</summary>
    private static Task<int> RunRemoteListingAsync(DaemonInvocation invocation) => PullAsync(invocation, destination: null);

    private static async Task<int> PullAsync(DaemonInvocation invocation, string? destination)
    {
        var context = invocation.Context;
        RsyncOptions options = invocation.Options;
        TransferOptions transfer = options.ToTransferOptions();
        // rsync options.c: listing without -r implies --dirs, so a directory's entries are listed, not skipped.
        if (destination is null && !transfer.Recursive)
            transfer = transfer with { Dirs = true };
        var request = new PullRequest
        {
            Source = invocation.Address,
            ExtraSourcePaths = invocation.RemotePaths.Skip(1).ToList(),
            Destination = destination,
            Options = transfer,
            Filters = options.BuildFilters(context),
            KeepPartial = options.Partial,
            TempDirectory = options.TempDir,
        };
        var log = new ConsoleLog(context);
        var session = new PullSession(request, log, invocation.OpenModuleAsync);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TransferResult result = await session.RunAsync(context.Cancellation).ConfigureAwait(false);
        if (destination is not null && (options.Verbose > 0 || options.Stats))
            PrintSummary(context, result.Stats, clock.Elapsed);
        if (result.ExitCode != RsyncExitCode.Ok)
            context.Error.WriteLine($"rsync error: {ExitCodeText.Describe(result.ExitCode)} (code {(int)result.ExitCode})");
        return (int)result.ExitCode;
    }

    // rsync main.c: output_summary.
    private static void PrintSummary(CliContext context, TransferStats stats, TimeSpan elapsed)
    {
        double rate = (stats.TotalBytesSent + stats.TotalBytesReceived) / Math.Max(elapsed.TotalSeconds, 0.001);
        long traffic = stats.TotalBytesSent + stats.TotalBytesReceived;
        string speedup = (traffic == 0 ? 0 : (double)stats.TotalSize / traffic).ToString("0.00", CultureInfo.InvariantCulture);
        context.Out.WriteLine();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent {stats.TotalBytesSent:#,0} bytes  received {stats.TotalBytesReceived:#,0} bytes  {rate:#,0.00} bytes/sec"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total size is {stats.TotalSize:#,0}  speedup is {speedup}"));
    }

    private sealed class ConsoleLog(CliContext context) : ITransferLog
    {
        public void Info(string line) => context.Out.WriteLine(line);

        public void Error(string line) => context.Error.WriteLine(line);
    }
}
