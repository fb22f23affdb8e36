using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// The server arguments of a pull (rsync options.c: server_options with am_sender off): the push form with
/// "--sender" right after "--server", 'd' for --dirs, minus what only a receiving server needs (the --delete family,
/// --size-only, --stats, --log-format: the deleting and logging happen on our side), and one path per source.
/// </summary>
internal static class PullArguments
{
    public static List<string> Build(TransferOptions options, string modulePath, IReadOnlyList<string> extraPaths)
    {
        var senderView = options with
        {
            Delete = DeleteTiming.None, DeleteExcluded = false, SizeOnly = false, Stats = false, ItemizeChanges = 0,
            DeleteMissingArgs = false,
        };
        List<string> args = ServerArguments.ForPush(senderView, modulePath);
        if (options.Dirs && !options.Recursive)
            AddDirsLetter(args);
        args.Insert(1, "--sender");
        args.AddRange(extraPaths);
        return args;
    }

    // rsync options.c: server_options sends 'd' to a sending server for --dirs and for a listing without -r (it comes
    // right after the letters v, q, b, u, n and l). The push form adds it only when deleting, which a pull's sender
// view never is.
    private static void AddDirsLetter(List<string> args)
    {
        if (args.Count > 1 && args[1].StartsWith('-') && !args[1].StartsWith("--", StringComparison.Ordinal))
        {
            string letters = args[1];
            int at = 1;
            while (at < letters.Length && "vqbunl".Contains(letters[at]))
                at++;
            args[1] = letters.Insert(at, "d");
        }
        else
        {
            args.Insert(1, "-d");
        }
    }
}
