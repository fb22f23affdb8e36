using ManagedRsync.Destination;
using ManagedRsync.Filters;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Client;
using ManagedRsync.Transports;
using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// The receiving role as a server (main.c: start_server, do_server_recv) under a client sender, over the in-memory pipe:
/// the server half of the setup, recv_filter_list over the wire (as a daemon or remote-shell server reads it), and
/// local copies at every protocol we speak.
/// </summary>
public sealed class ServerReceiverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-server-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Make(string name, params string[] files) => ScratchTree.Make(_root, name, f => f, files);

    [Fact]
    public async Task Server_reads_the_filter_list_from_the_wire_and_protects_what_it_excludes()
    {
        string src = Make("src", "keep", "skip.tmp", "d/keep");
        string dest = Make("dest", "old.tmp", "gone", "d/gone.tmp");
        var options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Verbose = 1 };
        FilterList filters = new FilterListBuilder().AddExclude("*.tmp").Build();
        // No rules in memory on the server: whatever protects old.tmp came over the wire.
        var (sent, log) = await PipeTransfer.RunAsync(src, dest, options, serverSends: false, filters);

        Assert.Equal(RsyncExitCode.Ok, sent.ExitCode);
        Assert.True(File.Exists(Path.Combine(dest, "old.tmp")), "an excluded name is protected by the rules the client sent");
        Assert.True(File.Exists(Path.Combine(dest, "d", "gone.tmp")));
        Assert.False(File.Exists(Path.Combine(dest, "gone")));
        Assert.False(File.Exists(Path.Combine(dest, "skip.tmp")));
        Assert.Equal("d/keep", File.ReadAllText(Path.Combine(dest, "d", "keep")));
        Assert.Contains("deleting gone", log.All);
        Assert.Equal(1, sent.Stats.DeletedFiles);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(32)]
    public async Task Local_copy_at_each_protocol(int protocol)
    {
        string src = Make("src", "a", "b/c", "b/d/e");
        File.WriteAllBytes(Path.Combine(src, "big"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        string dest = Make("dest", "b/c", "stale");
        var options = TransferOptions.Archive with { Protocol = protocol, Delete = DeleteTiming.Default, WholeFile = false };

        TransferResult result = await RsyncClient.CopyAsync(
            new LocalCopyRequest { Sources = [src + "/"], Destination = dest, Options = options }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(protocol, result.ProtocolVersion);
        Assert.False(File.Exists(Path.Combine(dest, "stale")));
        foreach (string f in new[] { "a", "b/c", "b/d/e", "big" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(src, f)), File.ReadAllBytes(Path.Combine(dest, f)));
        // Nanoseconds travel from protocol 31 (flist.c: XMIT_MOD_NSEC); before, whole seconds.
        DateTime sent = File.GetLastWriteTimeUtc(Path.Combine(src, "big"));
        DateTime got = File.GetLastWriteTimeUtc(Path.Combine(dest, "big"));
        Assert.Equal(protocol >= 31 ? sent : sent.AddTicks(-(sent.Ticks % TimeSpan.TicksPerSecond)), got);
    }
}
