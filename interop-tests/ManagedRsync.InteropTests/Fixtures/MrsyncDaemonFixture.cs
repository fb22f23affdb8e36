namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// `mrsync --daemon --no-detach` on 127.0.0.1 at a free port, serving the same generated rsyncd.conf and modules as
/// <see cref="RsyncDaemonFixture"/> serves with stock rsync: the executable named by MRSYNC_BIN (e.g. the NativeAOT
/// one), else the CLI project's own build of the same configuration (the copy beside these tests is not runnable on
/// its own: its runtimeconfig is the tests').
/// </summary>
public sealed class MrsyncDaemonFixture : RsyncDaemonFixture
{
    public override string DaemonPath => Executable;

    /// <summary>The mrsync executable the daemon fixtures start.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("MRSYNC_BIN") is { Length: > 0 } bin ? bin : BuiltCli();

    internal static string BuiltCli()
    {
        string configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "ManagedRsync.Cli", "bin", configuration, "net10.0", "linux-x64", "mrsync");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"the mrsync CLI is not built ({configuration}): build ManagedRsync.sln, or set MRSYNC_BIN");
    }
}

[CollectionDefinition(Name)]
public sealed class MrsyncDaemonCollection : ICollectionFixture<MrsyncDaemonFixture>
{
    public const string Name = "mrsync daemon";
}
