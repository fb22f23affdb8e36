using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>A replica that can be taken down: while down every push fails like an unreachable daemon.</summary>
internal sealed class SwitchableTarget(IReplicaTarget inner) : IReplicaTarget
{
    private volatile bool _down;
    private int _failures;

    public string Name => inner.Name;
    public bool Down { get => _down; set => _down = value; }
    public int Failures => _failures;

    public Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (_down)
        {
            Interlocked.Increment(ref _failures);
            throw new RsyncException(RsyncErrorKind.Connection, "connection refused (test target down)");
        }
        return inner.SyncAsync(batch, cancellationToken);
    }
}
