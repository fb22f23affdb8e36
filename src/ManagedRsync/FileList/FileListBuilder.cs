using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.FileList;

/// <summary>
/// Builds the sender's file list from source arguments the way rsync's client does (rsync flist.c:
/// send_file_list / send_file_name / send_directory): "dir/" sends the directory's contents under ".", "dir"
/// sends the directory itself; with -R the path as given is sent, with its parents as implied directories. The
/// result is sorted in rsync's order and has no duplicates.
/// </summary>
internal sealed partial class FileListBuilder
{
    /// <summary>rsync rsync.h: IOERR_GENERAL — something could not be read; the receiver must not delete.</summary>
    public const int IoErrorGeneral = 1;
    /// <summary>rsync rsync.h: IOERR_VANISHED — a file disappeared while we looked at it.</summary>
    public const int IoErrorVanished = 2;

    private readonly TransferOptions _options;
    private readonly Filters.FilterMatcher? _filters;
    private readonly Func<string, string, bool, bool>? _isExcluded;
    private readonly Action<string> _warn;
    private readonly Action<string> _info;
    private readonly Func<byte[], byte[]>? _linkTarget;
    private readonly Dictionary<string, FileEntry> _byName = new(StringComparer.Ordinal);

    /// <param name="options">What to include (links, devices, recursion).</param>
    /// <param name="filters">The sender's view of the filter rules, walked directory by directory.</param>
    /// <param name="isExcluded">A further verdict: (transfer-relative path, the path this side reaches it by, is
    /// directory) -> excluded.</param>
    /// <param name="warn">Receives rsync-style error lines ("rsync: link_stat ... failed").</param>
    /// <param name="linkTarget">What a symlink's target read from disk is sent as (null: as read).</param>
    /// <param name="info">Receives informational lines ("skipping directory NAME"); null: <paramref name="warn"/>.</param>
    public FileListBuilder(TransferOptions options, Filters.FilterMatcher? filters, Func<string, string, bool, bool>? isExcluded,
        Action<string> warn, Func<byte[], byte[]>? linkTarget = null, Action<string>? info = null)
    {
        _info = info ?? warn;
        _linkTarget = linkTarget;
        _options = options;
        _filters = filters;
        _isExcluded = isExcluded;
        _warn = warn;
    }

    /// <summary>
    /// A daemon module's "ignore nonreadable": an entry other than a symlink that this process may not read is left out
    /// of the list without a word (flist.c: make_file, after the filters: access(R_OK) != 0 returns no entry).
    /// </summary>
    public bool IgnoreNonreadable { get; init; }

    /// <summary>
    /// rsync flist.c: FLAG_DIVERT_DIRS — with incremental recursion a directory's contents are not listed with it but
    /// later, in a list of their own (<see cref="ListContents"/>).
    /// </summary>
    public bool DivertDirectories { get; init; }

    /// <summary>
    /// A daemon module's root: each directory beneath it is opened through it (openat2 RESOLVE_BENEATH), so a listing
    /// never follows a symlink out of the module (flist.c: send_directory's confined opendir, stock's ELOOP).
    /// </summary>
    public BeneathRoot? Confinement { get; init; }

    /// <summary>
    /// The entries directly inside <paramref name="directory"/>, an entry of an earlier list, sorted (rsync flist.c:
    /// send1extra -> send_directory with FLAG_DIVERT_DIRS); nothing of earlier lists is kept.
    /// </summary>
    public List<FileEntry> ListContents(FileEntry directory, int protocol)
    {
        _byName.Clear();
        // flist.c: send_extra_file_list — stock's sender goes back into the directory its argument started from.
        string local = directory.LocalPath!.TrimEnd('/');
        string listed = directory.LocalName;
        _workingDirectory = listed != "." && local.EndsWith("/" + listed, StringComparison.Ordinal)
            ? local[..^(listed.Length + 1)] is { Length: > 0 } up ? up : "/"
            : listed == "." ? local : null;
        // A directory's own entries alone hold each name once (a directory has no two entries of one name): they go
        // straight into the list, with no table of names (a string and a hash per entry).
        if (!directory.IsNoContentDir && _mergedDirectories?.ContainsKey(directory) != true && !_rests.ContainsKey(directory))
        {
            var alone = new List<FileEntry>();
            _listedAlone = alone;
            try
            {
                ListInto(directory.LocalPath!, directory.LocalName);
            }
            finally
            {
                _listedAlone = null;
            }
            // Every name is the directory's, '/', and the entry's own (AddListed).
            CollectionsMarshal.AsSpan(alone).Sort(new SiblingNameOrder(directory.Name.Length + 1, protocol));
            return alone;
        }
        // flist.c: send1extra — a directory sent without its contents (a -x mount point, an implied directory of -R)
        // lists none of them; the contents of a same-named directory of another source (FLAG_DUPLICATE) join its own
        // (send_extra_file_list); then the rest of each -R name recorded under it.
        if (!directory.IsNoContentDir)
        {
            ListInto(directory.LocalPath!, directory.LocalName);
            if (_mergedDirectories?.Remove(directory, out List<string>? others) == true)
            {
                foreach (string other in others)
                    ListInto(other, directory.LocalName);
            }
        }
        AddRelativeRests(directory);
        return Result(protocol);
    }

    // Where AddListed puts a directory's entries while ListContents lists one directory alone (null: Put).
    private List<FileEntry>? _listedAlone;

    // flist.c: send1extra — with -x the contents are compared with the directory's own device (filesystem_dev = its
    // st_dev).
    private void ListInto(string path, string name)
    {
        long filesystem = -1;
        if (_options.OneFileSystem > 0)
        {
            int err = NativeStat.TryStat(path, out NativeStat.Info st);
            if (err != 0)
            {
                Report(path, err, vanished: false);
                return;
            }
            filesystem = st.Dev;
        }
        AddDirectoryContents(path, name, filesystem);
    }

