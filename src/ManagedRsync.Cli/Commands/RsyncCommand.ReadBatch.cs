using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

// --read-batch (rsync main.c: start_client's read_batch branch, then client_run as a receiver of the batch).
internal static partial class RsyncCommand
{
    private static async Task<int> RunReadBatchAsync(RsyncOptions o, CliContext context)
    {
        // main.c: only the last argument counts, and it must be local.
        string destination = o.Args[^1];
        if (DaemonAddress.TryParse(destination, out _) || DaemonAddress.IsRemoteShellSpec(destination))
            throw new RsyncException(RsyncErrorKind.Usage, "remote destination is not allowed with --read-batch");
        if (o.DryRun || o.ListOnly)
            throw new RsyncException(RsyncErrorKind.Unsupported, $"--read-batch with {(o.DryRun ? "--dry-run (-n)" : "--list-only")} is not supported yet");
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
        var events = new ConsoleEvents(output, context.Error, o, context.Log);
        TransferResult result = await RsyncClient.ReadBatchAsync(request, events, context.Cancellation).ConfigureAwait(false);
        return Finish(context, output, o, result, started, summary: true, sender: false);
    }
}
