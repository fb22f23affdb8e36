using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// `mrsync doctor [--backend auto|fanotify|inotify] [DIR...]`: which event source `mrsync watch --backend` would use
/// for each tree (and why not fanotify), the /proc/sys/fs/inotify limits (inotify(7)) against what the trees left to
/// inotify need, and the /proc/sys/fs/fanotify limits, with the sysctl lines to raise what is too low. Exit 0 when
/// everything fits, 1 when a limit must be raised or --backend fanotify cannot be had.
/// </summary>
internal static class DoctorCommand
{
    public static int Run(ReadOnlySpan<string> args) => Run(args.ToArray(), Console.Out);

    internal static int Run(string[] args, TextWriter o)
    {
        WatchBackend backend = WatchBackend.Auto;
        var dirs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = LongOption.Split(args[i], out string? inline);
            if (a == "--backend")
            {
                string value = inline ?? (++i < args.Length ? args[i] : "");
                if (!WatchConfig.TryParseBackend(value, out backend))
                {
                    o.WriteLine($"mrsync doctor: --backend must be auto, fanotify or inotify, not '{value}'");
                    return (int)RsyncExitCode.Syntax;
                }
            }
            else
                dirs.Add(args[i]);
        }
        return Run(dirs, backend, o);
    }

    private static int Run(List<string> dirs, WatchBackend backend, TextWriter o)
    {
        InotifyLimits limits = InotifyLimits.Current();
        InotifyUsage usage = InotifyUsage.Current();
        o.WriteLine("inotify limits (/proc/sys/fs/inotify, per user; see inotify(7)):");
        o.WriteLine($"  max_user_watches   = {limits.MaxUserWatches,10}   in use now: {usage.Watches} (processes visible to this user)");
        o.WriteLine($"  max_user_instances = {limits.MaxUserInstances,10}   in use now: {usage.Instances} (mrsync watch uses 1)");
        o.WriteLine($"  max_queued_events  = {limits.MaxQueuedEvents,10}   a burst beyond this between two reads overflows; mrsync then rescans and does a full sync");
        o.WriteLine("fanotify limits (/proc/sys/fs/fanotify, per user; see fanotify(7)):");
        o.WriteLine($"  max_queued_events  = {InotifyLimits.Read("/proc/sys/fs/fanotify/max_queued_events"),10}   a burst beyond this between two reads overflows; mrsync then does a full sync");
        o.WriteLine($"  max_user_groups    = {InotifyLimits.Read("/proc/sys/fs/fanotify/max_user_groups"),10}   mrsync watch uses 1");
        o.WriteLine($"  max_user_marks     = {InotifyLimits.Read("/proc/sys/fs/fanotify/max_user_marks"),10}   mrsync watch uses 2 (the file system, the root)");
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
            if (backend != WatchBackend.Inotify)
            {
                string? why = TreeWatcher.ProbeFanotify(dir, out string how);
                if (why is null)
                {
                    o.WriteLine($"{dir}: backend {(backend == WatchBackend.Auto ? "auto -> " : "")}fanotify ({how}): no per-directory watches");
                    continue;
                }
                o.WriteLine(backend == WatchBackend.Fanotify
                    ? $"{dir}: backend fanotify is not possible: {why}"
                    : $"{dir}: backend auto -> inotify, not fanotify: {why}");
                if (backend == WatchBackend.Fanotify)
                {
                    rc = 1;
                    continue;
                }
            }
            else
                o.WriteLine($"{dir}: backend inotify");
            TreeCensus c = TreeCensus.Of(dir);
            needed += c.Directories;
            o.WriteLine($"{dir}: {c.Directories} directories, {c.Files} other entries -> needs {c.Directories} watches (one per directory)"
                + (c.Unreadable > 0 ? $"; {c.Unreadable} directories cannot be read (permission denied?) and will be skipped" : ""));
        }
        if (needed > 0)
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
