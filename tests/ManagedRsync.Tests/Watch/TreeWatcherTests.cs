using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

public sealed class TreeWatcherTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly ChangeCollector _seen = new();
    private TreeWatcher? _watcher;

    public void Dispose()
    {
        _watcher?.Dispose();
        _tree.Dispose();
    }

    private TreeWatcher Start(TreeWatcherOptions? options = null)
    {
        _watcher = new TreeWatcher(_tree.Root, options ?? new TreeWatcherOptions(), _seen);
        _watcher.Start();
        return _watcher;
    }

    [Fact]
    public void ReportsCreateWriteAndClose()
    {
        Start();
        using (FileStream f = File.Create(_tree["a.txt"]))
        {
            f.Write("hello"u8);
            f.Flush();
            _seen.WaitFor(s => s.Saw(ChangeKind.Writing, "a.txt"), "IN_MODIFY while open");
        }
        _seen.WaitFor(s => s.Changes.Count(c => c.Kind == ChangeKind.Changed && c.Path.Latin1 == "a.txt") >= 2, "create + close-write");
    }

    [Fact]
    public void MkdirPThenImmediateWritesAreAllSeen()
    {
        Start();
        string deep = _tree["x/y/z"];
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "f1"), "1");
        File.WriteAllText(_tree["x/y/f2"], "2");
        _seen.WaitFor(s => s.Saw(ChangeKind.Changed, "x/y/z/f1") && s.Saw(ChangeKind.Changed, "x/y/f2") && s.Saw(ChangeKind.Changed, "x/y/z"), "files written right after mkdir -p");
        Assert.Equal(4, _watcher!.WatchCount);
    }
}
