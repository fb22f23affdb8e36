using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// --delete on our side: what the sender no longer has goes, except what the filter rules exclude. rsync's receiver
// keeps its own filter list for this (exclude.c send_filter_list parses the rules on the client too) and a name
// excluded on the receiver side is protected, also inside a directory being deleted (delete.c delete_dir_contents:
// such a directory stays, "cannot delete non-empty directory"), except by perishable rules, which only protect
// names the sender's directories still hold.
// When (rsync generator.c: generate_files, delete_in_dir; compat.c: --delete alone is --delete-during from protocol
// 30, --delete-before below it): before = one pass over every directory of the list ahead of the first request;
// during = each directory as the generator reaches it; delay = chosen during, removed after the transfers
// (remember_delete / do_delayed_deletions); after = one pass after the transfers. A dry run reports the same
// "deleting" lines and removes nothing (syscall.c: do_unlink/do_rmdir return early under dry_run).
internal sealed partial class GeneratorRole
{
    private FilterMatcher? _protect;

    /// <summary>The names each directory of the list keeps; null when nothing is to be deleted.</summary>
    private Dictionary<string, HashSet<string>>? _keep;

    /// <summary>--delete-delay: what the generator chose, in the order it chose it (generator.c: remember_delete).</summary>
    private readonly List<(string Path, DeleteFlags Flags)> _remembered = [];

    // rsync generator.c: delete_in_dir — the sender's lists so far had a general I/O error (io_error & IOERR_GENERAL;
    // a vanished file alone does not stop deletions): each delete_in_dir says so once and deletes nothing. Asked at
    // each directory: with incremental recursion a later part's error (a directory the sender could not open) stops
    // the deletions from there on, those already made stay made.
    private bool SkipForIoError => (run.ListIoError & FileListBuilder.IoErrorGeneral) != 0 && !Options.IgnoreErrors;

    private DeleteTiming EffectiveDeleteTiming => Options.Delete switch
    {
        DeleteTiming.Default or DeleteTiming.None => Protocol >= 30 ? DeleteTiming.During : DeleteTiming.Before,
        DeleteTiming chosen => chosen,
    };

    private Dictionary<string, HashSet<string>>? PlanDeletion()
    {
        // rsync generator.c: do_delete_pass and delete_in_dir do nothing in a destination a dry run did not make.
        if (Destination is null || run.SingleFileName is not null)
            return null;
        // The receiver's rules also guard what --delete-missing-args removes (generator.c: recv_generator checks
        // filter_list before delete_item).
        _protect = CreateProtection();
        if (!Options.IsDeleting)
            return null;
        _protect = CreateProtection();
        return ChildrenByDirectory();
    }

    private bool _ioErrorSaid;

    private bool SkipDeletionsForIoError()
    {
        if (!SkipForIoError)
            return false;
        if (_ioErrorSaid)
            return true;
        _ioErrorSaid = true;
        // An FINFO line (the sender's error already makes the run partial): a client's stdout.
        const string skipping = "IO error encountered -- skipping file deletion";
        if (run.Connection.ServerLog is { } server)
            server.Info(skipping);
        else
            SayNow(skipping);
        return true;
    }

    // --debug=delN: the generator's own lines (rprintf FINFO), printed at once like "deleting".
    private void DebugDel(int level, string line)
    {
        if (Options.DebugDel >= level)
            SayNow(line);
    }

    // delete.c: delete_item's --debug=del2 line.
    private void DebugDeleteItem(string path, EntryStatus st, DeleteFlags flags)
    {
        if (Options.DebugDel >= 2)
            DebugDel(2, $"delete_item({FileNameEncoding.Display(path)}) mode={Convert.ToString((int)(st.Mode & 0xFFFF), 8)} flags={(int)flags}");
    }

