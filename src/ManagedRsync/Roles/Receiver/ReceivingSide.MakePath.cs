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
    /// them. A client's destination is the local user's own argument, made through the path as given; a daemon's is
    /// made beneath its module (the target's ModuleRoot).
    /// </summary>
    private void MakeDestinationPath(string destination)
    {
        if (!_options.MakePath)
            return;
        using BeneathRoot? module = _target.ModuleRoot is { } root ? BeneathRoot.Open(root, _target.ModuleName ?? "") : null;
        // A daemon's destination as stock's chdir'd daemon names it: relative to the module, sanitized.
        string path = module is null ? destination : _target.DisplayDestination ?? ".";
        Func<string, int> state = module is null ? DirectoryState : p => DirectoryState(module, p);
        int there = module is null ? NativeStat.TryStat(path, out _) : module.LinkStat(path, follow: true, out _, out _);
        if (there == 0)
            return;
        int lastSlash = path.LastIndexOf('/');
        int count = _run.FileTotal;
        bool trailingSlash = lastSlash >= 0 && lastSlash == path.Length - 1;
        if (lastSlash < 0 && count <= 1)
            return;
        bool dropName = count <= 1 || trailingSlash;
        Func<string, int> mkdir = module is null ? TryMkdir : p => module.MakeDirectory(p, AccessPerms);
        int made = MakePath(path, dropName, _options.DryRun, mkdir, state, out int errno);
        if (made < 0)
            throw new RsyncException(RsyncErrorKind.FileIo, DestinationFailure("mkdir", destination, errno, keepSlash: true));
        if (made > 0 && ItemLog.IsLogging(_options) && _options.ReportsCreatedDirectory)
        {
            string shown = _target.DisplayDestination ?? destination;
            int cut = shown.LastIndexOf('/');
            if (cut >= 0 && dropName)
                shown = shown[..cut];
            _run.Log.Info($"created {made} director{(made == 1 ? "y" : "ies")} for {shown}");
        }
    }

    private const uint AccessPerms = 0x1FF; // ACCESSPERMS; the umask applies

    /// <summary>
    /// main.c: get_local_name's "mkdir %s failed" (RERR_FILEIO) with util1.c: full_fname's name for the destination: a
    /// daemon's relative to its module, "PATH" (in MODULE), anything else from the root ("/cwd/PATH"); a remote
    /// server's line has rsyserr's "rsync: [Receiver] " in front (a client's CLI, a local copy's too, adds its own).
    /// make_path's failure names the destination as given (<paramref name="keepSlash"/>), the destination's own mkdir
    /// without its trailing '/'.
    /// </summary>
    private string DestinationFailure(string what, string destination, int errno, bool keepSlash)
    {
        bool module = _target.ModuleRoot is not null;
        string path = module ? _target.DisplayDestination ?? "." : destination;
        if (!keepSlash && path.Length > 1)
            path = path.TrimEnd('/');
        string named = module ? $"\"{FileNameEncoding.Display((_target.ModuleSlashAtTop && !path.StartsWith('/') ? "/" : "") + path)}\" (in {_target.ModuleName})"
            : $"\"{(path.StartsWith('/') ? path : Directory.GetCurrentDirectory().TrimEnd('/') + "/" + path)}\"";
        return $"{(_run.IsServer && !_run.LocalServer ? "rsync: [Receiver] " : "")}{what} {named} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})";
    }

    /// <summary>
    /// util1.c: make_path — finds the deepest directory of <paramref name="path"/> that exists (trying
    /// <paramref name="mkdir"/> from the deepest one up, or in a dry run <paramref name="state"/>, stock's stat), then
    /// makes every one below it. Returns how many were (or would be) made, or -1 with <paramref name="errno"/> set.
    /// </summary>
    private static int MakePath(string path, bool dropName, bool dryRun, Func<string, int> mkdir, Func<string, int> state, out int errno)
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
            int err = dryRun ? state(prefix) : mkdir(prefix);
            if (err == 0)
            {
                made = 1;
                break;
            }
            if (err == Interop.ENOENT)
                continue;
            if (err == Interop.EEXIST && state(prefix) == Interop.EEXIST)
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
            int err = mkdir(path[..ends[level]]);
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
        Interop.MkdirAt(Interop.AT_FDCWD, path, AccessPerms) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>EEXIST for a directory, ENOTDIR for anything else, or stat's errno.</summary>
    private static int DirectoryState(string path)
    {
        int err = NativeStat.TryStat(path, out NativeStat.Info info);
        if (err != 0)
            return err;
        return ((uint)info.Mode & Interop.S_IFMT) == Interop.S_IFDIR ? Interop.EEXIST : Interop.ENOTDIR;
    }

    /// <summary>
    /// The same beneath a daemon's module: stat(2) through the links inside it, ELOOP for one that leads out (stock's
    /// get_local_name stats the path as given, and its make_path's mkdirat then fails there: nothing outside is read
    /// to decide).
    /// </summary>
    private static int DirectoryState(BeneathRoot module, string path)
    {
        int err = module.LinkStat(path.Length == 0 ? "." : path, follow: true, out NativeStat.Info info, out _);
        if (err != 0)
            return err;
        return ((uint)info.Mode & Interop.S_IFMT) == Interop.S_IFDIR ? Interop.EEXIST : Interop.ENOTDIR;
    }
}
