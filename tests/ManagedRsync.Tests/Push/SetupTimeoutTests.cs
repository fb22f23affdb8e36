using ManagedRsync.Session;
using ManagedRsync.Tests.Support;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Push;

/// <summary>
/// --timeout bounds the protocol setup too (rsync io.c: every read is under io_timeout): a daemon that goes silent
/// right after the module's "@RSYNCD: OK" and the arguments (a stalled link) ends the client with exit 30, as the
/// multiplexed phase's reads already did. Found by WatchSystemFaultTests.StalledConnectionTimesOutWithTimeoutAndIsRetried,
/// whose push over a standby connection waited for ever.
/// </summary>
public sealed class SetupTimeoutTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(null)]
    public async Task A_silent_peer_during_the_setup_times_out(int? knownProtocol)
    {
        (Stream clientEnd, Stream silentEnd) = LocalPipe.Create();
        await using var _ = silentEnd;
        await using var connection = new Connection(clientEnd, isServer: false, new RecordingLog());
        var options = TransferOptions.Archive with { Timeout = 1 };
        Task setup = connection.SetupClientAsync(knownProtocol, options, weSend: true, default);
        var e = await Assert.ThrowsAsync<RsyncException>(() => setup.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RsyncErrorKind.Timeout, e.Kind);
        Assert.Equal("io timeout after 1 seconds -- exiting", e.Message);
    }

    [Fact]
    public async Task Without_a_timeout_the_setup_waits_for_the_peer()
    {
        (Stream clientEnd, Stream silentEnd) = LocalPipe.Create();
        await using var _ = silentEnd;
        await using var connection = new Connection(clientEnd, isServer: false, new RecordingLog());
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        Task setup = connection.SetupClientAsync(32, TransferOptions.Archive, weSend: true, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => setup);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(null)]
    public async Task A_silent_client_during_the_servers_setup_times_out(int? knownProtocol)
    {
        (Stream silentEnd, Stream serverEnd) = LocalPipe.Create();
        await using var _ = silentEnd;
        await using var connection = new Connection(serverEnd, isServer: true, new RecordingLog());
        var options = TransferOptions.Archive with { Timeout = 1 };
        Task setup = connection.SetupServerAsync(knownProtocol, options, ServerArguments.Capabilities, serverSends: false, default);
        var e = await Assert.ThrowsAsync<RsyncException>(() => setup.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RsyncErrorKind.Timeout, e.Kind);
    }
}