    private FilterMatcher? CreateProtection() =>
        run.Filters is { } filters && (filters.Rules.Count > 0 || filters.CvsExclude)
            ? filters.CreateMatcher(FilterSide.Receiver, new FilterMatcherOptions { LocalRoot = run.Target.Destination, ReadFile = run.Target.ReadPerDirectoryFile })
            : null;

    // rsync generator.c: do_delete_pass — every directory of the list that exists locally, in list order.
    private void DeletePass()
    {
        if (_keep is null)
            return;
        for (int ndx = 0; ndx < Files.Count; ndx++)
        {
            FileEntry file = Files[ndx];
            if (!file.IsDirectory || file.IsNoContentDir || file.Pruned || file.Cleared)
                continue;
            if (file.IsTopDir)
                DebugDel(1, $"deleting in {FileNameEncoding.Display(run.Names[ndx])}");
            if (Destination!.Stat(run.Names[ndx]) is not { IsDirectory: true })
                continue;
            _generating = ndx;
            DeleteExtraneous(file, run.Names[ndx], remember: false);
        }
        _generating = -1;
    }

    // rsync generator.c: delete_in_dir — the local directory's entries, last first in file-list order, that the
    // sender's list does not hold.
    private void DeleteExtraneous(FileEntry file, string directory, bool remember)
    {
        DebugDel(2, $"delete_in_dir({FileNameEncoding.Display(directory)})");
        if (SkipDeletionsForIoError() || !OnDeletionFilesystem(file, directory))
            return;
        HashSet<string> wanted = _keep!.GetValueOrDefault(directory) ?? [];
        foreach (string child in SortedForDeletion(directory))
        {
            if (wanted.Contains(child))
                continue;
            string path = directory == "." ? child : directory + "/" + child;
            if (IsMountPoint(path))
            {
                // generator.c: delete_in_dir (INFO MOUNT, a -vv level).
                if (Options.Info.Gte(InfoFlag.Mount, 1))
                    run.Log.Info($"cannot delete mount point: {FileNameEncoding.Display(path)}");
                continue;
            }
            // generator.c: delete_in_dir — DEL_NO_UID_WRITE for an entry of ours we could not write (not as root).
            DeleteFlags flags = DeleteFlags.Recurse;
            if (Destination!.Stat(path) is { } st && OursUnwritable(st))
                flags |= DeleteFlags.NoUidWrite;
            if (remember)
                _remembered.Add((path, flags));
            else
                DeleteUnlessProtected(path, flags);
        }
    }

    // rsync generator.c: do_delayed_deletions.
    private void DeleteRemembered()
    {
        foreach ((string path, DeleteFlags flags) in _remembered)
        {
            try
            {
                DeleteUnlessProtected(path, flags | DeleteFlags.Recurse);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                run.ReportFailure(e.Message);
            }
        }
        _remembered.Clear();
    }

    /// <summary>
    /// The names in a local directory in the order rsync walks them when deleting: its get_dirlist sorts them as a
    /// file list (flist.c: f_name_cmp, files before subdirectories from protocol 29) and delete_in_dir and
    /// delete_dir_contents go from the last to the first.
    /// </summary>
    private List<string> SortedForDeletion(string directory)
    {
        var entries = new List<(string Name, byte[] Bytes, bool IsDirectory)>();
        Func<string, bool, bool>? moduleExcluded = run.Target.ModuleExcluded;
        foreach (string child in Destination!.List(directory))
        {
            string path = directory == "." ? child : directory + "/" + child;
            bool isDirectory = Destination.Stat(path) is { IsDirectory: true };
            // flist.c: get_dirlist — what a daemon module's rules exclude is not listed, so never deleted.
            if (moduleExcluded is not null && moduleExcluded(path, isDirectory))
                continue;
            entries.Add((child, FileNameEncoding.Encode(child), isDirectory));
        }
        int protocol = Protocol;
        entries.Sort((a, b) => FileListOrder.Compare(b.Bytes, b.IsDirectory, a.Bytes, a.IsDirectory, protocol));
        return entries.ConvertAll(e => e.Name);
    }

