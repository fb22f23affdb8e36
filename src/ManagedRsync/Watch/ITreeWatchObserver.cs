using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// Receives what a <see cref="TreeWatcher"/> sees, on its reader thread (keep the calls short; the kernel queue
/// fills while they run).
/// </summary>
public interface ITreeWatchObserver
{
    /// <summary>A kernel event for an entry of the watched directory <paramref name="directory"/> (raw, unfiltered).</summary>
    void OnEvent(RawPath directory, in InotifyEvent e)
    {
    }

    /// <summary>A change to replicate.</summary>
    void OnChange(in WatchChange change);

    /// <summary>Something the user must know about (permission denied, watch limit, root gone); the watcher goes on.</summary>
    void OnWarning(string message);

    /// <summary>
    /// A directory could not be read (permission denied: reported once, skipped, not watched) or, with
    /// <paramref name="denied"/> false, is readable again or gone from the tree.
    /// </summary>
    void OnAccessChanged(RawPath directory, bool denied)
    {
    }

    /// <summary>A batch of kernel events (one read) has been handled; a good moment to flush.</summary>
    void OnIdle()
    {
    }
}
