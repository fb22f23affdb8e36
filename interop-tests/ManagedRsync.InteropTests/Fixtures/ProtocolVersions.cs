namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>Theory data: every protocol version mrsync speaks, each forced with --protocol.</summary>
public static class ProtocolVersions
{
    public static TheoryData<int> All => new() { 27, 28, 29, 30, 31, 32 };
}
