using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

// --read-batch (rsync main.c: start_client's read_batch branch, then client_run as a receiver of the batch).
internal static partial class RsyncCommand
{
    private static async Task<int> RunReadBatchAsync(RsyncOptions o, CliContext context)
    {
        // main.c: only the last argument counts (it must be local: the library says so once the batch is open, as
        // stock opens it before it looks at the arguments).
        string destination = o.Args[^1];
        // Not replayed yet: a dry run or listing of a batch, and the options whose batch data names another basis than
        // the file itself (the batch's basis types; our replay applies every update to the file of its name).
        string? refused = o.DryRun ? "--dry-run (-n)" : o.ListOnly ? "--list-only" : o.AltDestDirs.Count > 0 ? $"--{o.AltDest.ToString().ToLowerInvariant()}-dest"
            : o.Fuzzy > 0 ? "--fuzzy (-y)" : o.PartialDir is not null && !o.PartialDirImplied ? "--partial-dir" : null;
        if (refused is not null)
            throw new RsyncException(RsyncErrorKind.Unsupported, $"--read-batch with {refused} is not supported yet");
        Options.DirectionSupport.Check(o, Options.TransferDirection.Pull);
        Options.DebugOption.Check(o, Options.TransferDirection.Pull);
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        TextWriter output = TextWriter.Synchronized(context.Out);
        var request = new ReadBatchRequest
        {
            Batch = o.ReadBatch!,
            Destination = destination,
            Options = o.ToTransferOptions(),
            Filters = o.BuildFilters(context),
        };
        var events = new ConsoleEvents(output, context.Error, o, context.Log, context.Newline);
        TransferResult result = await RsyncClient.ReadBatchAsync(request, events, context.Cancellation).ConfigureAwait(false);
        return Finish(context, output, o, result, started, summary: true, sender: false);
    }
}
