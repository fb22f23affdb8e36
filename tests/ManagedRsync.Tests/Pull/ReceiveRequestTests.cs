using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Both pulls (from a daemon, through a remote shell) take their options through one <see cref="ReceiveRequest"/>.
/// (--delete-missing-args on a pull, once refused here, is done now: interop-tests ReceivingOptions/MissingArgsTests.)
/// </summary>
public class ReceiveRequestTests
{
    [Fact]
    public async Task A_listing_may_name_delete_missing_args()
    {
        // No destination: a listing, which deletes nothing (main.c: the option only matters to a receiver that writes).
        var request = new RemoteShellPullRequest
        {
            Shell = new RemoteShell { Command = "/nonexistent/mrsync-test-shell", Host = "host" },
            Sources = ["src/"],
            Options = TransferOptions.Archive with { DeleteMissingArgs = true },
        };

        var e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PullAsync(request));

        Assert.NotEqual(RsyncErrorKind.Unsupported, e.Kind); // it got as far as starting the shell
    }
}
