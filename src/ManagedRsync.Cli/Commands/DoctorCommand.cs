using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// `mrsync doctor [DIR...]`: the /proc/sys/fs/inotify limits (inotify(7)) against what the given trees need, with the
/// sysctl lines to raise what is too low. Exit 0 when everything fits, 1 when a limit must be raised.
/// </summary>
internal static class DoctorCommand
{
    public static int Run(ReadOnlySpan<string> args) => Run(args.ToArray(), Console.Out);

    internal static int Run(string[] dirs, TextWriter o)
    {
        InotifyLimits limits = InotifyLimits.Current();
        InotifyUsage usage = InotifyUsage.Current();
        o.WriteLine("inotify limits (/proc/sys/fs/inotify, per user; see inotify(7)):");
        o.WriteLine($"  max_user_watches   = {limits.MaxUserWatches,10}   in use now: {usage.Watches} (processes visible to this user)");
        o.WriteLine($"  max_user_instances = {limits.MaxUserInstances,10}   in use now: {usage.Instances} (mrsync watch uses 1)");
        o.WriteLine($"  max_queued_events  = {limits.MaxQueuedEvents,10}   a burst beyond this between two reads overflows; mrsync then rescans and does a full sync");
        int rc = 0;
        long needed = 0;
        foreach (string dir in dirs)
        {
            if (!Directory.Exists(dir))
            {
                o.WriteLine($"{dir}: not a directory");
                rc = 1;
                continue;
            }
            TreeCensus c = TreeCensus.Of(dir);
            needed += c.Directories;
            o.WriteLine($"{dir}: {c.Directories} directories, {c.Files} other entries -> needs {c.Directories} watches (one per directory)"
                + (c.Unreadable > 0 ? $"; {c.Unreadable} directories cannot be read (permission denied?) and will be skipped" : ""));
        }
        if (dirs.Length > 0)
        {
            long free = limits.MaxUserWatches - usage.Watches;
            if (needed <= free)
                o.WriteLine($"OK: {needed} watches fit; {free - needed} left under max_user_watches.");
            else
            {
                long suggest = Math.Max(65536, (usage.Watches + needed) * 2);
                o.WriteLine($"TOO LOW: {needed} watches needed but only {free} are free under max_user_watches. Raise it:");
                o.WriteLine($"  sysctl -w fs.inotify.max_user_watches={suggest}");
                o.WriteLine($"  echo fs.inotify.max_user_watches={suggest} > /etc/sysctl.d/90-mrsync.conf");
                o.WriteLine("  (each watch pins its directory's inode: 1-2 KiB of unswappable kernel memory on 64-bit, fs/notify/inotify/inotify_user.c)");
                rc = 1;
            }
        }
        if (limits.MaxUserInstances - usage.Instances < 1)
        {
            o.WriteLine("TOO LOW: no inotify instance is free. Raise it:");
            o.WriteLine($"  sysctl -w fs.inotify.max_user_instances={Math.Max(1024, limits.MaxUserInstances * 2)}");
            rc = 1;
        }
        if (limits.MaxQueuedEvents < 65536)
            o.WriteLine($"Suggested for bursty trees (fewer overflows and full syncs): sysctl -w fs.inotify.max_queued_events=65536");
        return rc;
    }
}