    /// <summary>
    /// What is left of a -R argument below an implied directory of an earlier list, listed in that directory's own list
    /// (flist.c: send_implied_dirs with inc_recurse records it in the directory's F_DIR_RELNAMES; send1extra sends each
    /// one: a rest with a '/' as the next implied directory, carrying the remainder on; the last component as a top
    /// entry). <paramref name="Directory"/> is the directory as this process reaches it (several sources may share a
    /// name: flist.c keeps them apart by their F_PATHNAME); <paramref name="Follow"/>: the argument ended in '/'.
    /// </summary>
    private sealed record RelativeRest(string Directory, string Rest, bool Follow, bool Missing);

    private readonly Dictionary<FileEntry, List<RelativeRest>> _rests = new(ReferenceEqualityComparer.Instance);

    // flist.c: send1extra — the recorded rests of this directory, in the order they were recorded, then forgotten.
    private void AddRelativeRests(FileEntry directory)
    {
        if (!_rests.Remove(directory, out List<RelativeRest>? rests))
            return;
        string prefix = directory.LocalName;
        foreach (RelativeRest r in rests)
        {
            int slash = r.Rest.IndexOf('/');
            string leaf = slash < 0 ? r.Rest : r.Rest[..slash];
            string name = prefix == "." ? leaf : prefix + "/" + leaf;
            string path = Path.Combine(r.Directory, leaf);
            if (slash >= 0)
            {
                Imply(name, path, r with { Directory = path, Rest = r.Rest[(slash + 1)..] });
                continue;
            }
            if (r.Missing)
            {
                MissingArgument(Interop.ENOENT, name, path);
                continue;
            }
            int err = LinkStat(path, _options.CopyDirLinks || r.Follow, out NativeStat.Info info);
            if (err != 0)
            {
                Report(path, err, vanished: err == Interop.ENOENT);
                continue;
            }
            AddNamed(path, name, info, topDir: true);
        }
    }

    // flist.c: send_implied_dirs with inc_recurse — one implied directory (FLAG_IMPLIED_DIR, unfiltered) and the rest
    // of the path recorded under it for its own list; a name already listed (a directory's contents, an earlier
    // argument) is not sent again and takes the rest; one that is not a directory drops it ("dir must have vanished").
    private void Imply(string name, string path, RelativeRest rest)
    {
        if (!_byName.TryGetValue(name, out FileEntry? dir))
        {
            if (ImpliedStat(path, out NativeStat.Info info) != 0)
                return;
            // flist.c: send_file_name — an entry whose ACLs or xattrs cannot be read is not listed.
            if (Make(name, path, info) is not { } made)
                return;
            dir = made;
            dir.IsTopDir = true;
            dir.IsNoContentDir = true;
            _byName[name] = dir;
        }
        if (!dir.IsDirectory)
            return;
        if (!_rests.TryGetValue(dir, out List<RelativeRest>? list))
            _rests[dir] = list = [];
        list.Add(rest);
    }

    private bool Recurses => _options.Recursive && !DivertDirectories;

    /// <summary>rsync's io_error bits collected while scanning.</summary>
    public int IoError { get; private set; }

    public List<FileEntry> Result(int protocol)
    {
        var list = new List<FileEntry>(_byName.Values);
        list.Sort(new FileNameOrder(protocol));
        return list;
    }

    private HashSet<string>? _rootedTops;

    /// <summary>Whether some source is an absolute -R one (<see cref="IsRootedName"/>).</summary>
    public bool HasRootedNames => _rootedTops is not null;

    /// <summary>
    /// Whether stock's sender names this entry with a leading '/': with -R an absolute source without a "/./" keeps its
    /// '/' in the names it lists (flist.c: send_file_list; the receiver strips it, flist_sort_and_clean with
    /// strip_root, or a daemon's sanitize_path in recv_file_entry), so its own -v/-i lines show "/tmp/..." (log.c %n:
    /// f_name). mrsync holds the name without it; the list's writer (FileListWriter.Rooted) and the sender's lines put
    /// it back for every name under such a source's first directory.
    /// </summary>
    public bool IsRootedName(string name) =>
        _rootedTops is { } tops && tops.Contains(name.IndexOf('/') is int slash and >= 0 ? name[..slash] : name);

    /// <summary>Adds one command-line source argument.</summary>
    /// <summary>
    /// Whether an argument (its full path, as <see cref="AddSource"/> and <see cref="AddRelative"/> build it) is taken
    /// as not there: a daemon module's rules exclude them (flist.c: send_file_list — path_is_daemon_excluded sets ENOENT
    /// for the link_stat that follows; a --files-from name too).
    /// </summary>
    public Func<string, bool>? ArgumentExcluded { get; init; }

    /// <summary>The arguments are a --files-from list's names (flist.c: send_file_list with filesfrom_fd).</summary>
    public bool ArgumentsListed { get; init; }

    private int ArgumentStat(string path, bool follow, out NativeStat.Info info)
    {
        if (ArgumentExcluded?.Invoke(path) == true)
        {
            info = default;
            return Interop.ENOENT;
        }
        return LinkStat(path, follow, out info);
    }

