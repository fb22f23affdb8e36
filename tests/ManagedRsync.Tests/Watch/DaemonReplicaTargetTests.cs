using ManagedRsync.Daemon;
using ManagedRsync.Platform;
using ManagedRsync.Client;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>How a batch becomes push requests (the push itself is exercised by the wire engineer's interop tests).</summary>
public sealed class DaemonReplicaTargetTests : IDisposable
{
    private readonly TempTree _src = new();
    private readonly List<PushRequest> _pushed = [];

    public void Dispose() => _src.Dispose();

    /// <summary>-a --delete as the CLI parses it.</summary>
    private static readonly TransferOptions Deleting = TransferOptions.Archive with { Delete = TransferOptions.Archive.Delete + 1 }; // the first deleting mode, whatever the enum is named

    private DaemonReplicaTarget Target(bool delete) => new("backup", _src.Root, DaemonAddress.Parse("rsync_backup@127.0.0.1::nfsbackup"),
        delete ? Deleting : TransferOptions.Archive, delete, () => "secret", null, (r, _) =>
        {
            _pushed.Add(r);
            return Task.FromResult(new TransferStats());
        });

    [Fact]
    public async Task FullSyncIsOneRecursivePushOfTheSourceContents()
    {
        await Target(delete: true).SyncAsync(ChangeBatch.Full, default);
        PushRequest r = Assert.Single(_pushed);
        Assert.Equal([_src.Root + "/"], r.Sources);
        Assert.Null(r.RelativePaths);
        Assert.True(r.Options.Recursive);
        Assert.Equal(Deleting.Delete, r.Options.Delete);
        Assert.Equal("nfsbackup", r.Destination.Module);
    }

    [Fact]
    public async Task BatchSendsChangedAndMissingPathsThenTrees()
    {
        var batch = new ChangeBatch(false, [RawPath.FromText("a/f"), RawPath.FromText("new dir")], [RawPath.FromText("moved")], [RawPath.FromText("gone")]);
        await Target(delete: true).SyncAsync(batch, default);
        Assert.Equal(2, _pushed.Count);
        Assert.Equal(["a/f", "new dir", "gone"], _pushed[0].RelativePaths);
        Assert.Equal(_src.Root, _pushed[0].SourceRoot);
        Assert.False(_pushed[0].Options.Recursive);
        Assert.True(_pushed[0].Options.DeleteMissingArgs);
        Assert.Equal(["moved"], _pushed[1].RelativePaths);
        Assert.True(_pushed[1].Options.Recursive);
    }

    [Fact]
    public async Task WithoutDeleteNothingIsDeleted()
    {
        var batch = new ChangeBatch(false, [RawPath.FromText("x")], [], [RawPath.FromText("gone")]);
        await Target(delete: false).SyncAsync(batch, default);
        PushRequest r = Assert.Single(_pushed);
        Assert.Equal(["x"], r.RelativePaths);
        Assert.False(r.Options.DeleteMissingArgs);
        Assert.Equal(TransferOptions.Archive.Delete, r.Options.Delete);
    }
}
