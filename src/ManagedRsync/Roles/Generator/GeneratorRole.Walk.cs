using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Generator;

// rsync generator.c: generate_files' walk and recv_generator for each entry: directories, symlinks and devices are
// made here, regular files that fail the quick check are requested (GeneratorRole.Requests.cs).
internal sealed partial class GeneratorRole
{
    private void GenerateAll()
    {
        _keep = PlanDeletion();
        // rsync generator.c: generate_files — --delete-before is a whole pass ahead of the first request.
        if (_keep is not null && EffectiveDeleteTiming == DeleteTiming.Before)
            DeletePass();
        _flushed = run.Connection.Out.TotalWritten;
        int nextLoopCheck = 0;
        for (int ndx = 0; ndx < Files.Count; ndx++)
        {
            GenerateAt(ndx);
            if (ndx >= nextLoopCheck)
            {
                MaybeFlushSocket(ndx);
                nextLoopCheck += LoopCheckLimit;
            }
        }
        _generating = -1;
    }

    // rsync generator.c: generate_files checks the socket after the entry at next_loopchk (the first, then every
    // loopchk_limit = 200 without --timeout).
    private const int LoopCheckLimit = 200;

    /// <summary>
    /// rsync io.c: maybe_flush_socket(0) with the whole list in (flist_eof): without --timeout last_io_out is never
    /// set (perform_io updates it only when io_timeout is), so it flushes whenever data waits. The messages queued so
    /// far go first (perform_io), then the data: a server's deletions in the top directory, then the top directory's
    /// itemization, which is why a stock client prints "./" between them and the deletions below it (a push or a local
    /// copy with --no-i-r). With --timeout it flushes only after 5 idle seconds, which a walk that writes does not
    /// reach: nothing is flushed then. Where the client offered incremental recursion, stock's server takes it: it
    /// flushes at the end of each part (waiting for the receiver), so within a part every deletion precedes the names;
    /// our server declines it and keeps that order by not flushing here (the order across parts, dir by dir, no walk of
    /// a whole list gives). A client's generator (a pull) prints its deletions itself: its flushes change no output.
    /// </summary>
    private void MaybeFlushSocket(int ndx)
    {
        Connection conn = run.Connection;
        if (!conn.IsServer || Options.Timeout != 0 || !conn.Out.HasBufferedData)
            return;
        if (conn.ClientOfferedIncremental && IncrementalRecursion.StockAllows(Options, weSend: false))
            return;
        conn.Send();
        _flushed = conn.Out.TotalWritten;
        run.Order?.Release(ndx);
    }

    /// <summary>Output written when the walk last released log lines.</summary>
    private long _flushed;

    // One entry of the walk: a failure local to it is reported and the walk goes on.
    private void GenerateAt(int ndx)
    {
        _generating = ndx;
        try
        {
            GenerateOne(ndx);
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            run.ReportFailure(e.Message);
        }
        run.Order?.GeneratorDone(ndx);
        if (run.Connection.Out.TotalWritten != _flushed)
        {
            // What went out can be answered now; a stock client prints an entry's line only when the sender's
            // answer comes back, so lines wait for the requests that carry their index.
            _flushed = run.Connection.Out.TotalWritten;
            run.Order?.Release(ndx);
        }
    }

    /// <summary>
    /// flist.c: recv_file_entry counts each entry's kind as it arrives (num_dirs, num_symlinks, ...), before
    /// flist_sort_and_clean clears a duplicate; the walk counts the entries it settles, so a cleared copy's kind is
    /// counted here (a regular file's is what num_files leaves over in --stats' breakdown).
    /// </summary>
    private void CountCleared(FileEntry file)
    {
        if (file.IsDirectory)
            run.Stats.NumDirs++;
        else if (file.IsSymlink)
            run.Stats.NumSymlinks++;
        else if (file.IsDevice)
            run.Stats.NumDevices++;
        else if (file.IsSpecial)
            run.Stats.NumSpecials++;
    }

