using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

public sealed partial class TreeWatcher
{
    /// <summary>
    /// Watches <paramref name="top"/> and every directory under it, watch first and listing second so nothing created
    /// in between is missed. With <paramref name="report"/>, every entry found is reported as changed.
    /// </summary>
    private void WatchTree(RawPath top, bool report, bool announceLimit = true)
    {
        _limitHitThisPass = false;
        var pending = new Stack<RawPath>();
        pending.Push(top);
        while (pending.Count > 0)
        {
            RawPath dir = pending.Pop();
            if (_limitHitThisPass)
            {
                _unwatched.Add(dir);
                continue;
            }
            if (!_options.ListBeforeWatch && !AddWatch(dir))
                continue;
            byte[] full = FullPath(dir);
            int errno = RawDirectory.List(full, (name, type) =>
            {
                RawPath child = dir.Child(name);
                bool isDir = type == EntryType.Directory
                    || (type == EntryType.Unknown && RawDirectory.IsDirectory(FullPath(child)));
                if (IsExcluded(child, isDir))
                    return;
                if (report)
                    Report(ChangeKind.Changed, child, isDir);
                if (isDir && _options.Recursive)
                    pending.Push(child);
            });
            if (errno == Interop.EACCES)
                Denied(dir, "cannot list");
            if (_options.ListBeforeWatch)
                _ = AddWatch(dir);
        }
        if (_limitHitThisPass && announceLimit)
            ReportWatchLimit();
    }

    /// <summary>Adds the watch for one directory; false when it cannot be watched (gone, not a directory, denied, limit).</summary>
    private bool AddWatch(RawPath dir)
    {
        int wd, errno;
        try
        {
            if (_options.WatchBudget is { } budget && _watchCount >= budget && !_pathToWd.ContainsKey(dir))
                throw new WatchLimitException(InotifyLimits.MaxUserWatchesPath, 0, "test watch budget reached");
            wd = _inotify!.TryAddWatch(FullPath(dir), _watchMask, out errno);
        }
        catch (WatchLimitException)
        {
            _limitHitThisPass = true;
            _unwatched.Add(dir);
            return false;
        }
        if (wd < 0)
        {
            if (errno == Interop.EACCES)
                Denied(dir, "cannot watch");
            else if (errno is Interop.ENOTDIR or Interop.ELOOP && !dir.IsRoot)
                Report(ChangeKind.Changed, dir, false); // replaced by a file or symlink: send that instead, never follow it
            return false;
        }
        // inotify_add_watch returns the existing descriptor for an inode already watched (a directory we still
        // know under an old name): the new name wins.
        if (_wdToPath.TryGetValue(wd, out RawPath old) && old != dir)
            _pathToWd.Remove(old);
        _wdToPath[wd] = dir;
        _pathToWd[dir] = wd;
        _unwatched.Remove(dir);
        _watchCount = _wdToPath.Count;
        return true;
    }

    /// <summary>A directory we may not read: said once, then left out (the observer keeps it out of pushes too).</summary>
    private void Denied(RawPath dir, string what)
    {
        if (dir.IsRoot || !_denied.Add(dir))
            return;
        _observer.OnWarning($"{what} {Display(dir)}: permission denied; skipped (and kept as it is on the replicas) until its permissions change");
        _observer.OnAccessChanged(dir, true);
    }

    /// <summary>A chmod on an unreadable directory: watch and send it if it can be read now.</summary>
    private void RetryDenied(RawPath dir)
    {
        _denied.Remove(dir);
        WatchTree(dir, report: true);
        if (_denied.Contains(dir))
            return;
        _observer.OnWarning($"{Display(dir)} is readable again; watching and sending it");
        _observer.OnAccessChanged(dir, false);
        Report(ChangeKind.SubtreeDirty, dir, true);
    }

    /// <summary>Unreadable directories at or under <paramref name="top"/> left the tree (deleted, moved out).</summary>
    private void DropDenied(RawPath top)
    {
        if (_denied.Count == 0)
            return;
        foreach (RawPath d in _denied.Where(d => d.IsUnder(top)).ToList())
        {
            _denied.Remove(d);
            _observer.OnAccessChanged(d, false);
        }
    }

