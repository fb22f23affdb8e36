using System.Net;
using System.Net.Sockets;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Both pulls (from a daemon, through a remote shell) take their options through one <see cref="ReceiveRequest"/>:
/// what the receiving side cannot do is refused by name, before anything is contacted, whichever way the pull goes.
/// </summary>
public class ReceiveRequestTests
{
    [Fact]
    public async Task A_daemon_pull_with_delete_missing_args_is_refused_before_connecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var request = new PullRequest
        {
            Source = DaemonAddress.Parse($"rsync://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/m/"),
            Destination = Path.GetTempPath(),
            Options = TransferOptions.Archive with { DeleteMissingArgs = true },
        };

        var e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PullAsync(request));

        Assert.Equal(RsyncErrorKind.Unsupported, e.Kind);
        Assert.Equal("--delete-missing-args is not supported yet on a pull", e.Message);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task A_remote_shell_pull_with_delete_missing_args_is_refused_before_the_shell_starts()
    {
        // A shell that cannot start would fail with another kind (exit 14): the refusal comes first.
        var request = new RemoteShellPullRequest
        {
            Shell = new RemoteShell { Command = "/nonexistent/mrsync-test-shell", Host = "host" },
            Sources = ["src/"],
            Destination = Path.GetTempPath(),
            Options = TransferOptions.Archive with { DeleteMissingArgs = true },
        };

        var e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PullAsync(request));

        Assert.Equal(RsyncErrorKind.Unsupported, e.Kind);
        Assert.Equal("--delete-missing-args is not supported yet on a pull", e.Message);
    }

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