    /// <summary>lstat of a destination name, or nothing when a dry run has not made the directory it would be in.</summary>
    private EntryStatus? StatLocal(string name, bool directory = false)
    {
        // rsync generator.c: recv_generator — with dry_run > 1 (no destination) or below dry_missing_dir every entry
        // is treated as missing (statret -1, ENOENT) instead of being looked up.
        if (Destination is null)
            return null;
        if (_dryMissingDir is { } missing)
        {
            if (name.Length > missing.Length && name[missing.Length] == '/' && name.StartsWith(missing, StringComparison.Ordinal))
                return null;
            _dryMissingDir = null;
        }
        // A name below a -K link that leads out of the destination: stock's stat of it goes through its secure walk,
        // which refuses the link (ELOOP). generator.c: recv_generator — a file's "failed to stat" ends it; a directory
        // counts as missing, and its mkdir fails in turn (MakeBelowLinkOut).
        if (BelowLinkOut(name))
        {
            if (directory)
                return null;
            throw new RsyncException(RsyncErrorKind.EntryFailed, $"rsync: [generator] recv_generator: failed to stat {FullName(name)}: {LoopText}");
        }
        return Destination.Stat(name);
    }

    private const string LoopText = "Too many levels of symbolic links (40)";

    private bool BelowLinkOut(string name) => _linksOut is not null && _linksOut.Any(link => name.StartsWith(link, StringComparison.Ordinal));

    /// <summary>-K links that lead out of the destination (a client's; a daemon's stat never leaves its module), with "/".</summary>
    private List<string>? _linksOut;

    /// <summary>The parent the last entry was checked against (generator.c: parent_dirname).</summary>
    private string? _checkedParent;

    /// <summary>The directories the list holds, for <see cref="CheckParentListed"/>.</summary>
    private HashSet<string>? _listedDirectories;

