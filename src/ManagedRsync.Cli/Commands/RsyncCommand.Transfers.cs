namespace ManagedRsync.Cli.Commands;

// Seam for the transfer roles (wire engineer): replace these bodies with the push implementation (pull and the remote
// listing are in RsyncCommand.Pull.cs). Each gets a resolved DaemonInvocation: Options, Address, RemotePaths, LocalPaths, and
// OpenModuleAsync(serverArgs, ct), which connects, authenticates and sends the server arguments. Throw
// RsyncException for failures; RsyncCommand reports them with rsync's messages and exit codes.
internal static partial class RsyncCommand
{
    private static Task<int> RunPushAsync(DaemonInvocation invocation) => NotYet(invocation, "pushing to a daemon");

    private static Task<int> NotYet(DaemonInvocation invocation, string what) =>
        throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported, $"{what} is not implemented yet ({invocation.Address})");
}
