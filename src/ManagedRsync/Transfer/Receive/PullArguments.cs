using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// The server arguments of a pull (rsync options.c: server_options with am_sender off): the push form with
/// "--sender" right after "--server", minus what only a receiving server needs (the --delete family, --size-only,
/// --stats, --log-format: the deleting and logging happen on our side), and one path per source.
/// </summary>
internal static class PullArguments
{
    public static List<string> Build(TransferOptions options, string modulePath, IReadOnlyList<string> extraPaths)
    {
        var senderView = options with
        {
            Delete = DeleteTiming.None, DeleteExcluded = false, SizeOnly = false, Stats = false, ItemizeChanges = false,
            DeleteMissingArgs = false,
        };
        List<string> args = ServerArguments.ForPush(senderView, modulePath);
        args.Insert(1, "--sender");
        args.AddRange(extraPaths);
        return args;
    }
}
