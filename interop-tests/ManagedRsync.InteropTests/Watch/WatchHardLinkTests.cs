using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// A file with several names changes under all of them, but the kernel names only the one written: without -H each
/// name is its own file on the module, and every one of them must get the change (found by benchmarks/soak.py).
/// </summary>
public abstract class WatchHardLinkTests(RsyncDaemonFixture daemon, string backend) : IDisposable
{
    private readonly WatchScenario _s = new(daemon, backend: backend);

    public void Dispose()
    {
        _s.Dispose();
        GC.SuppressFinalize(this);
    }

    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string R(string name) => Path.Combine(_s.Replica, name);

    private bool BothNamesHold(string content, UnixFileMode? mode = null) =>
        File.Exists(R("sub/h")) && File.ReadAllText(R("f")) == content && File.ReadAllText(R("sub/h")) == content
        && (mode is null || (File.GetUnixFileMode(R("f")) == mode && File.GetUnixFileMode(R("sub/h")) == mode));

    // Each step changes the inode through one name only, so the other name gets no event of its own.
    private async Task ChangeThroughEachNameAsync(bool hardLinks)
    {
        SourceTree.HardLink(_s.P("f"), _s.P("sub/h"));
        File.AppendAllText(_s.P("sub/h"), "through the link\n");
        await Converge.UntilAsync(() => BothNamesHold("first\nthrough the link\n"), "both names hold the write through sub/h",
            () => _s.Explain());
        File.AppendAllText(_s.P("f"), "through the first name\n");
        File.SetUnixFileMode(_s.P("f"), ReadWrite);
        await Converge.UntilAsync(() => BothNamesHold("first\nthrough the link\nthrough the first name\n", ReadWrite),
            "both names hold the write and the chmod through f", () => _s.Explain());
        if (hardLinks)
            await _s.ConvergedAsync(); // TreeAssert also compares the link structure
    }

    [Fact]
    public async Task WithoutHardLinksEveryNameOnTheModuleGetsTheChange()
    {
        Directory.CreateDirectory(_s.P("sub"));
        _s.Write("f", "first\n");
        await _s.StartWatchAsync();
        await _s.ConvergedAsync();

        // -a without -H: two separate files on the module, each with the content and mode of the one inode
        await ChangeThroughEachNameAsync(hardLinks: false);
    }

    [Fact]
    public async Task WithHardLinksTheModuleGetsTheLinkAndTheChange()
    {
        Directory.CreateDirectory(_s.P("sub"));
        _s.Write("f", "first\n");
        await _s.StartWatchAsync("-H");
        await _s.ConvergedAsync();

        // -H: the other name goes in the same push, so the daemon links the two as in the source
        await ChangeThroughEachNameAsync(hardLinks: true);
    }

    // The soak test's finding: the other name's directory moved (link count unchanged), then a write through the first
    // name. The watcher must find the other name where it is now, not where its last walk saw it.
    [Fact]
    public async Task AWriteAfterTheOtherNamesDirectoryMovedReachesItsNewName()
    {
        Directory.CreateDirectory(_s.P("sub"));
        _s.Write("f", "first\n");
        await _s.StartWatchAsync();
        await _s.ConvergedAsync();
        SourceTree.HardLink(_s.P("f"), _s.P("sub/h"));
        File.AppendAllText(_s.P("f"), "before the move\n");
        await Converge.UntilAsync(() => BothNamesHold("first\nbefore the move\n"), "both names hold the first write",
            () => _s.Explain());

        Directory.Move(_s.P("sub"), _s.P("moved"));
        await Converge.UntilAsync(() => File.Exists(R("moved/h")) && !File.Exists(R("sub/h")), "the directory moved on the module",
            () => _s.Explain());
        File.AppendAllText(_s.P("f"), "after the move\n");
        await Converge.UntilAsync(() => File.ReadAllText(R("f")) == "first\nbefore the move\nafter the move\n"
            && File.ReadAllText(R("moved/h")) == "first\nbefore the move\nafter the move\n",
            "moved/h holds the write through f", () => _s.Explain());
    }
}

[Collection(RsyncDaemonCollection.Name)]
public sealed class InotifyWatchHardLinkTests(RsyncDaemonFixture daemon) : WatchHardLinkTests(daemon, "inotify");

[Collection(RsyncDaemonCollection.Name)]
public sealed class FanotifyWatchHardLinkTests(RsyncDaemonFixture daemon) : WatchHardLinkTests(daemon, "fanotify");