    /// <summary>
    /// generator.c: recv_generator without incremental recursion — "Each parent dir must be in the file list or the
    /// flist data is bad": an entry whose directory (other than ".") the list does not hold as a directory ends the run
    /// with "ABORTING due to invalid path from sender" (RERR_PROTOCOL), except a --delete-missing-args entry whose
    /// directory is not listed at all, which is only warned about. (Stock 3.5.0 thereby refuses a -R list sent
    /// without its implied directories, i.e. --no-implied-dirs below protocol 30.)
    /// </summary>
    private void CheckParentListed(FileEntry file, string name)
    {
        int slash = name.LastIndexOf('/');
        string parent = slash < 0 ? "." : name[..slash];
        if (parent == "." || parent == _checkedParent)
            return;
        _checkedParent = parent;
        if (_listedDirectories is null)
        {
            _listedDirectories = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < Files.Count; i++)
            {
                if (Files[i].IsDirectory && !Files[i].Pruned && !Files[i].Cleared)
                    _listedDirectories.Add(run.Names[i]);
            }
        }
        if (_listedDirectories.Contains(parent))
            return;
        if (Options.DeleteMissingArgs && file.Mode == 0 && !run.Names.Contains(parent))
        {
            run.ReportError($"WARNING: parent dir is absent in the file list: {FileNameEncoding.Display(parent)}");
            return;
        }
        throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
            $"ABORTING due to invalid path from sender: {FileNameEncoding.Display(parent)}/{FileNameEncoding.Display(name[(slash + 1)..])}");
    }

    /// <summary>
    /// util1.c: make_path(fname, MKP_DROP_NAME) — every missing directory above <paramref name="name"/>, from the
    /// deepest that exists down, with mode 0777 less the umask (022 assumed); a failure is "recv_generator: mkdir
    /// DIR failed" and the entry goes on (FERROR_XFER).
    /// </summary>
    private void MakeMissingParents(ConfinedDirectory dest, string name)
    {
        int slash = name.LastIndexOf('/');
        if (slash <= 0 || dest.IsDirectory(name[..slash]))
            return;
        try
        {
            for (int at = name.IndexOf('/'); at > 0; at = name.IndexOf('/', at + 1))
            {
                string dir = name[..at];
                if (dest.IsDirectory(dir))
                    continue;
                // make_path only makes what is missing: something else in the way (a link that leaves the
                // destination, a file) is its mkdir's failure, never replaced.
                if (dest.Stat(dir) is not null)
                    throw new RsyncException(RsyncErrorKind.EntryFailed, $"\"{FileNameEncoding.Display(dir)}\" is in the way");
                dest.CreateDirectory(dir);
                dest.SetAttributes(dir, new EntryAttributes(Permissions: 0x1ED /* 0777 & ~022 */));
            }
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            run.ReportFailure($"recv_generator: mkdir \"{FileNameEncoding.Display(dest.RootPath.TrimEnd('/') + "/" + name[..slash])}\" failed: {(e.Errno is int errno ? SystemError.Describe(errno) : e.Message)}");
        }
    }

    /// <summary>A directory the module's rules refused, or whose mkdir failed: its contents are skipped (generator.c: skip_dir).</summary>
    private string? _refusedDirectory;

    // rsync generator.c: recv_generator — a daemon module's rules refuse a name the client sends; a refused directory's
    // contents follow it silently.
    private bool RefusedByModule(FileEntry file, string name)
    {
        if (_refusedDirectory is { } refused)
        {
            if (name.Length > refused.Length && name[refused.Length] == '/' && name.StartsWith(refused, StringComparison.Ordinal))
                return true;
            _refusedDirectory = null;
        }
        if (run.Target.ModuleExcluded is not { } excluded || !excluded(name, file.IsDirectory))
            return false;
        string shown = FileNameEncoding.Display(name);
        run.ReportFailure($"ERROR: daemon refused to receive {(file.IsDirectory ? "directory" : "file")} \"{shown}\"");
        if (file.IsDirectory)
        {
            run.ReportError("*** Skipping any contents from this failed directory ***");
            _refusedDirectory = name;
        }
        return true;
    }

    private void GenerateOne(int ndx)
    {
        FileEntry file = Files[ndx];
        // generator.c: generate_files skips an inactive entry (a duplicate the list's cleaning dropped).
        if (file.Cleared)
        {
            CountCleared(file);
            return;
        }
        // --prune-empty-dirs dropped it from the list (counted as received, flist.c: recv_file_list).
        if (file.Pruned)
        {
            run.Stats.NumDirs++;
            return;
        }
        string name = NameOf(ndx);
        if (RefusedByModule(file, name))
            return;
        if (Options.Fuzzy > 0)
            LeaveFuzzyDirectory(DirectoryPart(name));
        ConfinedDirectory? dest = Destination;
        bool dry = Options.DryRun;
        if (run.Lists is null && !(dry && _dryMissingDir is not null))
            CheckParentListed(file, name);
        if (Options.Relative && !Options.ImpliedDirs)
        {
            // generator.c: recv_generator with --no-implied-dirs — a missing parent is made as make_path makes it (no
            // line, default permissions); an implied directory (FLAG_IMPLIED_DIR: sent with XMIT_TOP_DIR |
            // XMIT_NO_CONTENT_DIR) is neither made nor touched.
            if (file.Mode != 0 && !dry && dest is not null)
                MakeMissingParents(dest, name);
            if (file.IsDirectory && file.IsTopDir && file.IsNoContentDir)
            {
                run.Stats.NumDirs++;
                return;
            }
        }
        EntryStatus? local = StatLocal(name, file.IsDirectory);
        // generator.c: recv_generator — with -K a directory's name is stat'ed through a link to a directory
        // (flist.c: link_stat with follow_dirlinks), which then stands for the directory: kept, itemized against
        // what it leads to, its contents written through it (inside the destination only).
        if (file.IsDirectory && Options.KeepDirLinks && local is { IsSymlink: true }
            && Destination?.StatDirectoryLink(name, followOut: run.Target.ModuleName is null, out bool leaves) is { } linked)
        {
            local = linked;
            _directoryLinks[ndx] = linked;
            if (leaves)
                (_linksOut ??= []).Add(name + "/");
        }
        if (file.Mode == 0)
        {
            // rsync generator.c: recv_generator with missing_args == 2 — the sender's argument is gone: what is at its
            // name goes (delete_item, unless the receiver's rules protect it), and nothing is itemized.
            // A directory's contents go only with --delete (generator.c: del_opts is DEL_RECURSE with delete_mode or
            // --force).
            if (local is not null && dest is not null)
                DeleteUnlessProtected(name, DeleteOptions);
            return;
        }
        // A directory not created for --existing leaves its contents missing too, and the rule skips them in turn.
        if (UpdateRules.SkipsMissing(Options, local) || UpdateRules.SkipsExisting(Options, file, local))
        {
            SkipHardLink(ndx);
            // generator.c: recv_generator — at --info=skip (-vv) "not creating new directory|file" for --existing,
            // "NAME exists" for --ignore-existing; what lies below a directory not created is passed over silently
            // (skip_dir, FLAG_MISSING_DIR).
            int slash = name.LastIndexOf('/');
            bool belowSkipped = slash > 0 && _notCreatedDirs.Contains(name[..slash]);
            if (local is null && file.IsDirectory)
                _notCreatedDirs.Add(name);
            if (Options.Info.Gte(InfoFlag.Skip, 1) && !belowSkipped)
                run.Say(ndx, local is null ? $"not creating new {(file.IsDirectory ? "directory" : "file")} \"{FileNameEncoding.Display(name)}\""
                    : $"{FileNameEncoding.Display(name)} exists{ExistsSuffix(file, local.Value, name)}");
            return;
        }
        if (file.IsDirectory)
        {
            run.Stats.NumDirs++;
            if (local is { IsDirectory: false })
            {
                // rsync generator.c: a non-directory in the way is removed (delete_item, DEL_FOR_DIR: no "deleting"); with
                // -b delete_item keeps it first (make_backup), unless, without --backup-dir, it is a backup itself.
                DebugMakeRoom(name, local.Value, DeleteFlags.ForDir);
                if (Backups.WantedOnDelete(Options, local.Value, name))
                    run.Backups.Keep(name);
                if (!dry)
                    dest!.Delete(name);
                local = null;
            }
            bool missing = local is null || (name == "." && run.RootCreated);
            if (dry && local is null && name != ".")
                _dryMissingDir = name;
            // generator.c: a directory it has to make (the destination's "." included) is itemized against its
            // best match in the basis directories, and not at all after an exact one.
            EntryStatus? against = null;
            bool quiet = false;
            _xattrsBasis = null;
            if (missing)
                TryBasisDirectoriesForOther(ndx, file, name, out against, out quiet);
            ItemChanges iflags = !missing ? ItemizeAgainst(file, local, ItemChanges.None)
                : against is { } basis ? ItemizeAgainst(file, basis, ItemChanges.LocalChange)
                : ItemChanges.LocalChange | ItemChanges.IsNew;
            if (local is null && !dry && BelowLinkOut(name))
            {
                // generator.c: the directory is itemized, its mkdir fails (ELOOP), and its contents are skipped.
                Settle(ndx, file, iflags);
                run.ReportFailure($"rsync: [generator] recv_generator: mkdir {FullName(name)} failed: {LoopText}");
                run.ReportError("*** Skipping any contents from this failed directory ***");
                _refusedDirectory = name;
                return;
            }
            if (local is null && !dry)
            {
                try
                {
                    dest!.CreateDirectory(name);
                }
                catch (RsyncException e) when (e.Kind == RsyncErrorKind.EntryFailed && e.Errno is int errno)
                {
                    // generator.c: recv_generator — itemized, then the mkdir fails: said with full_fname, its
                    // contents skipped (skip_dir).
                    Settle(ndx, file, iflags);
                    run.ReportFailure($"rsync: [generator] recv_generator: mkdir {FullName(name)} failed: {SystemError.Describe(errno)}");
                    run.ReportError("*** Skipping any contents from this failed directory ***");
                    _refusedDirectory = name;
                    return;
                }
                _createdDirectories.Add(ndx);
            }
            if (missing)
                CountCreated(file);
            SettleDirectory(ndx, file, iflags, name, madeFromBasis: local is null && !dry, quiet);
            LogMadeDirectory(file, name, local, dry);
            if (!dry)
            {
                _directories.Add(ndx);
                if (NotRoot)
                    WidenForContents(ndx, file, name, local);
            }
            // rsync generator.c: delete_in_dir runs for a content directory unless a dry run did not make it
            // (FLAG_MISSING_DIR); in one just made it finds nothing, but says so with --debug=del2.
            if (_keep is not null && !(dry && local is null) && !file.IsNoContentDir
                && EffectiveDeleteTiming is DeleteTiming.During or DeleteTiming.Delay)
                DeleteExtraneous(file, name, remember: EffectiveDeleteTiming == DeleteTiming.Delay);
            return;
        }
        if (file.IsSymlink)
        {
            run.Stats.NumSymlinks++;
            if (!Options.Links || file.LinkTarget is null)
            {
                SkippingNonRegular(ndx, name);
                return;
            }
            if (IsLinkedOrWaiting(ndx))
                return;
            // generator.c: recv_generator — --safe-links makes no link that could lead out of the destination,
            // whatever the sender says (util1.c: unsafe_symlink, with the CVE-2024-12088 ".." checks).
            if (Options.SafeLinks && SymlinkSafety.IsUnsafe(file.LinkTarget, FileNameEncoding.Encode(name)))
            {
                // The generator's own line, printed at once (a pull's client prints it ahead of the names that wait
                // for the sender's echo).
                if (Options.InfoName)
                    SayNow($"ignoring unsafe symlink \"{FileNameEncoding.Display(name)}\" -> \"{FileNameEncoding.Display(file.LinkTarget)}\"");
                return;
            }
            string target = FileNameEncoding.Decode(file.LinkTarget);
            if (local is { IsSymlink: true } link && dest!.ReadSymlink(name) == target)
            {
                if (!dry)
                    dest.SetAttributes(name, run.AttributesFor(file, isNew: false) with { Permissions = null }, link);
                ReportAttributes(file, link, name);
                Settle(ndx, file, ItemizeAgainst(file, local, ItemChanges.None));
                FinishHardLinkGroup(ndx);
                ConfirmToSender(ndx, alsoForSentFiles: false);
                return;
            }
            EntryStatus? against = null;
            bool quiet = false;
            if (local is null && TryBasisDirectoriesForOther(ndx, file, name, out against, out quiet))
                return;
            if (local is { IsDirectory: true } && !MakeWay(name, "symlink"))
                return;
            // generator.c: atomic_create backs up what it replaces (make_backup), a dry run's too.
            if (Backups.Wanted(Options, local))
                run.Backups.Keep(name);
            if (!dry)
            {
                dest!.CreateSymlink(name, target);
                dest.SetAttributes(name, run.AttributesFor(file, isNew: false) with { Permissions = null });
            }
            if (local is null)
                CountCreated(file);
            // rsync generator.c: a replaced entry of another type is itemized as new.
            EntryStatus? was = local is { IsSymlink: true } ? local : against;
            if (!quiet)
            {
                Settle(ndx, file, ItemizeAgainst(file, was, ItemChanges.LocalChange | ItemChanges.Checksum));
                LogMade($"{FileNameEncoding.Display(name)} -> {FileNameEncoding.Display(file.LinkTarget)}");
            }
            FinishHardLinkGroup(ndx);
            // generator.c: a symlink made is one of what the old --remove-sent-files removes too.
            ConfirmToSender(ndx, alsoForSentFiles: true);
            return;
        }
        if (file.IsDevice || file.IsSpecial)
        {
            bool wanted = file.IsDevice ? Options.Devices : Options.Specials;
            // generator.c: recv_generator — --drop-D refuses to create it and falls through to the non-regular-file
            // skip, as without -D; the entry was counted when the list arrived (flist.c: recv_file_list).
            if (Options.DropDevices && wanted && (!file.IsDevice || run.IsRoot))
            {
                if (file.IsDevice) run.Stats.NumDevices++; else run.Stats.NumSpecials++;
                SkippingNonRegular(ndx, name);
                return;
            }
            if (!wanted || (file.IsDevice && !run.IsRoot))
            {
                SkippingNonRegular(ndx, name);
                return;
            }
            if (file.IsDevice) run.Stats.NumDevices++; else run.Stats.NumSpecials++;
            if (IsLinkedOrWaiting(ndx))
                return;
            bool same = local is { } st && (st.Mode & 0xF000) == ((uint)file.Mode & 0xF000)
                && (!file.IsDevice || (st.RdevMajor == (uint)file.RdevMajor && st.RdevMinor == (uint)file.RdevMinor));
            EntryStatus? against = null;
            bool quiet = false;
            if (local is null && TryBasisDirectoriesForOther(ndx, file, name, out against, out quiet))
                return;
            if (!same)
            {
                if (local is { IsDirectory: true } && !MakeWay(name, file.IsDevice ? "device file" : "special file"))
                    return;
                // generator.c: atomic_create backs up what it replaces (make_backup) with -b, a dry run's too.
                if (Backups.Wanted(Options, local))
                    run.Backups.Keep(name);
                if (!dry)
                {
                    dest!.CreateDevice(name, (uint)file.Mode, (uint)file.RdevMajor, (uint)file.RdevMinor);
                }
                if (local is null)
                    CountCreated(file);
                if (!quiet)
                {
                    Settle(ndx, file, ItemizeAgainst(file, against, ItemChanges.LocalChange | ItemChanges.Checksum));
                    LogMade(FileNameEncoding.Display(name));
                }
            }
            else
            {
                ReportAttributes(file, local!.Value, name);
                Settle(ndx, file, ItemizeAgainst(file, local, ItemChanges.None));
            }
            // rsync rsync.c: dest_mode — a device made without -p gets the sender's mode less the umask.
            if (!dry)
                dest!.SetAttributes(name, run.AttributesFor(file, isNew: !same));
            FinishHardLinkGroup(ndx);
            ConfirmToSender(ndx, alsoForSentFiles: false);
            return;
        }

        run.Stats.NumRegular++;
        if (IsLinkedOrWaiting(ndx))
            return;
        // generator.c: recv_generator — at --info=skip (-vv) what kept the file is said.
        if (UpdateRules.SkipsBySize(Options, file))
        {
            if (Options.Info.Gte(InfoFlag.Skip, 1))
                run.Say(ndx, $"{FileNameEncoding.Display(name)} is {(Options.MaxSize is long max && file.Size > max ? "over max-size" : "under min-size")}");
            return;
        }
        if (UpdateRules.SkipsAsNewer(Options, file, local))
        {
            if (Options.Info.Gte(InfoFlag.Skip, 1))
                run.Say(ndx, $"{FileNameEncoding.Display(name)} is newer");
            SkipHardLink(ndx);
            return;
        }
        if (local is { IsDirectory: true })
        {
            if (!MakeWay(name, "regular file"))
                return;
            local = null;
        }
        if (local is { IsRegularFile: false } other)
        {
            // generator.c: recv_generator — delete_item(DEL_FOR_FILE) before the basis is looked for.
            DebugMakeRoom(name, other, DeleteFlags.ForFile);
            // rsync: another kind of entry is replaced (delete_item DEL_FOR_FILE backs it up with -b), the file is
            // itemized as new.
            if (Backups.Wanted(Options, local))
                run.Backups.Keep(name);
            local = null;
        }
        // generator.c: try_dests_reg comes before the quick check of the destination's own file.
        AltBasis alt = TryBasisDirectoriesForFile(ndx, file, name, local);
        if (alt.Settled)
        {
            // generator.c: try_dests_reg's -2 (linked, compared or copied) goes to return_with_success.
            ConfirmToSender(ndx, alsoForSentFiles: false);
            return;
        }
        // generator.c: a copy an earlier run left in --partial-dir is the basis (of a missing file at once).
        // An absolute one on a client is a directory of its own (util1.c: partial_dir_fname), looked at only if it exists.
        (ConfinedDirectory Directory, string Name)? partial = PartialDirs.Locate(run, dest, name, create: false);
        ConfinedDirectory? partialDir = partial?.Directory;
        string? partialName = partial?.Name;
        bool hasPartial = partialDir is not null && StatBasis(partialDir, partialName!) is { IsRegularFile: true };
        if (local is { IsRegularFile: true } current && alt.Directory is null && !(hasPartial && local is null) && QuickCheckPasses(file, current, name))
        {
            EntryAttributes wanted = run.AttributesFor(file, isNew: false, current);
            if (!dry)
            {
                // generator.c: an up-to-date file's partial copy goes, and its partial directory if that empties it.
                if (hasPartial)
                {
                    partialDir!.Delete(partialName!);
                    if (PartialDirs.RemovesEmptied(run))
                        dest!.RemoveIfEmpty(PartialDirs.DirectoryOf(Options.PartialDir!, null, name)!);
                }
                dest!.SetAttributes(name, UpdateRules.KeepingSameTime(Options, wanted, file, current), current);
            }
            ReportAttributes(file, current, name);
            Settle(ndx, file, ItemizeAgainst(file, local, ItemChanges.None, wanted));
            FinishHardLinkGroup(ndx);
            // generator.c: return_with_success — an up-to-date file may go from the sender too.
            ConfirmToSender(ndx, alsoForSentFiles: false);
            return;
        }
        // generator.c: recv_generator — --append leaves a file alone that is not shorter than the sender's: no line,
        // nothing sent.
        if (Options.Append && local is { IsRegularFile: true, Size: var have } && have >= file.Size)
        {
            SkipHardLink(ndx);
            return;
        }
        // generator.c: -y — a file still without a basis takes the most similar one of its directory; one found counts
        // as a basis for the hard-link rule below too (statret becomes 0), even with -W where no sums are sent.
        var fuzzy = Options.Fuzzy > 0 && local is null && alt.Directory is null && !hasPartial ? FindFuzzyBasis(file, name) : null;
        if (local is null && alt.Directory is null && !hasPartial && fuzzy is null && PutOffHardLink(ndx))
            return;
        if (!Options.DryRun && !Options.WholeFile && (local is { IsRegularFile: true } || alt.Directory is not null || hasPartial || fuzzy is not null))
            MarkFuzzySent(file, name);
        ItemChanges request = ItemChanges.Transfer | (Options.AlwaysChecksum ? ItemChanges.Checksum : 0);
        if (hasPartial)
            Request(ndx, redo: false, local, ItemizeAgainst(file, alt.Directory is null ? local : alt.Status, request),
                basisDirectory: partialDir == dest ? null : partialDir, basisStatus: StatBasis(partialDir!, partialName!),
                basisName: partialName, usesUpBasis: true);
        else if (fuzzy is { } near)
            Request(ndx, redo: false, local, ItemizeAgainst(file, local, request), near.Directory ?? dest, near.Status, near.Name);
        else if (alt.Directory is not null)
            Request(ndx, redo: false, local, ItemizeAgainst(file, alt.Status, request), alt.Directory, alt.Status);
        else
        {
            // generator.c: recv_generator — with --inplace the file itself is about to be overwritten, so -b keeps a
            // copy of it first (copy_file, or the delta path's f_copy), not a second name for the same inode.
            if (Options.Inplace && Backups.Wanted(Options, local) && local is { IsRegularFile: true })
                run.Backups.KeepCopy(name);
            Request(ndx, redo: false, local, ItemizeAgainst(file, local, request));
        }
        // generator.c: recv_generator — without transfers (a dry run) the group's links follow their leader at once.
        if (Options.DryRun)
            FinishHardLinkGroup(ndx);
    }

    // --existing's directories not created (generator.c: skip_dir), whose contents are passed over without a word.
    private readonly HashSet<string> _notCreatedDirs = new(StringComparer.Ordinal);

    // generator.c: recv_generator — "skipping non-regular file" under INFO_GTE(NONREG, 1) (on by default; --info=nonreg0
    // silences it).
    private void SkippingNonRegular(int ndx, string name)
    {
        if (Options.Info.Gte(InfoFlag.Nonreg, 1))
            run.Say(ndx, $"skipping non-regular file \"{FileNameEncoding.Display(name)}\"");
    }
}
