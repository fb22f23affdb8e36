namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// Interop test classes marked <c>[Collection(RsyncDaemonCollection.Name)]</c> share one stock daemon and take
/// <see cref="RsyncDaemonFixture"/> in their constructor. Tests in one collection run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RsyncDaemonCollection : ICollectionFixture<RsyncDaemonFixture>
{
    public const string Name = "stock rsync daemon";
}
