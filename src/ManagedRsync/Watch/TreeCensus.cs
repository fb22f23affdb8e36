using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>What a tree needs from inotify: one watch per directory (symlinks not followed).</summary>
public readonly record struct TreeCensus(long Directories, long Files, long Unreadable)
{
    /// <summary>Counts the tree under <paramref name="root"/>.</summary>
    public static TreeCensus Of(string root)
    {
        long dirs = 0, files = 0, unreadable = 0;
        var pending = new Stack<byte[]>();
        pending.Push(System.Text.Encoding.UTF8.GetBytes(root.Length > 1 ? root.TrimEnd('/') : root));
        while (pending.Count > 0)
        {
            byte[] dir = pending.Pop();
            dirs++;
            int errno = RawDirectory.List(dir, (name, type) =>
            {
                byte[] child = [.. dir, (byte)'/', .. name];
                if (type == EntryType.Directory || (type == EntryType.Unknown && RawDirectory.IsDirectory(child)))
                    pending.Push(child);
                else
                    files++;
            });
            if (errno != 0)
                unreadable++;
        }
        return new TreeCensus(dirs, files, unreadable);
    }
}

/// <summary>inotify instances and watches in use now, from /proc/*/fdinfo (visible processes only).</summary>
public readonly record struct InotifyUsage(long Instances, long Watches)
{
    /// <summary>The usage now, counted over the processes this one can see.</summary>
    public static InotifyUsage Current()
    {
        long instances = 0, watches = 0;
        foreach (string proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _))
                continue;
            try
            {
                foreach (string fd in Directory.EnumerateFiles(Path.Combine(proc, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget != "anon_inode:inotify")
                        continue;
                    instances++;
                    // fdinfo(5): one "inotify wd:..." line per watch.
                    foreach (string line in File.ReadLines(Path.Combine(proc, "fdinfo", Path.GetFileName(fd))))
                    {
                        if (line.StartsWith("inotify wd:", StringComparison.Ordinal))
                            watches++;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A process that exited or is not ours.
            }
        }
        return new InotifyUsage(instances, watches);
    }
}
