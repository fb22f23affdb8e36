using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>Everything `mrsync watch` needs besides its targets.</summary>
public sealed class WatchServiceOptions
{
    /// <summary>The directory to replicate.</summary>
    public required string Source { get; init; }
    /// <summary>How changes are coalesced before a push.</summary>
    public CoalescerOptions Batching { get; init; } = new();
    /// <summary>How failed pushes are retried.</summary>
    public ReplicaQueueOptions Retry { get; init; } = new();

    /// <summary>Where the per-target journals and the status file live; null keeps pending changes in memory only.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Paths never watched nor synced (the --exclude rules).</summary>
    public Func<RawPath, bool, bool>? Exclude { get; init; }

    /// <summary>A directory became unreadable (true) or readable again / gone (false): see <see cref="WatchFilter.SetDenied"/>.</summary>
    public Action<RawPath, bool>? AccessChanged { get; init; }

    /// <summary>The kernel event source (`--backend`); with Auto the choice and, when it is inotify, the reason are logged.</summary>
    public WatchBackend Backend { get; init; } = WatchBackend.Inotify;

    /// <summary>fanotify: drop events this process caused (see <see cref="TreeWatcherOptions.IgnoreOwnProcess"/>).</summary>
    public bool IgnoreOwnProcess { get; init; }

    /// <summary>How often the tree is rescanned where events cannot be had (a directory that could not be watched).</summary>
    public TimeSpan FallbackScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest shutdown waits for the pending batch to reach the targets; the journal keeps whatever is left.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the status file is rewritten besides after each batch.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);
}
