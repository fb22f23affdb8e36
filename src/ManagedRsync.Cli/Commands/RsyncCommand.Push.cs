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

        var log = new ConsoleLog(context);
        if (o.Verbose > 0 && !o.Quiet)
            context.Out.WriteLine("building file list ... done");
        var clock = Stopwatch.StartNew();
        IProgress<TransferProgress>? progress = o.Progress ? new ProgressPrinter(context.Out) : null;
        TransferResult result = await RsyncClient.PushAsync(request with { }, log, progress, context.Cancellation,
            invocation.OpenModuleAsync).ConfigureAwait(false);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        PrintSummary(context.Out, o, result.Stats, seconds);
        if (result.ExitCode != RsyncExitCode.Ok)
            context.Error.WriteLine($"mrsync error: {ExitCodeText.Describe(result.ExitCode)} (code {(int)result.ExitCode})");
        return (int)result.ExitCode;
    }

    // rsync main.c: output_summary, with rsync's thousands separators.
    private static void PrintSummary(TextWriter w, RsyncOptions o, TransferStats s, double seconds)
    {
        if (o.Stats)
        {
            w.WriteLine();
            w.WriteLine($"Number of files: {N(s.NumFiles)}{Breakdown(s.NumRegular, s.NumDirs, s.NumSymlinks, s.NumDevices, s.NumSpecials)}");
            int createdRegular = s.CreatedFiles - s.CreatedDirs - s.CreatedSymlinks - s.CreatedDevices - s.CreatedSpecials;
            w.WriteLine($"Number of created files: {N(s.CreatedFiles)}{Breakdown(createdRegular, s.CreatedDirs, s.CreatedSymlinks, s.CreatedDevices, s.CreatedSpecials)}");
            int deleted = s.DeletedFiles + s.DeletedDirs + s.DeletedSymlinks + s.DeletedDevices + s.DeletedSpecials;
            w.WriteLine($"Number of deleted files: {N(deleted)}{Breakdown(s.DeletedFiles, s.DeletedDirs, s.DeletedSymlinks, s.DeletedDevices, s.DeletedSpecials)}");
            w.WriteLine($"Number of regular files transferred: {N(s.TransferredFiles)}");
            w.WriteLine($"Total file size: {N(s.TotalSize)} bytes");
            w.WriteLine($"Total transferred file size: {N(s.TotalTransferredSize)} bytes");
            w.WriteLine($"Literal data: {N(s.LiteralData)} bytes");
            w.WriteLine($"Matched data: {N(s.MatchedData)} bytes");
            w.WriteLine($"File list size: {N(s.FileListSize)}");
            w.WriteLine($"File list generation time: {(s.FileListBuildMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)} seconds");
            w.WriteLine($"File list transfer time: {(s.FileListTransferMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)} seconds");
            w.WriteLine($"Total bytes sent: {N(s.TotalBytesSent)}");
            w.WriteLine($"Total bytes received: {N(s.TotalBytesReceived)}");
        }
        if (o.Stats || (o.Verbose > 0 && !o.Quiet))
        {
            long moved = s.TotalBytesSent + s.TotalBytesReceived;
            w.WriteLine();
            w.WriteLine($"sent {N(s.TotalBytesSent)} bytes  received {N(s.TotalBytesReceived)} bytes  {(moved / seconds).ToString("#,0.00", CultureInfo.InvariantCulture)} bytes/sec");
            double speedup = moved == 0 ? 0 : (double)s.TotalSize / moved;
            w.WriteLine($"total size is {N(s.TotalSize)}  speedup is {speedup.ToString("#,0.00", CultureInfo.InvariantCulture)}{(o.DryRun ? " (DRY RUN)" : "")}");
        }
    }

    private static string N(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    // rsync main.c: output_itemized_counts: " (reg: 2, dir: 2, link: 1)", only the nonzero kinds.
    private static string Breakdown(int reg, int dir, int link, int dev, int special)
    {
        if (reg + dir + link + dev + special == 0)
            return "";
        var parts = new List<string>();
        if (reg > 0)
            parts.Add($"reg: {N(reg)}");
        if (dir > 0)
            parts.Add($"dir: {N(dir)}");
        if (link > 0)
            parts.Add($"link: {N(link)}");
        if (dev > 0)
            parts.Add($"dev: {N(dev)}");
        if (special > 0)
            parts.Add($"special: {N(special)}");
        return " (" + string.Join(", ", parts) + ")";
    }
}
