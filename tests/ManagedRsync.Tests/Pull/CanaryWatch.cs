using System.Text;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Records every access to the sandbox's "outside" directory and its canary through inotify while a hostile test
/// runs: the disclosure class (CVE-2024-12086: a receiver tricked into reading a file outside its destination and
/// sending sums of it) is about reads, which leave the canary unchanged, so "unchanged" alone proves nothing.
/// IN_OPEN and IN_ACCESS on the canary, and IN_OPEN on the directory (a listing), are what must never happen.
/// </summary>
internal sealed class CanaryWatch : IDisposable
{
    private const InotifyMask Watched = InotifyMask.IN_ALL_EVENTS;
    private readonly InotifyInstance _inotify = new();
    private readonly List<string> _seen = [];

    public CanaryWatch(string outsideDirectory)
    {
        int wd = _inotify.TryAddWatch(Encoding.UTF8.GetBytes(outsideDirectory), Watched | InotifyMask.IN_ONLYDIR, out int errno);
        Assert.True(wd >= 0, $"inotify_add_watch({outsideDirectory}) failed with errno {errno}");
    }

    /// <summary>
    /// Fails if anything opened, read, listed or changed the outside directory or the canary since the watch began.
    /// The kernel queues an event when the access happens, so reading the queue after the pull sees all of them.
    /// </summary>
    public void AssertNothingTouched()
    {
        while (_inotify.WaitAndRead(timeoutMs: 0) is { IsEmpty: false } batch)
        {
            foreach (var e in new InotifyEventEnumerator(batch))
                _seen.Add($"{InotifyEventNames.ToString(e.Mask)} {(e.Name.IsEmpty ? "(the directory)" : Encoding.UTF8.GetString(e.Name))}");
        }
        Assert.True(_seen.Count == 0, "the outside directory was accessed during the test: " + string.Join("; ", _seen));
    }

    public void Dispose() => _inotify.Dispose();
}
