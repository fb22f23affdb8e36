using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer.Receive;

/// <summary>
/// The server arguments of a pull: rsync options.c server_options with am_sender off (the daemon sends), then
/// one path per source (<see cref="ServerArguments.Build"/>).
/// </summary>
internal static class PullArguments
{
    public static List<string> Build(TransferOptions options, string modulePath, IReadOnlyList<string> extraPaths) =>
        ServerArguments.Build(options, daemonSends: true, [modulePath, .. extraPaths]);
}