    /// <summary>
    /// rsync generator.c: atomic_create and recv_generator (DEL_FOR_FILE, DEL_FOR_SYMLINK, DEL_FOR_DEVICE) — a directory
    /// in the way of a non-directory goes first. Its contents go only with a delete option (del_opts is DEL_RECURSE
    /// with delete_mode or --force), each with its own "deleting" line; the directory itself is neither logged nor
    /// counted (delete.c: delete_item skips log_delete under DEL_MAKE_ROOM). When it cannot go, "could not make way
    /// for new KIND: NAME" is an error of the transfer (exit 23) and the entry is skipped.
    /// </summary>
    // delete.c: delete_item's line is the generator's own output, printed at once like "deleting" (a pull's client
    // prints it ahead of the transfer lines still held for the sender's echo).
    private void CannotDeleteNonEmpty(string path) => SayNow($"cannot delete non-empty directory: {FileNameEncoding.Display(path)}");

    private void SayNow(string line)
    {
        if (run.Order is { } order)
            order.AddNow(line);
        else
            run.Log.Info(line);
    }

    private bool MakeWay(string path, string kind)
    {
        DeleteFlags forKind = kind switch
        {
            "regular file" => DeleteFlags.ForFile,
            "symlink" => DeleteFlags.ForSymlink,
            "device file" => DeleteFlags.ForDevice,
            _ => DeleteFlags.ForSpecial,
        };
        if (DeleteUnlessProtected(path, DeleteOptions | forKind))
            return true;
        run.ReportFailure($"could not make way for new {kind}: {FileNameEncoding.Display(path)}");
        return false;
    }

    // generator.c: del_opts is DEL_RECURSE with --delete or --force.
    private DeleteFlags DeleteOptions => Options.IsDeleting || Options.Force ? DeleteFlags.Recurse : DeleteFlags.None;

    /// <summary>
    /// generator.c: recv_generator's delete_item for an entry of another kind in the way that goes without our
    /// <see cref="DeleteUnlessProtected"/> (a non-directory in the way of a directory, or of a regular file): only its
    /// --debug=del2 line, the caller removes or replaces it.
    /// </summary>
    private void DebugMakeRoom(string path, EntryStatus local, DeleteFlags forKind) =>
        DebugDeleteItem(path, local, DeleteOptions | forKind | (OursUnwritable(local) ? DeleteFlags.NoUidWrite : 0));

    /// <summary>
    /// Deletes <paramref name="path"/> unless the rules protect it or something in it (rsync delete.c: delete_item;
    /// get_dirlist leaves a protected name out of what delete_in_dir and delete_dir_contents see, and making room
    /// ignores the rules for the entry itself), a directory's contents first, each with its own "deleting" line;
    /// returns whether it went.
    /// </summary>
    private bool DeleteUnlessProtected(string path, DeleteFlags flags)
    {
        if (Destination!.Stat(path) is not { } st)
            return true;
        if ((flags & DeleteFlags.MakeRoom) == 0 && _protect is not null && _protect.IsExcluded(path, st.IsDirectory))
            return false;
        // generator.c: recv_generator's del_opts and delete_in_dir — DEL_NO_UID_WRITE for an entry of ours we cannot write.
        if (OursUnwritable(st))
            flags |= DeleteFlags.NoUidWrite;
        return DeleteItem(path, st, flags);
    }

