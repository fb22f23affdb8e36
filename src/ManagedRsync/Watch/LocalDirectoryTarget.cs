using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// A replica in a local directory (`mrsync watch SRC/ /some/dir`), also the stand-in target of the watcher's tests.
/// Files are written to a temporary name and renamed into place with the source's mtime and mode; an unchanged file
/// (same size and mtime, rsync's quick check) is skipped; symlinks are copied as symlinks and never followed on either
/// side. Deletions follow <see cref="LocalDeletions"/>: rsync's --delete-WHEN moment, extraneous entries or only the
/// deleted paths (--delete-missing-args), and the receiver's view of the rules (a protected or, without
/// --delete-excluded, an excluded name is kept). It works through the BCL's UTF-8 paths, so a name that is not valid
/// UTF-8 is reported and skipped here (the daemon target sends raw names).
/// </summary>
public sealed class LocalDirectoryTarget : IReplicaTarget
{
    private const string TempSuffix = ".mrsync-tmp";
    private readonly string _source;
    private readonly string _dest;
    private readonly LocalDeletions _deletions;
    private readonly Func<RawPath, bool, bool>? _exclude;
    private readonly Func<RawPath, bool, bool>? _keep;
    private readonly Action<string> _warn;
    private readonly Action<string>? _item;
    private List<(string Path, string Line)>? _deferred;

    /// <param name="source">The watched tree.</param>
    /// <param name="dest">The replica directory.</param>
    /// <param name="delete">Propagate deletions, as rsync --delete does (during the walk).</param>
    /// <param name="exclude">The filter rules' verdict on a tree-relative path (path, is directory).</param>
    /// <param name="warn">Receives what could not be copied.</param>
    /// <param name="name">The replica's name in messages.</param>
    /// <param name="item">Receives one line per entry copied or deleted, as rsync -v names them ("dir/", "deleting x").</param>
    public LocalDirectoryTarget(string source, string dest, bool delete, Func<RawPath, bool, bool>? exclude = null, Action<string>? warn = null,
        string? name = null, Action<string>? item = null)
        : this(source, dest, delete ? LocalDeletions.During : LocalDeletions.None, exclude, exclude, warn, name, item)
    {
    }

