using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

public sealed partial class TreeWatcher
{
    private void Handle(in InotifyEvent e)
    {
        InotifyMask m = e.Mask;
        if ((m & InotifyMask.IN_Q_OVERFLOW) != 0)
        {
            // Events were dropped (inotify(7): max_queued_events): directories may have appeared unseen.
            _observer.OnEvent(RawPath.Root, e);
            ResolveUnpairedMove();
            _observer.OnWarning("inotify queue overflowed (raise /proc/sys/fs/inotify/max_queued_events); rescanning the tree and doing a full sync");
            if (!_rootMissing)
                WatchTree(RawPath.Root, report: false);
            Report(ChangeKind.FullRescan, RawPath.Root, true);
            return;
        }
        if (!_wdToPath.TryGetValue(e.Wd, out RawPath dir))
            return; // a watch we already dropped; its queued events are stale
        _observer.OnEvent(dir, e);

        if ((m & InotifyMask.IN_IGNORED) != 0)
        {
            // The watch is gone (rm_watch, directory deleted, filesystem unmounted).
            if (dir.IsRoot)
                RootGone("its watch was removed");
            else if (_pathToWd.TryGetValue(dir, out int wd) && wd == e.Wd)
                Forget(dir, e.Wd);
            return;
        }
        if ((m & InotifyMask.IN_UNMOUNT) != 0)
        {
            _observer.OnWarning($"filesystem under {Display(dir)} was unmounted; doing a full sync");
            Report(ChangeKind.FullRescan, RawPath.Root, true);
            return;
        }
        if (e.Name.IsEmpty)
        {
            // Events on a watched directory itself; its parent reports the same change with a name.
            if (dir.IsRoot && (m & (InotifyMask.IN_DELETE_SELF | InotifyMask.IN_MOVE_SELF)) != 0)
                RootGone((m & InotifyMask.IN_DELETE_SELF) != 0 ? "it was deleted" : "it was moved or renamed");
            else if (dir.IsRoot && (m & InotifyMask.IN_ATTRIB) != 0)
                Report(ChangeKind.Changed, RawPath.Root, true);
            return;
        }

        RawPath path = dir.Child(e.Name);
        bool isDir = e.IsDirectory;
        if ((m & InotifyMask.IN_MOVED_TO) != 0)
        {
            if (_moveFromPending && _moveCookie == e.Cookie)
            {
                _moveFromPending = false;
                MovedWithin(_movePath, path, isDir);
                return;
            }
            ResolveUnpairedMove();
            if (IsExcluded(path, isDir))
                return;
            if (isDir && _options.Recursive)
                WatchTree(path, report: true);
            Report(ChangeKind.Changed, path, isDir);
            return;
        }
        ResolveUnpairedMove();
        if ((m & InotifyMask.IN_MOVED_FROM) != 0)
        {
            _moveFromPending = true;
            _moveCookie = e.Cookie;
            _movePath = path;
            _moveIsDir = isDir;
            return;
        }
        if (IsExcluded(path, isDir))
            return;
        if ((m & InotifyMask.IN_CREATE) != 0)
        {
            Report(ChangeKind.Changed, path, isDir, created: !isDir);
            if (isDir && _options.Recursive)
                WatchTree(path, report: true);
        }
        else if ((m & InotifyMask.IN_DELETE) != 0)
        {
            if (isDir)
                ForgetSubtree(path, removeWatches: false);
            Report(ChangeKind.Deleted, path, isDir);
        }
        else if (isDir && (m & InotifyMask.IN_ATTRIB) != 0 && _denied.Contains(path))
        {
            RetryDenied(path);
        }
        else if ((m & (InotifyMask.IN_CLOSE_WRITE | InotifyMask.IN_ATTRIB)) != 0)
        {
            Report(ChangeKind.Changed, path, isDir);
        }
        else if ((m & InotifyMask.IN_MODIFY) != 0)
        {
            Report(ChangeKind.Writing, path, isDir);
        }
    }

    /// <summary>A rename inside the tree: the old path is gone, the new one must be sent (with its subtree).</summary>
    private void MovedWithin(RawPath from, RawPath to, bool isDir)
    {
        bool fromExcluded = IsExcluded(from, isDir), toExcluded = IsExcluded(to, isDir);
        if (isDir && _options.Recursive && _inotify is not null)
        {
            if (toExcluded)
                ForgetSubtree(from, removeWatches: true);
            else
                MoveSubtree(from, to);
        }
        if (!fromExcluded)
            Report(ChangeKind.Deleted, from, isDir);
        if (toExcluded)
            return;
        Report(ChangeKind.Changed, to, isDir);
        if (isDir)
            Report(ChangeKind.SubtreeDirty, to, true);
    }

    /// <summary>An IN_MOVED_FROM whose IN_MOVED_TO did not follow: the entry left the tree.</summary>
    private void ResolveUnpairedMove()
    {
        if (!_moveFromPending)
            return;
        _moveFromPending = false;
        if (_moveIsDir)
            ForgetSubtree(_movePath, removeWatches: true);
        if (!IsExcluded(_movePath, _moveIsDir))
            Report(ChangeKind.Deleted, _movePath, _moveIsDir);
    }

    private void RootGone(string why)
    {
        if (_rootMissing)
            return;
        _observer.OnWarning($"watched root {Display(RawPath.Root)} is gone ({why}); waiting for it to come back; nothing is deleted on the replicas meanwhile");
        foreach (int wd in _wdToPath.Keys)
            _inotify?.RemoveWatch(wd);
        ForgetDirectories();
        _wdToPath.Clear();
        _pathToWd.Clear();
        _unwatched.Clear();
        _watchCount = _fanotify is null ? 0 : 1;
        _rootMissing = true;
        _nextFallback = Environment.TickCount64 + (long)_options.FallbackScanInterval.TotalMilliseconds;
    }

    private bool IsExcluded(RawPath path, bool isDir) => _options.Exclude is { } f && f(path, isDir);

    private void Report(ChangeKind kind, RawPath path, bool isDir, bool created = false)
    {
        if (_options.ReportChanges)
            _observer.OnChange(new WatchChange(kind, path, isDir, created));
    }

    private string Display(RawPath path) => RawPath.FromBytes(FullPath(path)).ToString();
}
