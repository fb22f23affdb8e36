namespace ManagedRsync.Watch;

/// <summary>The per-user inotify limits of /proc/sys/fs/inotify (inotify(7), "/proc interfaces").</summary>
public sealed record InotifyLimits(long MaxUserWatches, long MaxUserInstances, long MaxQueuedEvents)
{
    /// <summary>The file of the per-user watch limit.</summary>
    public const string MaxUserWatchesPath = "/proc/sys/fs/inotify/max_user_watches";
    /// <summary>The file of the per-user instance limit.</summary>
    public const string MaxUserInstancesPath = "/proc/sys/fs/inotify/max_user_instances";
    /// <summary>The file of the per-instance event queue limit.</summary>
    public const string MaxQueuedEventsPath = "/proc/sys/fs/inotify/max_queued_events";

    /// <summary>The limits in force now (-1 for one that cannot be read).</summary>
    public static InotifyLimits Current() =>
        new(Read(MaxUserWatchesPath), Read(MaxUserInstancesPath), Read(MaxQueuedEventsPath));

    /// <summary>The value in a /proc file, or -1 when it cannot be read.</summary>
    public static long Read(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).AsSpan().Trim(), out long v) ? v : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