    /// <param name="source">The watched tree.</param>
    /// <param name="dest">The replica directory.</param>
    /// <param name="deletions">Which deletions happen and when.</param>
    /// <param name="exclude">The sender's verdict on a tree-relative path: not copied.</param>
    /// <param name="keep">The receiver's verdict: never deleted (rsync's receiver-side rules: protect, and excludes
    /// unless --delete-excluded).</param>
    /// <param name="warn">Receives what could not be copied.</param>
    /// <param name="name">The replica's name in messages.</param>
    /// <param name="item">Receives one line per entry copied or deleted, as rsync -v names them.</param>
    public LocalDirectoryTarget(string source, string dest, LocalDeletions deletions, Func<RawPath, bool, bool>? exclude,
        Func<RawPath, bool, bool>? keep, Action<string>? warn = null, string? name = null, Action<string>? item = null)
    {
        _item = item;
        _source = Path.GetFullPath(source);
        _dest = Path.GetFullPath(dest);
        _deletions = deletions;
        _exclude = exclude;
        _keep = keep;
        _warn = warn ?? (_ => { });
        Name = name ?? dest;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var totals = new Totals();
            if (!Directory.Exists(_source))
                throw new RsyncException(RsyncErrorKind.FileIo, RsyncExitCode.FileSelect, $"source {_source} is missing; not syncing");
            Directory.CreateDirectory(_dest);
            // rsync --delete-after/--delete-delay: deletions wait until the transfers are done (generator.c:
            // do_delete_pass after the walk, or the delayed list); --delete-before: a pass before any transfer.
            _deferred = _deletions.Timing == DeleteMoment.After ? [] : null;
            if (batch.FullSync)
            {
                if (_deletions.Timing == DeleteMoment.Before && _deletions.Extraneous)
                    MirrorTree("", totals, cancellationToken, deleteOnly: true);
                MirrorTree("", totals, cancellationToken);
                RunDeferred();
                return totals.Result;
            }
            if (_deletions.Listed)
            {
                foreach (RawPath p in batch.Delete)
                {
                    if (Utf8(p) is { } rel && !Exists(Path.Combine(_source, rel)) && Exists(Path.Combine(_dest, rel)))
                        Delete(Path.Combine(_dest, rel), "deleting " + rel);
                }
            }
            if (_deletions.Timing == DeleteMoment.Before && _deletions.Extraneous)
            {
                foreach (RawPath p in batch.SendTrees)
                {
                    if (Utf8(p) is { } rel && IsRealDirectory(Path.Combine(_source, rel)))
                        MirrorTree(rel, totals, cancellationToken, deleteOnly: true);
                }
            }
            foreach (RawPath p in batch.Send)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Utf8(p) is { } rel)
                    SendEntry(rel, totals);
            }
            foreach (RawPath p in batch.SendTrees)
            {
                if (Utf8(p) is { } rel)
                {
                    SendEntry(rel, totals);
                    if (IsRealDirectory(Path.Combine(_source, rel)))
                        MirrorTree(rel, totals, cancellationToken);
                }
            }
            RunDeferred();
            return totals.Result;
        }, cancellationToken);

    private void Delete(string path, string line)
    {
        if (_deferred is not null)
        {
            _deferred.Add((path, line));
            return;
        }
        DeleteEntry(path);
        _item?.Invoke(line);
    }

    private void RunDeferred()
    {
        if (_deferred is null)
            return;
        foreach ((string path, string line) in _deferred)
        {
            DeleteEntry(path);
            _item?.Invoke(line);
        }
        _deferred = null;
    }

    private sealed class Totals
    {
        public long Files;
        public long Bytes;
        public SyncResult Result => new(Files, Bytes);
    }

    private string? Utf8(RawPath p)
    {
        if (p.TryGetUtf8(out string s))
            return s;
        _warn($"{Name}: skipping {p}: the name is not valid UTF-8 (a local replica cannot name it)");
        return null;
    }

    // deleteOnly: rsync --delete-before's pass, which removes extraneous entries and copies nothing.
    private void MirrorTree(string rel, Totals totals, CancellationToken ct, bool deleteOnly = false)
    {
        var pending = new Stack<string>();
        pending.Push(rel);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            string dir = pending.Pop();
            string src = Path.Combine(_source, dir);
            string dst = Path.Combine(_dest, dir);
            if (deleteOnly && !IsRealDirectory(dst))
                continue;
            if (!deleteOnly)
                EnsureDirectory(dir);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(src).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }).ToList();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                _warn($"{Name}: cannot list {src}: {ex.Message}; skipped");
                continue;
            }
            var wanted = new List<(string Child, bool IsDir)>();
            foreach (FileSystemInfo e in entries)
            {
                string child = dir.Length == 0 ? e.Name : dir + "/" + e.Name;
                bool isDir = e is DirectoryInfo && e.LinkTarget is null;
                if (_exclude?.Invoke(RawPath.FromUtf8(child), isDir) == true)
                    continue;
                seen.Add(e.Name);
                wanted.Add((child, isDir));
            }
            // rsync generator.c: with --delete(-during) a directory's extraneous entries go when the walk reaches it,
            // before its contents are transferred (delete_in_dir); --delete-before did it in its own pass.
            bool deleteHere = _deletions.Extraneous && (deleteOnly || _deletions.Timing != DeleteMoment.Before);
            if (deleteHere && Directory.Exists(dst))
            {
                foreach (FileSystemInfo d in new DirectoryInfo(dst).EnumerateFileSystemInfos())
                {
                    string child = dir.Length == 0 ? d.Name : dir + "/" + d.Name;
                    bool isDir = d is DirectoryInfo && d.LinkTarget is null;
                    if (!seen.Contains(d.Name) && !d.Name.EndsWith(TempSuffix, StringComparison.Ordinal)
                        && _keep?.Invoke(RawPath.FromUtf8(child), isDir) != true)
                        Delete(d.FullName, "deleting " + child + (isDir ? "/" : ""));
                }
            }
            foreach ((string child, bool isDir) in wanted)
            {
                if (!deleteOnly)
                    SendEntry(child, totals);
                if (isDir)
                    pending.Push(child);
            }
        }
    }

    /// <summary>Makes the replica's entry match the source's, without recursing; a vanished source entry is deleted.</summary>
    private void SendEntry(string rel, Totals totals)
    {
        string src = Path.Combine(_source, rel);
        string dst = Path.Combine(_dest, rel);
        var info = new FileInfo(src);
        try
        {
            if (info.LinkTarget is { } target)
            {
                EnsureParent(rel);
                var existing = new FileInfo(dst);
                if (existing.LinkTarget == target)
                    return;
                DeleteEntry(dst);
                File.CreateSymbolicLink(dst, target);
                totals.Files++;
                _item?.Invoke($"{rel} -> {target}");
            }
            else if (Directory.Exists(src))
            {
                EnsureDirectory(rel);
                if (OperatingSystem.IsLinux())
                    File.SetUnixFileMode(dst, File.GetUnixFileMode(src));
                Directory.SetLastWriteTimeUtc(dst, Directory.GetLastWriteTimeUtc(src));
            }
            else if (info.Exists)
            {
                CopyFile(info, rel, dst, totals);
            }
            else if (_deletions.Listed && Exists(dst))
            {
                Delete(dst, "deleting " + rel); // vanished since the event
            }
        }
        catch (FileNotFoundException)
        {
            // Vanished while copying; its delete event follows.
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (UnauthorizedAccessException ex)
        {
            _warn($"{Name}: cannot send {rel}: {ex.Message}");
        }
    }

    private void CopyFile(FileInfo src, string rel, string dst, Totals totals)
    {
        var existing = new FileInfo(dst);
        if (existing.Exists && existing.LinkTarget is null && existing.Length == src.Length && existing.LastWriteTimeUtc == src.LastWriteTimeUtc)
        {
            if (OperatingSystem.IsLinux() && File.GetUnixFileMode(dst) != src.UnixFileMode)
                File.SetUnixFileMode(dst, src.UnixFileMode);
            return;
        }
        EnsureParent(rel);
        if (Directory.Exists(dst) && new FileInfo(dst).LinkTarget is null)
            DeleteEntry(dst);
        string tmp = Path.Combine(Path.GetDirectoryName(dst)!, "." + Path.GetFileName(dst) + TempSuffix);
        DateTime mtime = src.LastWriteTimeUtc;
        long bytes;
        using (var input = new FileStream(src.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            input.CopyTo(output);
            bytes = output.Length;
        }
        File.SetLastWriteTimeUtc(tmp, mtime);
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(tmp, src.UnixFileMode);
        File.Move(tmp, dst, overwrite: true);
        totals.Files++;
        _item?.Invoke(rel);
        totals.Bytes += bytes;
    }

    /// <summary>Creates the replica directory for <paramref name="rel"/> and its parents, replacing any non-directory (a symlink included) in the way.</summary>
    private void EnsureDirectory(string rel)
    {
        string current = _dest;
        foreach (string part in rel.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null || info.Exists)
                DeleteEntry(current);
            if (!Directory.Exists(current))
                Directory.CreateDirectory(current);
        }
    }

    private void EnsureParent(string rel)
    {
        int slash = rel.LastIndexOf('/');
        if (slash > 0)
            EnsureDirectory(rel[..slash]);
    }

    /// <summary>Removes a file, a symlink (never its target) or a directory tree (symlinks inside are not followed).</summary>
    private static void DeleteEntry(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
            File.Delete(path);
        else if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
    }

    private static bool Exists(string path) => new FileInfo(path) is { } f && (f.Exists || f.LinkTarget is not null || Directory.Exists(path));

    private static bool IsRealDirectory(string path) => Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null;
}
