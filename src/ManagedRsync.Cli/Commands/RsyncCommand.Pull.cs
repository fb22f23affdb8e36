using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using RsyncClient = ManagedRsync.Client.RsyncClient;

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
        if (destination is not null)
            Options.DirectionSupport.Check(options, Options.TransferDirection.Pull);
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // The generator's lines, the receiver's and --progress come from different threads: one writer, one lock.
        TextWriter output = TextWriter.Synchronized(context.Out);
        TransferOptions transfer = options.ToTransferOptions(listing: destination is null);
        var request = new PullRequest
        {
            Source = invocation.Address,
            Connection = invocation.Connection,
            Shell = invocation.Shell,
            Port = invocation.Options.Port,
            User = invocation.User,
            Password = invocation.GetPassword,
            ExtraSourcePaths = invocation.RemotePaths.Skip(1).ToList(),
            Destination = destination,
            Options = transfer,
            Filters = options.BuildFilters(context),
        };
        var events = new ConsoleEvents(output, context.Error, options, context.Log, context.Newline);
        TransferResult result = await RsyncClient.PullAsync(request, events, context.Cancellation).ConfigureAwait(false);
        return Finish(context, output, options, result, started, summary: destination is not null, sender: false);
    }
}
