using ManagedRsync.Client;
using ManagedRsync.Daemon;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// A hostile daemon answering a single-file pull with --delete flags the synthetic "." as a content directory
/// (XMIT_TOP_DIR without XMIT_NO_CONTENT_DIR). The receiver asked only for "requested", so "." is a parent and nothing
/// else: stock 3.5.0 forces it back to an implied directory (flist.c: recv_file_entry, exclude.c: is_implied_parent_dir)
/// and its siblings survive (rsync's testsuite: malicious-dot-dir-delete-scope).
/// </summary>
public sealed class ImpliedParentDeleteScopeTests : IDisposable
{
    private readonly Sandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_forged_content_dot_does_not_widen_delete_beyond_the_requested_file()
    {
        string sentinel = Path.Combine(_sandbox.Destination, "private", "must-survive");
        Directory.CreateDirectory(Path.GetDirectoryName(sentinel)!);
        File.WriteAllText(sentinel, "receiver-owned\n");
        await using (var daemon = HostileDaemon.SendingFileList(
            l => l.Add(".", HostileFileList.Directory).Add("requested", HostileFileList.Regular, 0).End()
                // NDX_DONE for each phase (a single 0 byte each from protocol 30): the sender has nothing to send.
                .Raw([0, 0, 0])))
        {
            var request = new PullRequest
            {
                Source = DaemonAddress.Parse(daemon.ModuleUrl("requested")),
                Destination = _sandbox.Destination + "/",
                Options = TransferOptions.Archive with { Recursive = true, Delete = DeleteTiming.During },
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await RsyncClient.PullAsync(request, ct: timeout.Token);
            }
            catch (RsyncException)
            {
                // The scripted sender never sends the file: how the run ends is not the point, what it deleted is.
            }
        }
        Assert.Equal("receiver-owned\n", File.ReadAllText(sentinel));
        _sandbox.AssertOutsideUntouched();
    }
}
