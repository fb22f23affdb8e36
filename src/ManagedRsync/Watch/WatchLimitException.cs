namespace ManagedRsync.Watch;

/// <summary>
/// A kernel inotify limit was hit. <see cref="LimitPath"/> is the /proc/sys/fs/inotify file to raise and
/// <see cref="Needed"/> how many the tree needs (0 when not known).
/// </summary>
public sealed class WatchLimitException : RsyncException
{
    public WatchLimitException(string limitPath, long needed, string message)
        : base(RsyncErrorKind.FileIo, RsyncExitCode.FileIo, message)
    {
        LimitPath = limitPath;
        Needed = needed;
    }

    public string LimitPath { get; }
    public long Needed { get; }
}
