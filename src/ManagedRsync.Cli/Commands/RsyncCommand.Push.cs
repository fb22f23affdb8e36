using ManagedRsync.Cli.Output;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.Cli.Commands;

// `mrsync [options] SRC... [user@]host::module/path`: the push, with rsync's output (rsync main.c: output_summary).
internal static partial class RsyncCommand
{
    private static async Task<int> RunPushAsync(DaemonInvocation invocation)
    {
        RsyncOptions o = invocation.Options;
        CliContext context = invocation.Context;
        // The daemon lists the entries it is sent and writes and deletes nothing (generator.c: recv_generator).
        TransferOptions options = o.ToTransferOptions(listing: o.ListOnly);
        FilterList? filters = o.BuildFilters(context);
        var request = new PushRequest
        {
            Destination = invocation.Address,
            Connection = invocation.Connection,
            Shell = invocation.Shell,
            Port = invocation.Options.Port,
            User = invocation.User,
            Password = invocation.GetPassword,
            Options = options,
            Sources = invocation.LocalPaths,
            Filters = filters,
        };
        if (o.FilesFrom is { } listFile)
        {
            // rsync --files-from: one source directory, the names relative to it, -R implied.
            if (invocation.LocalPaths.Count != 1)
                throw new RsyncException(RsyncErrorKind.Usage, "--files-from needs exactly one source directory");
            // A list on the daemon's side (":FILE", HOST:FILE) is read by the daemon and forwarded to us (options.c
            // check_for_hostspec, io.c forward_filesfrom_data); --no-R sends bare names. Neither is done yet.
            if (listFile.StartsWith(':') || DaemonAddress.IsRemoteShellSpec(listFile) || DaemonAddress.TryParse(listFile, out _))
                throw new RsyncException(RsyncErrorKind.Unsupported, $"--files-from={listFile} (a list on the remote side) is not supported yet");
            if (!o.Relative)
                throw new RsyncException(RsyncErrorKind.Unsupported, "--no-relative with --files-from is not supported yet");
            // The list is bytes: names that are not UTF-8 keep them (FileNameEncoding carries them in the string).
            byte[] list = listFile == "-" ? context.ReadAllInBytes() : await File.ReadAllBytesAsync(listFile, context.Cancellation).ConfigureAwait(false);
            request = request with
            {
                Sources = [],
                SourceRoot = invocation.LocalPaths[0],
                RelativePaths = FilesFrom.ParsePaths(list, o.From0),
                Options = options with { Relative = true, Dirs = options.Dirs || !options.Recursive },
            };
        }

        // The -v header ("sending incremental file list" or "building file list ... done") is the sender's: it
        // depends on what the daemon agreed to.
        var events = new ConsoleEvents(context.Out, context.Error, o, context.Log, context.Newline);
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        TransferResult result = await RsyncClient.PushAsync(request, events, context.Cancellation).ConfigureAwait(false);
        return Finish(context, context.Out, o, result, started, summary: true, sender: true, program: "mrsync");
    }
}