    public void AddSource(string source)
    {
        _workingDirectory = null;
        if (_options.Relative)
        {
            // rsync: with -R, a "/./" in the path marks where the sent name starts.
            int dot = source.IndexOf("/./", StringComparison.Ordinal);
            string baseDir = dot >= 0 ? source[..(dot + 1)] : (source.StartsWith('/') ? "/" : ".");
            string rel = dot >= 0 ? source[(dot + 3)..] : source.TrimStart('/');
            if (dot < 0 && source.StartsWith('/') && NormalizeRelative(rel) is { Length: > 0 } named)
                (_rootedTops ??= new HashSet<string>(StringComparer.Ordinal)).Add(named.Split('/')[0]);
            AddRelative(baseDir, rel, isArgument: true);
            return;
        }

        bool contents = source.EndsWith('/') || source == "." || source.EndsWith("/.", StringComparison.Ordinal);
        if (contents)
        {
            string dir = source.TrimEnd('/');
            if (dir.Length == 0)
                dir = "/";
            if (ArgumentExcluded?.Invoke(dir) == true)
            {
                // util1.c: change_dir in a daemon — a directory the module's rules exclude is not there.
                _warn($"rsync: [sender] change_dir {FullName(dir)} failed: {ErrnoText(Interop.ENOENT)} ({Interop.ENOENT})");
                IoError |= IoErrorGeneral;
                return;
            }
            // flist.c: send_file_list — stock goes into a "dir/" argument (change_pathname) before it sends its ".":
            // a directory that is missing, not a directory or that this user may not search (no x) fails there, and
            // nothing of the argument is sent.
            if (source is not ("." or "./") && !EntersDirectory(dir))
                return;
            if (!Stat(dir, followDirLinks: true, out NativeStat.Info info))
                return;
            _workingDirectory = dir;
            if (!_options.Recursive && !_options.Dirs)
            {
                _info("skipping directory ."); // flist.c: rprintf(FINFO, ...)
                return;
            }
            // rsync flist.c: send_file_list: a "dir/" argument is a content directory with -r and with -d alike
            // (send_if_directory); -d alone lists one level, its subdirectories sent without content.
            // flist.c: send_file_list — a "." that send_file_name leaves out is not gone into either.
            _dotDirectory = dir;
            try
            {
                if (Make(".", dir, info) is not { } top)
                    return;
                top.IsTopDir = true;
                Put(".", top);
                AddDirectoryContents(dir, "", info.Dev);
            }
            finally
            {
                _dotDirectory = null;
            }
            return;
        }

        string path = source;
        string name = Path.GetFileName(path);
        // flist.c: send_file_list — without -R the sender goes into the argument's directory first.
        if (Path.GetDirectoryName(path) is { Length: > 0 } parent && Confinement?.Relative(parent) is null or not ".")
        {
            if (!EntersDirectory(parent))
                return;
            _workingDirectory = parent;
        }
        int err = ArgumentStat(path, _options.CopyDirLinks, out NativeStat.Info st);
        if (err != 0)
        {
            if (!MissingArgument(err, name, path))
                Report(path, err, vanished: false);
            return;
        }
        if (Unreadable(path, st))
            return;
        // flist.c: send_file_list — a plain name is a top directory only with -r (FLAG_TOP_DIR); without it, as a
        // --files-from name with --no-R, the directory goes as send_file_name sends any entry.
        AddNamed(path, name, st, topDir: _options.Recursive || !ArgumentsListed);
    }

    // flist.c: send_file_list / change_pathname — the sender goes into an argument's directory (util1.c: change_dir,
    // which follows links; in a module only beneath it); one it cannot enter (missing, not a directory, not
    // searchable) is "change_dir DIR failed", named from where the sender started, and nothing of the argument is sent.
    private bool EntersDirectory(string dir)
    {
        int err;
        if (Confinement?.Relative(dir) is { } beneath)
        {
            int fd = Confinement.Open(beneath == "." ? "." : beneath + "/.", Interop.O_PATH | Interop.O_DIRECTORY, out err);
            if (fd >= 0)
                _ = Interop.Close(fd);
        }
        else
            err = NativeStat.TryStat(dir == "/" ? "/." : dir.TrimEnd('/') + "/.", out _);
        if (err == 0)
            return true;
        _workingDirectory = null;
        _warn($"rsync: [sender] change_dir {FullName(dir.Length > 1 ? dir.TrimEnd('/') : dir)} failed: {ErrnoText(err)} ({err})");
        IoError |= IoErrorGeneral;
        return false;
    }

