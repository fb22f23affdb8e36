using System.Runtime.InteropServices;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Sender;

namespace ManagedRsync.Server;

/// <summary>
/// What a sending server sends (rsync main.c: do_server_sender; clientserver.c via io.c: read_args and util1.c:
/// glob_expand_module for a daemon): the paths after ".", a daemon's with the module name taken off, sanitized and
/// wildcard-expanded (<see cref="ServerGlob"/>), each walked beneath the module; none at all with -r/-d means ".".
/// </summary>
internal static class ServerSources
{
    /// <summary>The most bytes of a merge file a client may have a server read.</summary>
    private const int MaxRuleFile = 1 << 20;

    // beneath: the module root a confined server reads beneath (null for a remote-shell server); its arguments are
    // checked, and its files later opened, through this one descriptor.
    public static SendSource Resolve(ServerRequest request, TransferOptions options, ServerSettings settings, BeneathRoot? beneath)
    {
        var paths = new List<string>();
        foreach (string path in request.Paths)
            paths.Add(ServerPaths.WithoutModule(path, settings.ModuleName));
        // main.c: do_server_sender — no path with -r, -d or --list-only sends ".".
        if (paths.Count == 0 && (options.Recursive || options.Dirs || options.Listing))
            paths.Add(".");

        if (!settings.Confined || beneath is null)
        {
            // A remote-shell server: the paths as given, relative to its working directory.
            var rooted = paths.Select(p => Path.IsPathFullyQualified(p) ? p : Path.Join(settings.Root, p) + (p.EndsWith('/') ? "/" : "")).ToList();
            return options.Relative
                ? new SendSource([], settings.Root, paths, null, null, ArgumentRules: request.FilterRules)
                : new SendSource(rooted, null, null, null, null, ArgumentRules: request.FilterRules);
        }

        var relative = new List<string>();
        // util1.c: glob_expand: each path is sanitized and then wildcard-expanded in the module, leaving out what the
        // module's rules exclude.
        FilterMatcher? globFilter = settings.ModuleFilters is { Rules.Count: > 0 } moduleRules
            ? moduleRules.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root })
            : null;
        // main.c: do_server_sender / flist.c: an argument's directories are reached as stock's daemon reaches them,
        // through in-module links too, never out of the module (Platform/BeneathRoot); its last component is the
        // listing's to stat (and follow or not as the options say).
        foreach (string clean in paths.SelectMany(path => ServerGlob.Expand(settings.Root, Sanitize(path, options.Relative),
                     globFilter is null ? null : globFilter.IsExcluded)))
        {
            int err = ReachableBeneath(beneath, clean);
            if (err != 0)
                throw new RsyncException(RsyncErrorKind.FileSelection,
                    $"rsync: [sender] link_stat \"/{clean.TrimEnd('/')}\" (in {settings.ModuleName}) failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
            // flist.c: path_is_daemon_excluded — an argument under (or at) a name the module excludes does not exist.
            if (settings.ModuleFilters is { Rules.Count: > 0 } && IsModuleExcluded(settings, clean))
                throw new RsyncException(RsyncErrorKind.FileSelection,
                    $"rsync: [sender] link_stat \"/{clean.TrimEnd('/')}\" (in {settings.ModuleName}) failed: No such file or directory (2)");
            relative.Add(clean);
        }
        return Confined(request, options, settings, beneath, relative);
    }

    // What a confined sender sends of its module-relative paths (each beneath the module, its module rules applied).
    private static SendSource Confined(ServerRequest request, TransferOptions options, ServerSettings settings, BeneathRoot beneath,
        List<string> relative)
    {
        Func<string, string, bool, bool>? hidden = ModuleVerdict(settings, beneath);
        Func<string, byte[]> readRules = name => ReadRuleFile(settings, name);
        Func<byte[], byte[]>? linkTarget = settings.MungeSymlinks ? MungedLinks.Unmunge : null;
        if (options.Relative)
        {
            return new SendSource([], settings.Root, relative.Select(p => p.EndsWith("/./", StringComparison.Ordinal) ? p : p.TrimEnd('/')).ToList(), null, hidden, readRules, linkTarget,
                settings.IgnoreNonreadable, beneath, request.FilterRules) { ReadPerDirectoryFile = PerDirectoryReader(settings, beneath) };
        }
        var sources = relative.Select(p => p == "./" ? settings.Root.TrimEnd('/') + "/" : Path.Join(settings.Root, p) + (p.EndsWith('/') ? "/" : "")).ToList();
        return new SendSource(sources, null, null, null, hidden, readRules, linkTarget, settings.IgnoreNonreadable, beneath, request.FilterRules)
        {
            ReadPerDirectoryFile = PerDirectoryReader(settings, beneath),
        };
    }

    /// <summary>
    /// A sending server's --files-from (flist.c: send_file_list with filesfrom_fd): the first path after "." is the
    /// directory the names are relative to (change_dir(argv[0])), beneath the module; every name is cleaned by
    /// util1.c sanitize_path(SP_KEEP_DOT_DIRS) whoever sent it, so none is absolute or climbs above that directory;
    /// names are never wildcard-expanded. <paramref name="list"/> is the list's bytes: from the client
    /// (<paramref name="fromPeer"/>: NUL-ended, as forward_filesfrom_data sends them) or from a file on this side
    /// (read_line with RL_DUMP_COMMENTS: '#' and ';' lines and empty ones skipped, --from0 or line breaks).
    /// </summary>
    public static SendSource Listed(ServerRequest request, TransferOptions options, ServerSettings settings, BeneathRoot? beneath,
        byte[] list, bool fromPeer)
    {
        string dir = request.Paths.Count > 0 ? ServerPaths.WithoutModule(request.Paths[0], settings.ModuleName) : ".";
        if (settings.Confined)
            dir = ServerPaths.Sanitize(dir);
        string prefix = dir.TrimEnd('/') is "" or "." ? "" : dir.TrimEnd('/') + "/";
        var relative = new List<string>();
        foreach (byte[] name in FilesFrom.Parse(list, from0: fromPeer || request.From0, relativePaths: true, isLocalFile: !fromPeer))
        {
            string n = FileNameEncoding.Decode(name);
            // With -R a name's own "/./" says where its sent part starts; else all of it is sent, from the directory.
            relative.Add(!options.Relative || prefix.Length == 0 || n.Contains("/./", StringComparison.Ordinal) ? prefix + n
                : prefix + "./" + (n == "." ? "" : n));
        }
        if (!settings.Confined || beneath is null)
        {
            return options.Relative
                ? new SendSource([], settings.Root, relative, null, null, ArgumentRules: request.FilterRules, Listed: true)
                : new SendSource(relative.Select(p => Path.IsPathFullyQualified(p) ? p : Path.Join(settings.Root, p) + (p.EndsWith('/') ? "/" : "")).ToList(),
                    null, null, null, null, ArgumentRules: request.FilterRules, Listed: true);
        }
        // flist.c: send_file_list — a listed name the module's rules exclude (at it or above it) fails as a missing
        // one (path_is_daemon_excluded: ENOENT), as does its directory's change_dir with --no-R.
        Func<string, bool>? excluded = settings.ModuleFilters is { Rules.Count: > 0 }
            ? full => beneath.Relative(full) is { } inModule && IsModuleExcluded(settings, inModule)
            : null;
        return Confined(request, options, settings, beneath, relative) with { ArgumentExcluded = excluded, Listed = true };
    }

    // util1.c: sanitize_path with SP_KEEP_DOT_DIRS (main.c: do_server_sender) — with -R a "/./" marks where the sent
    // name starts (flist.c: send_file_list), so it survives: each side of it is made safe on its own.
    private static string Sanitize(string path, bool relativePaths)
    {
        int marker = path.IndexOf("/./", StringComparison.Ordinal);
        if (!relativePaths || marker < 0)
            return ServerPaths.Sanitize(path);
        string dir = ServerPaths.Sanitize(path[..marker]).TrimEnd('/');
        string rest = ServerPaths.Sanitize(path[(marker + 3)..]);
        return dir + "/./" + (rest is "." or "./" ? "" : rest);
    }

    // 0 when the path leads nowhere out of the module (a missing entry is the listing's to report), else the errno.
    private static int ReachableBeneath(BeneathRoot root, string relative)
    {
        string path = relative.TrimEnd('/');
        int fd = root.Open(path.Length == 0 ? "." : path, Interop.O_PATH | Interop.O_NOFOLLOW, out int errno);
        if (fd >= 0)
            _ = Interop.Close(fd);
        // flist.c: send_file_list — a directory on the way that is missing, not a directory, not searchable or a link
        // out of the module (ELOOP) is the listing's to report, as stock's sender meets it: change_dir's failure
        // without -R, link_stat's with it (exit 23); the listing opens beneath the module too.
        return errno is Interop.ENOENT or Interop.ENOTDIR or Interop.EACCES or Interop.ELOOP ? 0 : errno;
    }

    /// <summary>
    /// The module's own filter rules (clientserver.c: rsync_module loads daemon_filter_list), which match names relative
    /// to the module: stock checks a listed name where its sender is (exclude.c: rule_matches puts curr_dir below the
    /// module before a pattern with a '/'; flist.c changes into each --no-R name's directory, into the part before a
    /// "/./", into each incremental directory), so each entry is checked by its own place in the module, whichever
    /// argument it came from.
    /// </summary>
    private static Func<string, string, bool, bool>? ModuleVerdict(ServerSettings settings, BeneathRoot beneath)
    {
        if (settings.ModuleFilters is not { Rules.Count: > 0 } filters)
            return null;
        FilterMatcher matcher = filters.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root });
        return (name, path, isDirectory) =>
        {
            if (name == ".")
                return false;
            // Not beneath the module by its name (it cannot be: every source is): fail closed.
            if (beneath.Relative(path) is not { } inModule)
                return true;
            string clean = string.Join('/', inModule.Split('/').Where(part => part is not ("" or ".")));
            if (clean.Length == 0)
                return false;
            lock (matcher)
                return matcher.IsExcluded(clean, isDirectory);
        };
    }

    private static bool IsModuleExcluded(ServerSettings settings, string clean)
    {
        FilterMatcher matcher = settings.ModuleFilters!.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root });
        string path = clean.TrimEnd('/');
        if (path == ".")
            return false;
        for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            if (matcher.IsExcluded(path[..slash], isDirectory: true))
                return true;
        }
        string full = Path.Join(settings.Root, path);
        return matcher.IsExcluded(path, Directory.Exists(full) && !File.GetAttributes(full).HasFlag(FileAttributes.ReparsePoint));
    }

    /// <summary>
    /// options.c: parse_arguments — "--files-from FILE" names a list on the server's side: in a module it is sanitized
    /// (SP_DEFAULT: never absolute, never above the module), rejected when the module's rules exclude it, and opened
    /// beneath the module only (open_no_attacker_symlinks with operator_path_resolve); failing that, stock's
    /// "failed to open files-from file NAME: ERROR".
    /// </summary>
    public static byte[] ReadListFile(ServerSettings settings, string name)
    {
        string clean = settings.Confined ? ServerPaths.Sanitize(name) : name;
        if (settings.Confined && settings.ModuleFilters is { Rules.Count: > 0 } moduleRules)
        {
            FilterMatcher rules = moduleRules.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root });
            if (clean.TrimEnd('/') is "" or "." || rules.IsExcluded(clean.TrimEnd('/'), isDirectory: false))
                throw new RsyncException(RsyncErrorKind.Unsupported, "rsync: ERROR: daemon has excluded the files-from file");
        }
        int err = settings.Confined ? ServerPaths.CheckBeneath(settings.Root, clean, lastMayBeAnything: false) : 0;
        byte[]? bytes = null;
        bool tooLarge = false;
        if (err == 0 && settings.Confined)
        {
            using BeneathRoot beneath = BeneathRoot.Open(settings.Root, "");
            bytes = ReadBeneath(beneath, clean, Session.Connection.MaxFilesFromBytes, out err, out tooLarge);
        }
        else if (err == 0)
        {
            // A server outside a module (over a remote shell) reads the user's own path as it is, links followed.
            try
            {
                using var file = new FileStream(Path.IsPathFullyQualified(clean) ? clean : Path.Join(settings.Root, clean), FileMode.Open, FileAccess.Read);
                tooLarge = file.Length > Session.Connection.MaxFilesFromBytes;
                bytes = tooLarge ? null : new byte[file.Length];
                if (bytes is not null)
                    file.ReadExactly(bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                err = SystemError.Errno(e) ?? Interop.EIO;
            }
        }
        if (tooLarge)
            throw new RsyncException(RsyncErrorKind.Unsupported, $"rsync: files-from file {name} is larger than {Session.Connection.MaxFilesFromBytes} bytes");
        // util1.c: sanitize_path — an absolute name is put under the module's directory, and is named so.
        string shown = settings.Confined && name.StartsWith('/') ? Path.Join(settings.Root, clean) : clean;
        return bytes ?? throw new RsyncException(RsyncErrorKind.Unsupported,
            $"rsync: failed to open files-from file {shown}: {Marshal.GetPInvokeErrorMessage(err)}");
    }

    /// <summary>
    /// How a daemon's per-directory merge files (a ':' rule, the client's or its -M--filter's) are read: beneath the
    /// module only (exclude.c: parse_filter_file opens with open_no_attacker_symlinks confined to the module, and takes
    /// a file it cannot open as absent). The reader gets the path the filter matcher joined; a file outside the module,
    /// reached through a symlink that leads out (ELOOP), not a regular file, missing or unreadable reads as absent
    /// (null), one the module's rules hide as empty. A symlink that stays inside the module is followed, as stock's is.
    /// The module's rules are made into a matcher once and every file is opened through <paramref name="beneath"/>,
    /// which the caller holds open for the transfer.
    /// </summary>
    internal static Func<string, byte[]?> PerDirectoryReader(ServerSettings settings, BeneathRoot beneath)
    {
        string root = Path.GetFullPath(settings.Root).TrimEnd('/') + "/";
        FilterMatcher? hiding = settings.ModuleFilters is { Rules.Count: > 0 } moduleRules
            ? moduleRules.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root })
            : null;
        return full =>
        {
            string path = Path.GetFullPath(full);
            if (!path.StartsWith(root, StringComparison.Ordinal) || path.Length == root.Length)
                return null;
            string relative = path[root.Length..];
            if (hiding is not null)
            {
                lock (hiding)
                {
                    if (hiding.IsExcluded(relative, isDirectory: false))
                        return [];
                }
            }
            try
            {
                return ReadFollowing(beneath, settings.Root, relative, out _, out _);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        };
    }

    // exclude.c: a merge file a client names is read only beneath the module, never through a symlink. One that cannot
    // be read throws an IOException whose HResult is the errno (SystemError.Describe prints it as stock's rsyserr).
    internal static byte[] ReadRuleFile(ServerSettings settings, string name)
    {
        string clean = ServerPaths.Sanitize(name);
        // exclude.c: parse_filter_file — a merge file the module's own rules hide (its module-relative name, as a
        // file) is taken as not there, silently, and never opened: no rule of it applies, no error tells it exists
        // (upstream daemon-filter-merge-bypass).
        if (settings.ModuleFilters is { Rules.Count: > 0 } moduleRules)
        {
            FilterMatcher hiding = moduleRules.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root });
            if (clean.TrimEnd('/') is { } named && named != "." && hiding.IsExcluded(named, isDirectory: false))
                return [];
        }
        using BeneathRoot beneath = BeneathRoot.Open(settings.Root, "");
        byte[]? bytes = ReadFollowing(beneath, settings.Root, clean, out int err, out bool tooLarge);
        if (tooLarge)
            throw new IOException($"merge file \"{name}\" is larger than {MaxRuleFile} bytes");
        return bytes ?? throw new IOException($"failed to open merge file \"{name}\": {Marshal.GetPInvokeErrorMessage(err)}", err);
    }

    // A merge file a client names (a '.' rule's, or a ':' rule's in each directory), read as exclude.c: parse_filter_file
    // opens it: a path without links straight beneath the module; one with links where ModuleLinkWalk says they lead,
    // in the module only (ELOOP out of it), never through a link someone else owns.
    private static byte[]? ReadFollowing(BeneathRoot beneath, string root, string relative, out int errno, out bool tooLarge)
    {
        tooLarge = false;
        int fd = beneath.OpenWithoutSymlinks(relative, ReadFlags, out errno);
        if (fd < 0 && errno == Interop.ELOOP)
        {
            if (ModuleLinkWalk.Resolve(root, relative, out errno) is not { } resolved)
                return null;
            fd = beneath.Open(resolved, ReadFlags | Interop.O_NOFOLLOW, out errno);
        }
        return fd < 0 ? null : ReadOpened(fd, MaxRuleFile, out errno, out tooLarge);
    }

    // Never blocks on a FIFO: the type is judged on what was opened.
    private const int ReadFlags = Interop.O_RDONLY | Interop.O_NONBLOCK | Interop.O_CLOEXEC;

    // A file a client names, read beneath the module: opened through openat2 RESOLVE_BENEATH with its last component
    // not followed, so that nothing swapped in on the way after the checks can lead the read out of the module (stock:
    // open_no_attacker_symlinks).
    private static byte[]? ReadBeneath(BeneathRoot beneath, string relative, long max, out int errno, out bool tooLarge)
    {
        tooLarge = false;
        int fd = beneath.Open(relative, ReadFlags | Interop.O_NOFOLLOW, out errno);
        return fd < 0 ? null : ReadOpened(fd, max, out errno, out tooLarge);
    }

    // The file open at fd (taken over): null with the errno when it cannot be read (ELOOP for anything not a regular
    // file), or with tooLarge when it holds more than max bytes; a file that grows while read is taken as far as it was.
    private static byte[]? ReadOpened(int fd, long max, out int errno, out bool tooLarge)
    {
        tooLarge = false;
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        errno = NativeStat.TryStatAt(fd, "", Interop.AT_EMPTY_PATH, out NativeStat.Info info);
        if (errno != 0)
            return null;
        if ((info.Mode & FileEntry.S_IFMT) != FileEntry.S_IFREG)
        {
            errno = Interop.ELOOP;
            return null;
        }
        if (info.Size > max)
        {
            tooLarge = true;
            return null;
        }
        byte[] buffer = new byte[info.Size];
        int total = 0, read;
        while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
            total += read;
        return total == buffer.Length ? buffer : buffer[..total];
    }
}
