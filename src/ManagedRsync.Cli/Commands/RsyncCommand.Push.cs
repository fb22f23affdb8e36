using System.Diagnostics;
using System.Globalization;
using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.Transfer;

namespace ManagedRsync.Cli.Commands;

// `mrsync [options] SRC... [user@]host::module/path`: the push, with rsync's output (rsync main.c: output_summary).
internal static partial class RsyncCommand
{
    private static async Task<int> RunPushAsync(DaemonInvocation invocation)
    {
        RsyncOptions o = invocation.Options;
        CliContext context = invocation.Context;
        TransferOptions options = o.ToTransferOptions();
        // rsync options.c: --list-only without -r transfers directories without recursing (xfer_dirs = 1); the
        // daemon then lists the entries it is sent and writes and deletes nothing (generator.c: recv_generator).
        if (options.ListOnly && !options.Recursive)
            options = options with { Dirs = true };
        FilterList? filters = o.BuildFilters(context);
        var request = new PushRequest
        {
            Destination = invocation.Address,
            Port = o.Port,
            Options = options,
            Sources = invocation.LocalPaths,
            Filters = filters,
        };
        if (o.FilesFrom is { } listFile)
        {
            // rsync --files-from: one source directory, the names relative to it, -R implied.
            if (invocation.LocalPaths.Count != 1)
                throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Syntax, "--files-from needs exactly one source directory");
            string text = listFile == "-" ? await context.In.ReadToEndAsync().ConfigureAwait(false) : await File.ReadAllTextAsync(listFile).ConfigureAwait(false);
            request = request with
            {
                Sources = [],
                SourceRoot = invocation.LocalPaths[0],
                RelativePaths = text.Split(o.From0 ? '\0' : '\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && l[0] is not ('#' or ';')).ToList(),
                Options = options with { Relative = true, Dirs = options.Dirs || !options.Recursive },
            };
        }

        var log = new ConsoleLog(context, o.Quiet);
        if (o.Verbose > 0 && !o.Quiet)
            context.Out.WriteLine("building file list ... done");
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        IProgress<TransferProgress>? progress = o.Progress && !o.Quiet ? new ProgressPrinter(context.Out, HumanNumbers.For(o)) : null;
        TransferResult result = await RsyncClient.PushAsync(request with { }, log, progress, context.Cancellation,
            invocation.OpenModuleAsync).ConfigureAwait(false);
        TransferSummary.Print(context.Out, o, result, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - started);
        if (result.ExitCode != RsyncExitCode.Ok)
            context.Error.WriteLine($"mrsync error: {ExitCodeText.Describe(result.ExitCode)} (code {(int)result.ExitCode})");
        return (int)result.ExitCode;
    }
}