    /// <summary>Moves the mapping of a renamed directory and everything under it; the kernel keeps the watches.</summary>
    private void MoveSubtree(RawPath from, RawPath to)
    {
        foreach (RawPath d in _denied.Where(d => d.IsUnder(from)).ToList())
        {
            _denied.Remove(d);
            _observer.OnAccessChanged(d, false);
            RawPath renamed = d.Rebase(from, to);
            _denied.Add(renamed);
            _observer.OnAccessChanged(renamed, true);
        }
        var moved = new List<KeyValuePair<RawPath, int>>();
        foreach (KeyValuePair<RawPath, int> kv in _pathToWd)
        {
            if (kv.Key.IsUnder(from))
                moved.Add(kv);
        }
        if (moved.Count == 0)
        {
            // Not watched yet (e.g. moved from an unwatched or excluded place): watch and send it as new.
            WatchTree(to, report: true);
            return;
        }
        foreach (KeyValuePair<RawPath, int> kv in moved)
            _pathToWd.Remove(kv.Key);
        foreach (KeyValuePair<RawPath, int> kv in moved)
        {
            RawPath p = kv.Key.Rebase(from, to);
            _pathToWd[p] = kv.Value;
            _wdToPath[kv.Value] = p;
        }
        foreach (RawPath u in _unwatched.Where(u => u.IsUnder(from)).ToList())
        {
            _unwatched.Remove(u);
            _unwatched.Add(u.Rebase(from, to));
        }
    }

    /// <summary>Drops the mapping of a directory and its subtree (removing the kernel watches when they still exist).</summary>
    private void ForgetSubtree(RawPath top, bool removeWatches)
    {
        var gone = new List<KeyValuePair<RawPath, int>>();
        foreach (KeyValuePair<RawPath, int> kv in _pathToWd)
        {
            if (kv.Key.IsUnder(top))
                gone.Add(kv);
        }
        foreach (KeyValuePair<RawPath, int> kv in gone)
        {
            if (removeWatches)
                _inotify!.RemoveWatch(kv.Value);
            Forget(kv.Key, kv.Value);
        }
        _unwatched.RemoveWhere(u => u.IsUnder(top));
        DropDenied(top);
    }

    private void Forget(RawPath path, int wd)
    {
        _pathToWd.Remove(path);
        _wdToPath.Remove(wd);
        _watchCount = _wdToPath.Count;
    }

    private void ReportWatchLimit()
    {
        long unwatchedDirs = 0;
        foreach (RawPath u in _unwatched)
            unwatchedDirs += CountDirectories(u);
        long needed = _watchCount + unwatchedDirs;
        UnwatchedSubtrees = _unwatched.Count;
        long max = InotifyLimits.Read(InotifyLimits.MaxUserWatchesPath);
        long suggest = Math.Max(needed * 2, 65536);
        _observer.OnWarning(
            $"inotify watch limit reached: this tree needs {needed} watches (one per directory), {_watchCount} are set; " +
            $"{InotifyLimits.MaxUserWatchesPath} is {max} for all of this user's programs. {_unwatched.Count} subtree(s) " +
            $"holding {unwatchedDirs} directories fall back to a re-send every {_options.FallbackScanInterval.TotalSeconds:0.#} s. " +
            $"Raise it: sysctl -w fs.inotify.max_user_watches={suggest} (and put fs.inotify.max_user_watches={suggest} " +
            "in /etc/sysctl.d/90-mrsync.conf)");
    }

    /// <summary>Directories in a subtree, the subtree itself included (not following symlinks).</summary>
    internal long CountDirectories(RawPath top)
    {
        long count = 0;
        var pending = new Stack<RawPath>();
        pending.Push(top);
        while (pending.Count > 0)
        {
            RawPath dir = pending.Pop();
            count++;
            _ = RawDirectory.List(FullPath(dir), (name, type) =>
            {
                RawPath child = dir.Child(name);
                if (type == EntryType.Directory || (type == EntryType.Unknown && RawDirectory.IsDirectory(FullPath(child))))
                {
                    if (!IsExcluded(child, true))
                        pending.Push(child);
                }
            });
        }
        return count;
    }

    /// <summary>Periodic work: look for a vanished root, retry unwatched subtrees and report them dirty.</summary>
    private void RunFallback()
    {
        _nextFallback = Environment.TickCount64 + (long)_options.FallbackScanInterval.TotalMilliseconds;
        if (_rootMissing)
        {
            if (!RawDirectory.IsDirectory(_root))
                return;
            _rootMissing = false;
            _observer.OnWarning($"watched root {Display(RawPath.Root)} is back; rescanning and doing a full sync");
            if (_fanotify is not null)
                RootBackFanotify();
            else
                WatchTree(RawPath.Root, report: false);
            Report(ChangeKind.FullRescan, RawPath.Root, true);
            return;
        }
        RawPath[] subtrees = [.. _unwatched];
        _unwatched.Clear();
        bool limited = false;
        foreach (RawPath u in subtrees)
        {
            // Retry the watches in case the limit was raised; once it holds again the rest stay in the fallback set.
            if (limited)
                _unwatched.Add(u);
            else
            {
                WatchTree(u, report: false, announceLimit: false);
                limited = _limitHitThisPass;
            }
            Report(ChangeKind.SubtreeDirty, u, true);
        }
        UnwatchedSubtrees = _unwatched.Count;
    }
}