    /// <summary>
    /// Adds <paramref name="relativePath"/> under <paramref name="baseDir"/> with -R semantics (rsync --files-from):
    /// the name keeps its directories, which are sent as implied directories without their other contents.
    /// A path that does not exist is sent as a "missing" entry (mode 0) when --delete-missing-args is on.
    /// </summary>
    public void AddRelative(string baseDir, string relativePath, bool isArgument = false)
    {
        // flist.c: send_file_list — a "/./" in an argument (or a --files-from line) moves the base directory there.
        int anchor = relativePath.IndexOf("/./", StringComparison.Ordinal);
        if (anchor >= 0)
        {
            baseDir = Path.Combine(baseDir, relativePath[..anchor]);
            relativePath = relativePath[(anchor + 3)..];
        }
        string rel = NormalizeRelative(relativePath);
        if (rel.Length == 0)
            rel = ".";
        string full = Path.Combine(baseDir, rel);
        _workingDirectory = baseDir is "." or "" ? null : baseDir;

        // flist.c: send_file_list — a name ending in '/' or "." has its symlink to a directory followed. An argument
        // that fails, is excluded or is a skipped directory sends no implied directories either (they follow those
        // checks there); a missing one under --delete-missing-args does.
        bool follow = _options.CopyDirLinks || rel == "." || relativePath.EndsWith('/');
        int err = isArgument ? ArgumentStat(full, follow, out NativeStat.Info info) : LinkStat(full, follow, out info);
        int top = rel.IndexOf('/');
        if (err != 0)
        {
            if (!isArgument || !MissingArgument(err, rel, full))
                Report(full, err, vanished: !isArgument && err == Interop.ENOENT);
            else if (_options.DeleteMissingArgs && DivertDirectories && top > 0)
            {
                _byName.Remove(rel);
                Imply(rel[..top], Path.Combine(baseDir, rel[..top]), new RelativeRest(Path.Combine(baseDir, rel[..top]), rel[(top + 1)..], follow, Missing: true));
            }
            else if (_options.DeleteMissingArgs)
                AddImpliedDirectories(baseDir, rel);
            return;
        }
        bool isDir = (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR;
        if (rel != "." && (Excluded(rel, full, isDir) || Unreadable(full, info)))
            return;
        // flist.c: send_file_list with inc_recurse and relative_paths — only the first directory of the name goes in
        // the first list (implied); the rest follows in its list, and so on down (send1extra).
        if (DivertDirectories && top > 0 && (!isDir || _options.Recursive || _options.Dirs))
        {
            string first = Path.Combine(baseDir, rel[..top]);
            Imply(rel[..top], first, new RelativeRest(first, rel[(top + 1)..], follow, Missing: false));
            return;
        }
        // flist.c: send_file_list — a "." argument's contents go in the first list with it (send_directory).
        if (DivertDirectories && rel == "." && isDir && _options.Recursive)
        {
            AddNamed(full, rel, info, topDir: isArgument);
            AddDirectoryContents(full, "", info.Dev);
            return;
        }
        if (!isDir || _options.Recursive || _options.Dirs)
            AddImpliedDirectories(baseDir, rel);
        AddNamed(full, rel, info, topDir: isArgument);
    }

    /// <summary>
    /// rsync flist.c: send_file_list / send_implied_dirs — with -R the directories of the sent name before its last
    /// component go first, unfiltered, as implied directories (FLAG_IMPLIED_DIR: XMIT_TOP_DIR | XMIT_NO_CONTENT_DIR
    /// from protocol 30), so the receiver gets their attributes right. With --no-implied-dirs a sender still sends them
    /// from protocol 30 (flagged, the receiver skips them) and not before (<see cref="SendImpliedDirectories"/>).
    /// </summary>
    private void AddImpliedDirectories(string baseDir, string rel)
    {
        if (!SendImpliedDirectories)
            return;
        int slash = -1;
        while ((slash = rel.IndexOf('/', slash + 1)) > 0)
        {
            string parent = rel[..slash];
            if (_byName.ContainsKey(parent))
                continue;
            if (ImpliedStat(Path.Combine(baseDir, parent), out NativeStat.Info pinfo) != 0)
                break;
            if (Make(parent, Path.Combine(baseDir, parent), pinfo) is not { } implied)
                continue;
            implied.IsTopDir = true;
            implied.IsNoContentDir = true;
            _byName[parent] = implied;
        }
    }

    // flist.c: send_implied_dirs sets copy_links while it sends them: an implied directory reached through a symlink
    // is sent as the directory it leads to (the rest of the name is reached through it anyway); in a module only while
    // the link stays beneath it (BeneathRoot).
    private int ImpliedStat(string path, out NativeStat.Info info) =>
        Confinement?.Relative(path) is { } beneath and not "."
            ? Confinement.LinkStat(beneath, follow: true, out info, out _)
            : NativeStat.TryStat(path, out info);

    /// <summary>
    /// Whether -R's implied directories are sent: always from protocol 30 (flist.c: send_file_list sets implied_dirs
    /// "We send flagged implied dirs"), before it only without --no-implied-dirs.
    /// </summary>
    public bool SendImpliedDirectories { get; init; } = true;

    /// <summary>
    /// rsync flist.c: send_file_list — a source argument that does not exist (ENOENT) is left out silently with
    /// --ignore-missing-args, or with --delete-missing-args sent as a "missing" entry (mode 0) that tells the generator
    /// to delete the name; returns false when neither applies (the caller reports the error).
    /// </summary>
    private bool MissingArgument(int err, string name, string path)
    {
        if (err != Interop.ENOENT)
            return false;
        if (_options.DeleteMissingArgs)
            Put(name, new FileEntry { Name = FileNameEncoding.Encode(name), LocalPath = path, Mode = 0 });
        return _options.DeleteMissingArgs || _options.IgnoreMissingArgs;
    }

    /// <summary>
    /// rsync flist.c: flist_sort_and_clean — of a name listed twice (two "dir/" sources holding the same name), stock's
    /// receiver keeps a directory over a non-directory, else the one listed first, and a kept directory takes the
    /// other's top-dir and content flags. Stock's sender sends both for the receiver to drop one; this list holds only
    /// the one that would be kept. A placeholder (mode 0: a missing argument) gives way to a real entry.
    /// </summary>
    private void Put(string name, FileEntry entry)
    {
        if (!_byName.TryGetValue(name, out FileEntry? first) || first.Mode == 0 || (entry.IsDirectory && !first.IsDirectory))
        {
            _byName[name] = entry;
            return;
        }
        if (entry.IsDirectory && first.IsDirectory)
        {
            first.IsTopDir |= entry.IsTopDir;
            first.IsNoContentDir &= entry.IsNoContentDir;
            // A diverted directory's contents are listed later (ListContents): both directories' then.
            if (DivertDirectories && !entry.IsNoContentDir && entry.LocalPath is { } other && other != first.LocalPath)
            {
                _mergedDirectories ??= new(ReferenceEqualityComparer.Instance);
                if (!_mergedDirectories.TryGetValue(first, out List<string>? others))
                    _mergedDirectories[first] = others = [];
                others.Add(other);
            }
        }
    }

    // The kept directory -> the same-named directories of other sources whose contents are listed with its own.
    private Dictionary<FileEntry, List<string>>? _mergedDirectories;

    private static string NormalizeRelative(string path)
    {
        var parts = new List<string>();
        foreach (string p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".")
                continue;
            if (p == "..")
                throw new RsyncException(RsyncErrorKind.Usage, $"a relative path may not contain \"..\": {path}");
            parts.Add(p);
        }
        return string.Join('/', parts);
    }

