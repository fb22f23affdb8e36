using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

// `mrsync [options] SRC... DEST` with no host on either side: rsync's local copy. Stock forks a server that runs the
// generator and receiver (main.c: local_child, child_main -> do_server_recv) and is the sender itself; the library
// runs the same roles in one process over an in-memory pipe. Output and exit codes are the push's and the pull's.
internal static partial class RsyncCommand
{
    private static async Task<int> RunLocalCopyAsync(RsyncOptions o, CliContext context)
    {
        var args = o.Args;
        // rsync main.c: a single local argument, or --list-only, lists the source as ls -l would; not done yet.
        if (args.Count == 1 || o.ListOnly)
            throw new RsyncException(RsyncErrorKind.Unsupported,
                "listing a local directory (one local argument, or --list-only with a local copy) is not supported yet");
        if (o.FilesFrom is not null)
            throw new RsyncException(RsyncErrorKind.Unsupported, "--files-from with a local copy is not supported yet");
        Options.DirectionSupport.Check(o, Options.TransferDirection.Local);
        RsyncOptions? receiving = Options.RemoteOptionsInLocalCopy.ReceivingHalf(o, context.GetEnvironmentVariable);
        var request = new LocalCopyRequest
        {
            Sources = [.. args.Take(args.Count - 1)],
            Destination = args[^1],
            // rsync main.c (do_cmd, local_server): a local copy is whole-file unless --no-W was given.
            // main.c: "If the user didn't request --[no-]whole-file, force it on, but only if we're not batch processing."
            Options = o.ToTransferOptions() with { WholeFile = o.WholeFile ?? o.WriteBatch is null },
            ReceivingOptions = receiving is null ? null
                : receiving.ToTransferOptions() with { WholeFile = receiving.WholeFile ?? receiving.WriteBatch is null },
            Filters = o.BuildFilters(context),
        };
        // The sender's lines, the generator's and --progress come from different tasks: one writer, one lock.
        TextWriter output = TextWriter.Synchronized(context.Out);
        var events = new ConsoleEvents(output, context.Error, o, context.Log, context.Newline);
        // The -v header ("sending incremental file list" or "building file list ... done") is the sender's, as on a push.
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        TransferResult result = await RsyncClient.CopyAsync(request, events, context.Cancellation).ConfigureAwait(false);
        return Finish(context, output, o, result, started, summary: true, sender: true);
    }
}