    // rsync delete.c: delete_dir_contents — the directory's entries, last first; a subdirectory's contents before the
    // subdirectory itself, which then goes as an empty one. Returns whether nothing is left (else "cannot delete
    // non-empty directory"); without DEL_RECURSE it only finds out whether there is anything.
    private bool DeleteDirContents(string path, DeleteFlags flags)
    {
        DebugDel(3, $"delete_dir_contents({FileNameEncoding.Display(path)}) flags={(int)flags}");
        bool emptied = true;
        DeleteFlags inner = (flags & ~(DeleteFlags.Recurse | DeleteFlags.MakeRoom | DeleteFlags.NoUidWrite)) | DeleteFlags.DirIsEmpty;
        foreach (string child in SortedForDeletion(path))
        {
            string childPath = path + "/" + child;
            if ((flags & DeleteFlags.Recurse) == 0)
            {
                emptied = false;
                break;
            }
            // delete.c: delete_dir_contents — with -x a mount point inside pins the directory.
            if (IsMountPoint(childPath))
            {
                DebugDel(1, $"mount point, {FileNameEncoding.Display(childPath)}, pins parent directory");
                emptied = false;
                continue;
            }
            if (Destination!.Stat(childPath) is not { } st)
                continue;
            if (_protect is not null && _protect.IsExcluded(childPath, st.IsDirectory))
            {
                emptied = false;
                continue;
            }
            // delete.c: delete_dir_contents — del_chmod on an entry of ours without S_IWUSR before it goes.
            if (OursUnwritable(st))
                AddOwnerWrite(childPath, st);
            if (st.IsDirectory && !DeleteDirContents(childPath, inner | DeleteFlags.Recurse))
                emptied = false;
            if (!DeleteItem(childPath, st, inner))
                emptied = false;
        }
        if (!emptied)
            CannotDeleteNonEmpty(path);
        return emptied;
    }

    // rsync delete.c: delete_item.
    private bool DeleteItem(string path, EntryStatus st, DeleteFlags flags)
    {
        DebugDeleteItem(path, st, flags);
        // delete.c: delete_item — DEL_NO_UID_WRITE: del_chmod first.
        if ((flags & DeleteFlags.NoUidWrite) != 0)
            AddOwnerWrite(path, st);
        bool isDirectory = st.IsDirectory;
        bool makingWay = (flags & DeleteFlags.MakeRoom) != 0;
        if (isDirectory && (flags & DeleteFlags.DirIsEmpty) == 0)
        {
            bool outermost = _protect is not null && !_protect.IgnorePerishable;
            if (_protect is not null)
                _protect.IgnorePerishable = true;
            bool emptied = DeleteDirContents(path, flags);
            if (outermost)
                _protect!.IgnorePerishable = false;
            if (!emptied)
                return false;
        }
        if (!makingWay && SkipForDeletionLimit())
            return false;
        // rmdir fails with ENOTEMPTY (delete.c: delete_item) when something stayed: with -b the deleted contents kept
        // as backups inside, in a subdirectory what the rules protect or --max-delete left. A dry run's rmdir removes
        // nothing and succeeds (syscall.c: do_unlink_atfd).
        if (isDirectory && !Options.DryRun && Destination!.List(path).Count > 0)
        {
            CannotDeleteNonEmpty(path);
            return false;
        }
        // delete.c: delete_item keeps a backup of what it deletes with -b (not of a directory, nor of a backup).
        if (!isDirectory && Backups.WantedOnDelete(Options, st, path))
            run.Backups.Keep(path);
        if (!Options.DryRun)
        {
            try
            {
                Destination!.Delete(path);
            }
            catch (RsyncException e) when (e.Errno is { } errno)
            {
                // delete.c: delete_item — a failed unlink or rmdir is reported and the run goes on (DR_FAILURE).
                run.ReportFailure($"rsync: [generator] delete_file: {(isDirectory ? "rmdir" : "unlink")}({FileNameEncoding.Display(path)}) failed: {SystemError.Describe(errno)}");
                return false;
            }
        }
        if (makingWay)
            return true;
        CountDeleted(st);
        if (run.IsServer)
        {
            // rsync log.c: log_delete — a server tells the client, which prints the line (protocol 29+; a directory's
            // name ends in a NUL).
            if (Protocol >= 29)
                TellDeleted(path, isDirectory);
            // log.c: log_delete — and its own log file, under a daemon's transfer logging (never in a dry run).
            if (Options.LogFileFormat is not null && !Options.DryRun)
                run.Log.Deleted(FileNameEncoding.Display(path), isDirectory, (int)st.Mode);
        }
        else if (Options.ReportsDeletions)
        {
            // rsync log.c: log_delete — "deleting %n" with -v, "*deleting   %n" with -i; printed by the generator at
            // once, ahead of lines that wait for the sender's answer.
            string name = FileNameEncoding.Display(path);
            if (run.Order is { } order)
                order.DeletedNow(name, isDirectory, (int)st.Mode);
            else
                run.Log.Deleted(name, isDirectory, (int)st.Mode);
        }
        return true;
    }

