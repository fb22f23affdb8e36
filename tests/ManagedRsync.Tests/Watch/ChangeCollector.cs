using System.Collections.Concurrent;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>Records what a real <see cref="TreeWatcher"/> reports, and waits (bounded) for an expected change.</summary>
internal sealed class ChangeCollector : ITreeWatchObserver
{
    private readonly ConcurrentQueue<WatchChange> _changes = new();
    private readonly ConcurrentQueue<string> _warnings = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyCollection<WatchChange> Changes => _changes;
    public IReadOnlyCollection<string> Warnings => _warnings;

    public void OnChange(in WatchChange change)
    {
        _changes.Enqueue(change);
        _signal.Release();
    }

    public void OnWarning(string message)
    {
        _warnings.Enqueue(message);
        _signal.Release();
    }

    /// <summary>Waits until <paramref name="done"/> holds; fails the test after a generous bound (not a timing assertion).</summary>
    public void WaitFor(Func<ChangeCollector, bool> done, string what)
    {
        DateTime until = DateTime.UtcNow.AddSeconds(20);
        while (!done(this))
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"never saw {what}; saw: {string.Join(", ", _changes.Select(c => $"{c.Kind} {c.Path}"))}; warnings: {string.Join(" | ", _warnings)}");
            _signal.Wait(TimeSpan.FromMilliseconds(200));
        }
    }

    public bool Saw(ChangeKind kind, string path) => _changes.Any(c => c.Kind == kind && c.Path.Text == RawPath.FromText(path).Text);
}
