namespace ManagedRsync.Cli.Commands;

// Seam for the transfer roles (wire engineer): replace these bodies with the push, pull and remote-listing
// implementations. Each gets a resolved DaemonInvocation: Options, Address, RemotePaths, LocalPaths, and
// OpenModuleAsync(serverArgs, ct), which connects, authenticates and sends the server arguments. Throw
// RsyncException for failures; RsyncCommand reports them with rsync's messages and exit codes.
internal static partial class RsyncCommand
{
    private static Task<int> RunPullAsync(DaemonInvocation invocation) => NotYet(invocation, "pulling from a daemon");

    private static Task<int> RunPushAsync(DaemonInvocation invocation) => NotYet(invocation, "pushing to a daemon");

    /// <summary>`mrsync HOST::MODULE[/PATH]` with no destination: list like rsync --list-only.</summary>
    /// <remarks>Until the file-list decoder lands this authenticates (so auth failures exit as rsync's) and stops.</remarks>
    private static async Task<int> RunRemoteListingAsync(DaemonInvocation invocation)
    {
        string[] serverArgs = ["--server", "--sender", "-r", ".", .. invocation.RemotePaths];
        await using var session = await invocation.OpenModuleAsync(serverArgs, invocation.Context.Cancellation).ConfigureAwait(false);
        return await NotYet(invocation, "listing a module's files").ConfigureAwait(false);
    }

    private static Task<int> NotYet(DaemonInvocation invocation, string what) =>
        throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported, $"{what} is not implemented yet ({invocation.Address})");
}