    // -x on the receiving side (generator.c: delete_in_dir): deletion stays on the filesystem of the top directory it
    // started in (or of an earlier top directory), and a directory of another device inside it is a mount point that
    // is neither deleted nor entered (flist.c: make_file FLAG_MOUNT_DIR, compared with filesystem_dev).
    private readonly HashSet<ulong> _topDevices = [];
    private ulong? _filesystem;

    private bool OnDeletionFilesystem(FileEntry file, string directory)
    {
        if (Options.OneFileSystem == 0 || Destination!.Stat(directory) is not { } st)
            return true;
        if (file.IsTopDir)
            _topDevices.Add(st.Device);
        else if (st.Device != DeletionFilesystem && !_topDevices.Contains(st.Device))
            return false;
        _filesystem = st.Device;
        return true;
    }

    // main.c: do_recv sets filesystem_dev to the destination's device before any top directory is seen.
    private ulong DeletionFilesystem => _filesystem ??= Destination!.Stat(".") is { } top ? top.Device : 0;

    private bool IsMountPoint(string path) =>
        Options.OneFileSystem > 0 && Destination!.Stat(path) is { IsDirectory: true } st && st.Device != DeletionFilesystem;

    private void TellDeleted(string path, bool isDirectory)
    {
        byte[] name = FileNameEncoding.Encode(path);
        byte[] payload = new byte[name.Length + (isDirectory ? 1 : 0)];
        name.CopyTo(payload, 0);
        run.Connection.ServerLog!.Send(MessageCode.Deleted, payload);
    }

    // rsync delete.c: delete_item counts by kind; deleted_files is the total on the wire (main.c: write_del_stats).
    private void CountDeleted(EntryStatus st)
    {
        uint type = st.Mode & 0xF000;
        if (type == 0x8000) run.Stats.DeletedFiles++;
        else if (type == 0x4000) run.Stats.DeletedDirs++;
        else if (type == 0xA000) run.Stats.DeletedSymlinks++;
        else if (type is 0x2000 or 0x6000) run.Stats.DeletedDevices++;
        else run.Stats.DeletedSpecials++;
    }

    // The names each directory of the list keeps (rsync generator.c: delete_in_dir compares the local directory
    // with the received entries below it).
    private Dictionary<string, HashSet<string>> ChildrenByDirectory()
    {
        var children = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        // With incremental recursion each part adds its names as the walk reaches it (GeneratorRole.Incremental.cs).
        if (run.Lists is null)
            KeepChildren(children, 0, Files.Count);
        return children;
    }

    // Adds the entries [from, to) of the list to the names their directories keep.
    private void KeepChildren(Dictionary<string, HashSet<string>> children, int from, int to)
    {
        for (int ndx = from; ndx < to; ndx++)
        {
            string name = run.Names[ndx];
            if (name == "." || Files[ndx].Pruned)
                continue;
            int slash = name.LastIndexOf('/');
            string parent = slash < 0 ? "." : name[..slash];
            if (!children.TryGetValue(parent, out var set))
                children[parent] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(slash < 0 ? name : name[(slash + 1)..]);
        }
    }
}
