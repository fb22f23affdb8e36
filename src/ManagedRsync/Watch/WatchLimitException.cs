namespace ManagedRsync.Watch;

/// <summary>
/// A kernel inotify limit was hit. <see cref="LimitPath"/> is the /proc/sys/fs/inotify file to raise and
/// <see cref="Needed"/> how many the tree needs (0 when not known).
/// </summary>
public sealed class WatchLimitException : RsyncException
{
    /// <summary>The limit at <paramref name="limitPath"/> was hit; the tree needs <paramref name="needed"/>.</summary>
    public WatchLimitException(string limitPath, long needed, string message)
        : base(RsyncErrorKind.FileIo, message)
    {
        LimitPath = limitPath;
        Needed = needed;
    }

    /// <summary>The /proc/sys/fs/inotify file to raise.</summary>
    public string LimitPath { get; }
    /// <summary>How many the tree needs; 0 when not known.</summary>
    public long Needed { get; }
}
