using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// rsync options given to `mrsync watch` reach a stock daemon replica as a push would send them: every --delete form
/// propagates deletions (not only the literal --delete), filter options (-C, -F, -f) leave out on the module exactly
/// what they exclude, and --address binds the connection the daemon sees.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WatchOptionTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly WatchScenario _s = new(daemon);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData("--del")]
    [InlineData("--delete-after")]
    [InlineData("--delete-delay")]
    [InlineData("--delete-missing-args")]
    public async Task AnyDeleteFormPropagatesDeletions(string option)
    {
        _s.Write("doomed.txt", "to be deleted");
        _s.Write("kept.txt", "stays");
        await _s.StartWatchWithAsync(["-a", option]);
        await _s.ConvergedAsync();
        File.Delete(_s.P("doomed.txt"));
        await Converge.UntilAsync(() => !File.Exists(Path.Combine(_s.Replica, "doomed.txt")), "doomed.txt deleted on the module", _s.Explain);
        Assert.True(File.Exists(Path.Combine(_s.Replica, "kept.txt")));
    }

    [Fact]
    public async Task FilterOptionsApplyOnTheModule()
    {
        _s.Write(".rsync-filter", "- secret*\n");
        _s.Write("x.o", "object");
        _s.Write("secret.key", "secret");
        _s.Write("a.tmp", "temporary");
        _s.Write("keep.txt", "kept");
        await _s.StartWatchWithAsync(["-a", "--delete", "-C", "-F", "-f", "- *.tmp", "--address=127.0.0.3"]);
        _s.Write("late.o", "object");
        _s.Write("secret2", "secret");
        _s.Write("late.tmp", "temporary");
        _s.Write("late.txt", "kept");
        await Converge.UntilAsync(() => File.Exists(Path.Combine(_s.Replica, "late.txt")), "late.txt on the module", _s.Explain);
        string[] names = [.. Directory.EnumerateFileSystemEntries(_s.Replica).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];
        Assert.Equal([".rsync-filter", "keep.txt", "late.txt"], names);
        // --address: the daemon logs the connection as coming from the bound address.
        Assert.Matches($@"rsync to {_s.Module}/{_s.Name}/? from \S+ \(127\.0\.0\.3\)", daemon.DaemonLog);
    }
}
