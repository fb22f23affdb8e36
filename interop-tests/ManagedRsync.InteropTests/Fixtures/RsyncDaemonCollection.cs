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

/// <summary>
/// A second stock daemon of the same kind, for classes that would otherwise wait in line behind the first collection's
/// 90 classes: one collection runs its tests one after another, and its sum was most of CI's interop time. The
/// long-waiting classes (timeouts, --stop-after's minute, the watch's large trees) are spread over the three.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RsyncDaemonCollectionB : ICollectionFixture<RsyncDaemonFixture>
{
    public const string Name = "stock rsync daemon B";
}

/// <summary>A third stock daemon of the same kind (see <see cref="RsyncDaemonCollectionB"/>).</summary>
[CollectionDefinition(Name)]
public sealed class RsyncDaemonCollectionC : ICollectionFixture<RsyncDaemonFixture>
{
    public const string Name = "stock rsync daemon C";
}
