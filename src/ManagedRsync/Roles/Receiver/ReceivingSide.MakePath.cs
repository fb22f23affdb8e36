using System.Runtime.InteropServices;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Receiver;

// rsync main.c: get_local_name with --mkpath, and util1.c: make_path (protocol-notes 29).
internal sealed partial class ReceivingSide
{
    /// <summary>
    /// --mkpath: when the destination is missing and names a directory path (a '/' in it, or more than one entry to
    /// receive), its missing directories are made first: all of them when the list has several entries and no
    /// trailing '/', else all but the last component (that one is the lone file's name, or the directory
    /// get_local_name makes itself). "created N director(y|ies) for PATH" follows with -v or -i; a dry run only counts
    /// them. The destination is the local user's own argument, so it is made through the path as given.
    /// </summary>
    private void MakeDestinationPath(string destination)
    {
        if (!_options.MakePath || NativeStat.TryStat(destination, out _) == 0)
            return;
        int lastSlash = destination.LastIndexOf('/');
        int count = _run.FileTotal;
        bool trailingSlash = lastSlash >= 0 && lastSlash == destination.Length - 1;
        if (lastSlash < 0 && count <= 1)
            return;
        bool dropName = count <= 1 || trailingSlash;
        int made = MakePath(destination, dropName, _options.DryRun, out int errno);
        if (made < 0)
        {
            string full = destination.StartsWith('/') ? destination : Directory.GetCurrentDirectory().TrimEnd('/') + "/" + destination;
            throw new RsyncException(RsyncErrorKind.FileIo,
                $"mkdir \"{full}\" failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
        }
        if (made > 0 && ItemLog.IsLogging(_options) && _options.ReportsCreatedDirectory)
        {
            string shown = _target.DisplayDestination ?? destination;
            int cut = shown.LastIndexOf('/');
            if (cut >= 0 && dropName)
                shown = shown[..cut];
            _run.Log.Info($"created {made} director{(made == 1 ? "y" : "ies")} for {shown}");
        }
    }

    /// <summary>
    /// util1.c: make_path — finds the deepest directory of <paramref name="path"/> that exists (trying mkdir from
    /// the deepest one up, or stat in a dry run), then makes every one below it (mode 0777 less the umask).
    /// Returns how many were (or would be) made, or -1 with <paramref name="errno"/> set.
    /// </summary>
    private static int MakePath(string path, bool dropName, bool dryRun, out int errno)
    {
        errno = 0;
        while (path.StartsWith("./", StringComparison.Ordinal))
            path = path[2..];
        int end = path.Length;
        if (dropName)
        {
            end = path.LastIndexOf('/');
            if (end <= 0)
                return 0;
        }
        // The prefixes ending at each component boundary, shortest first ("/" itself is taken as there).
        var ends = new List<int>();
        for (int i = 1; i < end; i++)
        {
            if (path[i] == '/' && path[i - 1] != '/')
                ends.Add(i);
        }
        ends.Add(end);

        int level = ends.Count - 1, made = 0;
        for (; level >= 0; level--)
        {
            string prefix = path[..ends[level]];
            int err = dryRun ? DirectoryState(prefix) : TryMkdir(prefix);
            if (err == 0)
            {
                made = 1;
                break;
            }
            if (err == Interop.ENOENT)
                continue;
            if (err == Interop.EEXIST && DirectoryState(prefix) == Interop.EEXIST)
                break;
            errno = err;
            return -1;
        }
        for (level++; level < ends.Count; level++)
        {
            if (dryRun)
            {
                made++;
                continue;
            }
            int err = TryMkdir(path[..ends[level]]);
            if (err != 0)
            {
                errno = err;
                return -1;
            }
            made++;
        }
        return made;
    }

    private static int TryMkdir(string path) =>
        Interop.MkdirAt(Interop.AT_FDCWD, path, 0x1FF /* ACCESSPERMS; the umask applies */) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>EEXIST for a directory, ENOTDIR for anything else, or stat's errno.</summary>
    private static int DirectoryState(string path)
    {
        int err = NativeStat.TryStat(path, out NativeStat.Info info);
        if (err != 0)
            return err;
        return ((uint)info.Mode & Interop.S_IFMT) == Interop.S_IFDIR ? Interop.EEXIST : Interop.ENOTDIR;
    }
}