    private void AddNamed(string path, string name, NativeStat.Info info, bool topDir)
    {
        bool isDir = (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR;
        if (isDir && !_options.Recursive && !_options.Dirs)
        {
            _info($"skipping directory {name}");
            return;
        }
        if (Make(name, path, info) is not { } entry)
            return;
        entry.IsTopDir = topDir && isDir;
        entry.IsNoContentDir = isDir && !_options.Recursive;
        Put(name, entry);
        if (isDir && Recurses)
            AddDirectoryContents(path, name, info.Dev);
    }

    /// <param name="dirPath">The directory as this process reaches it.</param>
    /// <param name="prefix">Its name in the list ("" for the top of a "dir/" argument).</param>
    /// <param name="filesystem">The device of the argument it belongs to (flist.c: filesystem_dev, for -x).</param>
    private void AddDirectoryContents(string dirPath, string prefix, long filesystem)
    {
        // Listed by name bytes: a name that is not UTF-8 is kept, escaped (FileNameEncoding), not lost.
        using var names = new ListedNames();
        bool follow = FollowsLinks || prefix.Length == 0;
        Action<ReadOnlySpan<byte>, EntryType> add = (name, _) => names.Add(name);
        // flist.c: secure_opendir opens with O_NOATIME under --open-noatime (syscall.c: secure_relative_open).
        int noAtime = _options.OpenNoAtime ? Interop.O_NOATIME : 0;
        int listedFd = -1;
        int errno = Confinement?.Relative(dirPath) is { } beneath
            ? ListBeneath(Confinement, beneath, follow, add, noAtime, out listedFd)
            : ListHeld(dirPath, follow, add, noAtime, out listedFd);
        if (listedFd >= 0 && _heldDirectories >= MaxHeldDirectories)
        {
            _ = Interop.Close(listedFd);
            listedFd = -1;
        }
        if (listedFd >= 0)
            _heldDirectories++;
        try
        {
            AddListed(dirPath, prefix, filesystem, errno, names, listedFd);
        }
        finally
        {
            if (listedFd >= 0)
            {
                _heldDirectories--;
                _ = Interop.Close(listedFd);
            }
        }
    }

    // The most directories held open while their entries are listed (one per level of a recursion that does not go
    // directory by directory); deeper ones are stat'ed by path beneath the module, as before.
    private const int MaxHeldDirectories = 64;
    private int _heldDirectories;

    // The entry being stat'ed at the directory it was listed from: its path (the same string object), and the listing
    // and index of its name.
    private (int Fd, string? Path, ListedNames? Names, int Index) _statAt = (-1, null, null, -1);

    // Entry names are needed as strings only to filter them, to key a list that may hold a name twice (Put), to go
    // into a subdirectory, and in messages; their bytes (the directory's name, '/', the listed name) go into the entry.
    private void AddListed(string dirPath, string prefix, long filesystem, int errno, ListedNames names, int listedFd)
    {
        if (errno == 0 && names.Count == 0)
            errno = SearchDenied(dirPath, listedFd);
        if (errno != 0)
        {
            OpendirFailed(dirPath, prefix, errno);
            return;
        }
        byte[] prefixBytes = FileNameEncoding.Encode(prefix);
        bool filtered = _filters is not null || _isExcluded is not null;
        bool plainStat = !_options.CopyLinks && !_options.CopyDirLinks && !_options.CopyUnsafeLinks && !_options.FakeSuper;
        _listedAlone?.EnsureCapacity(_listedAlone.Count + names.Count);
        for (int i = 0; i < names.Count; i++)
        {
            ReadOnlySpan<byte> leaf = names[i];
            string child = ChildPath(dirPath, leaf);
            byte[] nameBytes = prefixBytes.Length == 0 ? leaf.ToArray() : [.. prefixBytes, (byte)'/', .. leaf];
            string? name = filtered ? FileNameEncoding.Decode(nameBytes) : null;
            // The entry is stat'ed at the directory just listed (fstatat, no symlink followed): one name for the kernel
            // to look up, where its whole path walked the source's directories again for each entry (flist.c:
            // send_directory's scan_dirfd); in a module, opening its parent beneath the module again cost an openat2
            // and a close per entry.
            int err;
            NativeStat.Info info;
            if (listedFd >= 0 && plainStat)
            {
                // What ReadLinkStat comes to without options that follow links or read a fake stat: the lstat alone.
                err = NativeStat.TryStatAt(listedFd, names.WithNul(i), Interop.AT_SYMLINK_NOFOLLOW, out info);
            }
            else
            {
                _statAt = (listedFd, child, names, i);
                err = ReadLinkStat(child, nameBytes, out info);
                _statAt = (-1, null, null, -1);
            }
            // The first entry that cannot be stat'ed for want of search permission on the directory: stock could
            // not have opened it (SearchDenied), and lists nothing of it.
            if (err == Interop.EACCES && i == 0 && SearchDenied(dirPath, listedFd) is not 0 and var denied)
            {
                OpendirFailed(dirPath, prefix, denied);
                return;
            }
            if (err != 0)
            {
                if (!Excluded(name, child, false) && !Excluded(name, child, true))
                    ReportUnfollowed(child, err);
                continue;
            }
            bool isDir = (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR;
            // flist.c: make_file — with -x a directory on another filesystem is a mount point: sent without its
            // contents, or with -xx not at all.
            bool mountPoint = isDir && _options.OneFileSystem > 0 && info.Dev != filesystem;
            if (mountPoint && _options.OneFileSystem > 1)
            {
                if (_options.Info.Gte(InfoFlag.Mount, 1))
                    _info($"[sender] skipping mount-point dir {name ?? FileNameEncoding.Decode(nameBytes)}");
                continue;
            }
            if (Excluded(name, child, isDir) || Unreadable(child, info))
                continue;
            if (Make(nameBytes, child, info) is not { } entry)
                continue;
            // rsync flist.c: send_directory recurses only with -r
            entry.IsNoContentDir = isDir && (!_options.Recursive || mountPoint);
            // One directory's own list holds each name once: no table of names to keep them apart (ListContents).
            if (_listedAlone is { } alone)
                alone.Add(entry);
            else
                Put(name ??= FileNameEncoding.Decode(nameBytes), entry);
            if (isDir && Recurses && !mountPoint)
                AddDirectoryContents(child, name ?? FileNameEncoding.Decode(nameBytes), filesystem);
        }
    }

    private void OpendirFailed(string dirPath, string prefix, int errno)
    {
        // flist.c: send_file_list names the top of a "dir/" argument "dir/." (send_directory's fbuf).
        string named = prefix.Length == 0 && dirPath != "." && !dirPath.EndsWith("/.", StringComparison.Ordinal) ? dirPath + "/." : dirPath;
        // util1.c: full_fname — a relative name with the sender's working directory before it.
        if (!named.StartsWith('/'))
            named = Environment.CurrentDirectory.TrimEnd('/') + "/" + named;
        string shown = Confinement?.Relative(dirPath) is { } inModule
            ? Confinement.Quote(prefix.Length == 0 && inModule != "." ? inModule + "/." : inModule,
                _workingDirectory is { } w && Confinement.Relative(w) is { } within ? within : ".")
            : $"\"{FileNameEncoding.Display(named)}\"";
        _warn($"rsync: [sender] opendir {shown} failed: {ErrnoText(errno)} ({errno})");
        IoError |= IoErrorGeneral;
    }

    // flist.c: send_directory — stock's sender opens a directory it lists through secure_opendir (not with -L, -k or
    // --copy-unsafe-links outside a module), which reaches it by name and then opens "." in it: that needs search
    // (x) permission, so a directory this user may read but not search (0600 for its owner, not root) fails
    // "opendir ... failed: Permission denied" and none of its entries is sent. Our open needs read permission
    // alone; asked only when the directory listed no names or its first entry's stat was refused (EACCES), so the
    // walk pays nothing for a directory it can search. The errno stock's open would have (0: none).
    private int SearchDenied(string dirPath, int listedFd)
    {
        if (FollowsLinks && Confinement is null)
            return 0;
        if (listedFd < 0)
            return NativeStat.TryLstat(dirPath.EndsWith('/') ? dirPath + "." : dirPath + "/.", out _);
        int dot = Interop.OpenAt(listedFd, ".", Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
        if (dot < 0)
            return Marshal.GetLastPInvokeError();
        _ = Interop.Close(dot);
        return 0;
    }

    // A listed entry's path: Path.Combine(dirPath, its name decoded), built as one string.
    private static string ChildPath(string dirPath, ReadOnlySpan<byte> leaf)
    {
        if (dirPath.Length == 0 || !System.Text.Unicode.Utf8.IsValid(leaf))
            return Path.Combine(dirPath, FileNameEncoding.Decode(leaf));
        // UTF-8 never has more characters than bytes; a Linux name has at most 255 bytes.
        Span<char> chars = leaf.Length <= 256 ? stackalloc char[leaf.Length] : new char[leaf.Length];
        int n = Encoding.UTF8.GetChars(leaf, chars);
        return dirPath.EndsWith('/') ? string.Concat(dirPath.AsSpan(), chars[..n]) : string.Concat(dirPath.AsSpan(), "/", chars[..n]);
    }

    // Lists the directory opened beneath the module, which stays open (in fd, the caller closes it) for its entries'
    // stats; -1 when it could not be listed.
    private static int ListBeneath(BeneathRoot root, string relative, bool follow, Action<ReadOnlySpan<byte>, EntryType> add,
        int extraFlags, out int fd)
    {
        fd = root.Open(relative, Interop.O_RDONLY | Interop.O_DIRECTORY | (follow ? 0 : Interop.O_NOFOLLOW) | extraFlags, out int errno);
        return ListOpened(add, ref fd, errno);
    }

    // Lists the directory at its path (outside a module), kept open as ListBeneath's is: its entries are stat'ed at it,
    // a lookup of one name where their whole path (the source's own directories first) cost the kernel a walk each.
    private static int ListHeld(string path, bool follow, Action<ReadOnlySpan<byte>, EntryType> add, int extraFlags, out int fd)
    {
        fd = RawDirectory.OpenDirectory(FileNameEncoding.Encode(path), out int errno, followLink: follow, extraFlags: extraFlags);
        return ListOpened(add, ref fd, errno);
    }

    private static int ListOpened(Action<ReadOnlySpan<byte>, EntryType> add, ref int fd, int errno)
    {
        if (fd < 0)
            return errno;
        bool listed = false;
        try
        {
            errno = RawDirectory.ListOpened(fd, add);
            listed = errno == 0;
        }
        finally
        {
            if (!listed)
            {
                _ = Interop.Close(fd);
                fd = -1;
            }
        }
        return errno;
    }

    // A sender that follows links lists directories through them (flist.c: send_directory uses opendir, not
    // secure_opendir, with -L, -k or --copy-unsafe-links).
    private bool FollowsLinks => _options.CopyLinks || _options.CopyDirLinks || _options.CopyUnsafeLinks;

    private bool Unreadable(string path, NativeStat.Info info) =>
        IgnoreNonreadable && (info.Mode & FileEntry.S_IFMT) != FileEntry.S_IFLNK && Interop.Access(path, Interop.R_OK) != 0;

    // rsync exclude.c: check_filter on the sender (is_excluded with ALL_FILTERS), then the caller's own verdict, which
    // is given the entry's path as this side reaches it too. name: null only where neither is set (AddListed makes no
    // string for it then).
    private bool Excluded(string? name, string path, bool isDirectory) =>
        _filters?.IsExcluded(name!, isDirectory) == true || _isExcluded?.Invoke(name!, path, isDirectory) == true;

    private bool Stat(string path, bool followDirLinks, out NativeStat.Info info)
    {
        int err = LinkStat(path, followDirLinks, out info);
        if (err == 0)
            return true;
        Report(path, err, vanished: false);
        return false;
    }

    // A symlink's target; in a module, read at the directory opened beneath it, so a parent raced into a link out
    // of the module is never followed (sender.c: the 3.5.0 sender reads a listed entry at its directory's fd).
    private byte[]? ReadLink(string path)
    {
        if (_options.FakeSuper && ReadFakeLink(path) is { } content)
            return content;
        if (Confinement?.Relative(path) is not { } beneath || beneath == ".")
            return LocalFile.ReadLink(path);
        return Confinement.LinkStat(beneath, follow: false, out _, out byte[]? target) == 0 ? target : null;
    }

    // rsync flist.c: link_stat — -L follows every symlink; followDirLinks (-k, or a command-line name ending in '/')
    // one that points to a directory.
    private int LinkStat(string path, bool followDirLinks, out NativeStat.Info info)
    {
        int err = RealLinkStat(path, followDirLinks, out info);
        // xattrs.c: x_lstat / x_stat — a fake-super sender lists what the user.rsync.%stat xattr says.
        if (err == 0 && _options.FakeSuper)
            info = FoldFakeStat(path, info);
        return err;
    }

    private int RealLinkStat(string path, bool followDirLinks, out NativeStat.Info info)
    {
        if (_options.CopyLinks)
            return NativeStat.TryStat(path, out info);
        int err = _statAt.Fd >= 0 && ReferenceEquals(path, _statAt.Path)
            ? NativeStat.TryStatAt(_statAt.Fd, _statAt.Names!.WithNul(_statAt.Index), Interop.AT_SYMLINK_NOFOLLOW, out info)
            : Confinement?.Relative(path) is { } beneath and not "."
            ? Confinement.LinkStat(beneath, follow: false, out info, out _)
            : NativeStat.TryLstat(path, out info);
        if (err == 0 && followDirLinks && (info.Mode & FileEntry.S_IFMT) == FileEntry.S_IFLNK
            && NativeStat.TryStat(path, out NativeStat.Info target) == 0 && (target.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR)
            info = target;
        return err;
    }

    // Opens a listed entry to read its xattr or a fake symlink's content: beneath a module's root when confined,
    // never through a symlink at the last component.
    private int OpenNoFollow(string path, int flags)
    {
        flags |= Interop.O_RDONLY | Interop.O_NOFOLLOW | Interop.O_NONBLOCK | Interop.O_NOCTTY | Interop.O_CLOEXEC;
        return Confinement?.Relative(path) is { } beneath
            ? Confinement.Open(beneath, flags, out _)
            : Interop.OpenAt(Interop.AT_FDCWD, path, flags, 0);
    }

    // xattrs.c: get_stat_xattr — only a regular file or a directory holds one; none (or unreadable) leaves the real
    // stat; a value that does not parse ends the run (RERR_FILEIO).
    private NativeStat.Info FoldFakeStat(string path, NativeStat.Info info)
    {
        int type = info.Mode & FileEntry.S_IFMT;
        if (type is not (FileEntry.S_IFREG or FileEntry.S_IFDIR))
            return info;
        int fd = OpenNoFollow(path, type == FileEntry.S_IFDIR ? Interop.O_DIRECTORY : 0);
        if (fd < 0)
            return info;
        using var handle = new DescriptorHandle(fd);
        if (FakeStat.TryRead(handle.Fd, out FakeStat fake, out string? corrupt) != 0)
            return info;
        if (corrupt is not null)
        {
            throw new RsyncException(RsyncErrorKind.FileIo,
                $"Corrupt {FakeStat.XattrName} xattr attached to \"{FileNameEncoding.Display(path)}\": \"{corrupt}\"");
        }
        return info with
        {
            Mode = (int)fake.Mode, Uid = (int)fake.Uid, Gid = (int)fake.Gid,
            RdevMajor = (int)fake.RdevMajor, RdevMinor = (int)fake.RdevMinor,
        };
    }

    // acls.c: get_acl — through a descriptor held on the entry (opened for reading where it is a directory or regular
    // file, else O_PATH); a name -L / --copy-links followed is opened through its link, as stock's get_acl follows it.
    // What cannot be read is reported in stock's words (the sender's get_acl reads by name: sys_acl_get_file) as an
    // I/O error of the list, and null leaves the entry out (flist.c: send_file_name).
    private EntryAcls? ReadAcls(string path, int mode)
    {
        int type = mode & FileEntry.S_IFMT;
        bool pathOnly = type is not (FileEntry.S_IFREG or FileEntry.S_IFDIR);
        int flags = type == FileEntry.S_IFDIR ? Interop.O_DIRECTORY : 0;
        int fd = pathOnly ? OpenPathOnly(path) : OpenNoFollow(path, flags);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Interop.ELOOP && Confinement is null)
            fd = Interop.OpenAt(Interop.AT_FDCWD, path, (pathOnly ? Interop.O_PATH : Interop.O_RDONLY | Interop.O_NONBLOCK | flags) | Interop.O_CLOEXEC, 0);
        if (fd < 0 && !pathOnly)
        {
            pathOnly = true;
            fd = OpenPathOnly(path);
        }
        string? error;
        EntryAcls? acls = null;
        if (fd < 0 && _options.FakeSuper)
        {
            // xattrs.c: get_xattr_acl reads with no_missing_error: an entry it cannot reach has no ACL.
            acls = new EntryAcls(RsyncAcl.Empty, (mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR ? RsyncAcl.Empty : null);
            error = null;
        }
        else if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            error = $"get_acl: sys_acl_get_file({{0}}, ACL_TYPE_ACCESS) failed: {ErrnoText(errno)} ({errno})";
        }
        else
        {
            using var handle = new DescriptorHandle(fd);
            acls = AclStore.Read(handle.Fd, pathOnly, mode, _options.FakeSuper, out error, call: "sys_acl_get_file");
        }
        if (error is not null)
        {
            IoError |= IoErrorGeneral;
            if (error.Length > 0)
                _warn("rsync: [sender] " + string.Format(System.Globalization.CultureInfo.InvariantCulture, error, FileNameEncoding.Display(path)));
        }
        return acls;
    }

    // O_PATH takes no flag but O_CLOEXEC, O_DIRECTORY and O_NOFOLLOW (openat2 refuses the others: EINVAL).
    private int OpenPathOnly(string path)
    {
        int flags = Interop.O_PATH | Interop.O_NOFOLLOW | Interop.O_CLOEXEC;
        return Confinement?.Relative(path) is { } beneath
            ? Confinement.Open(beneath, flags, out _)
            : Interop.OpenAt(Interop.AT_FDCWD, path, flags, 0);
    }

    // syscall.c: do_readlink with am_root < 0 — a fake symlink's target is its file's content (MAXPATHLEN at most);
    // a real symlink (ELOOP) is read as one.
    private unsafe byte[]? ReadFakeLink(string path)
    {
        int fd = OpenNoFollow(path, 0);
        if (fd < 0)
            return null;
        using var handle = new DescriptorHandle(fd);
        byte* buffer = stackalloc byte[4096];
        nint n = Interop.Read(handle.Fd, buffer, 4095);
        return n < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }

    // rsync flist.c: readlink_stat — as link_stat with -k, and --copy-unsafe-links follows a link leading outside the
    // transfer (said with -v: INFO SYMSAFE).
    private int ReadLinkStat(string path, byte[] name, out NativeStat.Info info)
    {
        int err = LinkStat(path, _options.CopyDirLinks, out info);
        if (err != 0 || !_options.CopyUnsafeLinks || (info.Mode & FileEntry.S_IFMT) != FileEntry.S_IFLNK)
            return err;
        byte[] target = ReadLink(path) ?? [];
        if (!SymlinkSafety.IsUnsafe(target, name))
            return 0;
        if (_options.Info.Gte(InfoFlag.Symsafe, 1))
            _info($"copying unsafe symlink \"{FileNameEncoding.Display(name)}\" -> \"{FileNameEncoding.Display(target)}\"");
        return NativeStat.TryStat(path, out info);
    }

    // flist.c: make_file — a link the options follow that points nowhere is named as such (an error of the
    // transfer), anything else that is gone has vanished.
    private void ReportUnfollowed(string path, int errno)
    {
        if (errno == Interop.ENOENT && FollowsLinks
            && NativeStat.TryLstat(path, out NativeStat.Info link) == 0 && (link.Mode & FileEntry.S_IFMT) == FileEntry.S_IFLNK)
        {
            IoError |= IoErrorGeneral;
            _warn($"symlink has no referent: {FullName(path, cleaned: true)}");
            return;
        }
        Report(path, errno, vanished: errno == Interop.ENOENT, listed: true);
    }

    // flist.c: an argument's failure is link_stat's (send_file_list), a listed entry's readlink_stat's (make_file),
    // each naming the path as full_fname does.
    private void Report(string path, int errno, bool vanished, bool listed = false)
    {
        if (vanished)
        {
            IoError |= IoErrorVanished;
            _warn($"file has vanished: {FullName(path, cleaned: true)}");
        }
        else
        {
            IoError |= IoErrorGeneral;
            _warn(listed ? $"rsync: [sender] readlink_stat({FullName(path, cleaned: true)}) failed: {ErrnoText(errno)} ({errno})"
                : $"rsync: [sender] link_stat {FullName(path, cleaned: true)} failed: {ErrnoText(errno)} ({errno})");
        }
    }

    // rsync prints strerror(errno).
    private static string ErrnoText(int errno) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);

    // flist.c: make_file with copy_devices on a sender — a device is listed as a regular file with its permissions, the
    // size lstat gives or, when that is 0, where lseek(SEEK_END) ends (util1.c: get_device_size; a device it cannot
    // open keeps 0), and the time of now ("The mtime on the device is not up-to-date"; its nanoseconds stay).
    private void CopiedDevice(FileEntry entry, string path, NativeStat.Info info)
    {
        entry.Mode = FileEntry.S_IFREG | (info.Mode & 0x1FF);
        entry.ModTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        entry.RdevMajor = 0;
        entry.RdevMinor = 0;
        entry.Size = info.Size;
        if (entry.Size == 0)
        {
            int fd = OpenNoFollow(path, 0);
            if (fd >= 0)
            {
                using var handle = new DescriptorHandle(fd);
                entry.Size = DeviceSize.Of(handle.Fd);
            }
        }
    }

    private long _scanned;

    // flist.c: send_file_name returns NULL (the entry is not listed, nor what is below a directory) when get_acl or
    // get_xattr fails, after their message and with io_error |= IOERR_GENERAL.
    private FileEntry? Make(string name, string path, NativeStat.Info info) => Make(FileNameEncoding.Encode(name), path, info);

    private FileEntry? Make(byte[] name, string path, NativeStat.Info info)
    {
        int type = info.Mode & FileEntry.S_IFMT;
        var entry = new FileEntry
        {
            Name = name,
            LocalPath = path,
            Mode = info.Mode,
            Size = type is FileEntry.S_IFREG or FileEntry.S_IFDIR or FileEntry.S_IFLNK ? info.Size : 0,
            ModTime = info.MTime,
            ModTimeNsec = info.MTimeNsec,
            // Only -U sends or looks at the access time, and the scan's order only orders -c's reads under -U
            // (SenderRole.ComputeListChecksums): without it neither is kept (FileEntry keeps such fields apart).
            AccessTime = _options.Atimes ? info.ATime : 0,
            ScanOrder = _options.Atimes ? _scanned++ : 0,
            Uid = info.Uid,
            Gid = info.Gid,
            RdevMajor = info.RdevMajor,
            RdevMinor = info.RdevMinor,
        };
        if (_options.CopyDevices && type is FileEntry.S_IFCHR or FileEntry.S_IFBLK)
            CopiedDevice(entry, path, info);
        if (type == FileEntry.S_IFLNK)
        {
            entry.LinkTarget = ReadLink(path) ?? [];
            entry.Size = entry.LinkTarget.Length;
            // The length stays the one on disk (rsync flist.c: readlink_stat changes only the name it sends).
            if (_linkTarget is not null)
                entry.LinkTarget = _linkTarget(entry.LinkTarget);
        }
        // flist.c: send_file_name applies --chmod to every entry but symlinks.
        if (_options.Chmod is { } chmod && type != FileEntry.S_IFLNK && entry.Mode != 0)
            entry.Mode = chmod.Apply(entry.Mode);
        // flist.c: send_file_name — get_acl with the mode --chmod made (sx.st.st_mode = file->mode).
        if (_options.Acls && type != FileEntry.S_IFLNK)
        {
            if (ReadAcls(path, entry.Mode) is not { } acls)
                return null;
            entry.Acls = acls;
        }
        if (_options.HardLinks && type != FileEntry.S_IFDIR)
        {
            entry.Dev = info.Dev;
            entry.Ino = info.Ino;
            entry.Nlink = info.Nlink;
        }
        if (_options.Xattrs > 0)
        {
            if (ReadXattrs(path, entry) is not { } xattrs)
                return null;
            entry.Xattrs = xattrs;
        }
        return entry;
    }
}
