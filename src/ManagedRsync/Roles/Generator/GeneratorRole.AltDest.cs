using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// --compare-dest, --copy-dest and --link-dest in our generator (rsync generator.c: try_dests_reg for regular files,
// try_dests_non for the rest). Each basis directory is looked at in command-line order for an entry of the same name
// and type; the best one wins: level 1 the same type, level 2 also passing the quick check, level 3 also the same
// attributes (unchanged_attrs), which ends the search.
internal sealed partial class GeneratorRole
{
    /// <summary>What the basis directories gave a regular file.</summary>
    private readonly record struct AltBasis(bool Settled, ConfinedDirectory? Directory, EntryStatus Status);

    /// <summary>
    /// rsync generator.c: try_dests_reg for a regular file whose destination is missing, or (compare and link only)
    /// exists: an exact match (level 3) is linked (--link-dest), left out (--compare-dest; an existing destination
    /// file goes) or, with --copy-dest or when linking fails, copied from the basis (as is a level-2 match of a
    /// missing file); a level-1 match of a missing file becomes the basis of the delta. Settled: the entry is done.
    /// </summary>
    private AltBasis TryBasisDirectoriesForFile(int ndx, FileEntry file, string name, EntryStatus? local)
    {
        if (run.BasisDirectories is not { } basis || (local is not null && basis.Kind == AltDestKind.Copy))
            return default;
        (int level, ConfinedDirectory? dir, EntryStatus st) = BestBasis(basis, file, name);
        if (level == 0)
            return default;
        bool dry = Options.DryRun;
        if (level == 3 && basis.Kind != AltDestKind.Copy)
        {
            if (local is { } existing)
            {
                if (basis.Kind == AltDestKind.Link && existing.Inode == st.Inode && existing.Device == st.Device)
                    return default;
                if (!dry)
                    Destination!.Delete(name);
            }
            if (basis.Kind == AltDestKind.Link)
            {
                if (!TryLinkFromBasis(dir!, name))
                    return CopyFromBasis(ndx, file, name, dir!, st, local);
                // generator.c: try_dests_reg — with -U the linked file (the basis directory's inode) gets the sender's
                // access time (set_file_attrs; the rest already matches).
                if (Options.Atimes && !dry)
                    Destination!.SetAttributes(name, new EntryAttributes { AtimeSeconds = file.AccessTime });
                FinishHardLinkGroup(ndx);
                // generator.c: a linked file is itemized only for -ii / -vv ("hf" with an empty xname).
                if (ItemLog.Level(Options) > 1 || Options.Info.Gte(InfoFlag.Name, 2))
                    Settle(ndx, file, WithoutTimeUnlessKept(ItemizeAgainst(file, st, ItemChanges.LocalChange | ItemChanges.OtherNameFollows)), xname: []);
            }
            else
            {
                SettleFrom(dir!, name, () => Settle(ndx, file, ItemizeAgainst(file, st, ItemChanges.None)));
            }
            return new AltBasis(true, null, st);
        }
        if (local is not null)
            return default;
        if (level >= 2)
            return CopyFromBasis(ndx, file, name, dir!, st, local);
        return new AltBasis(false, dir, st);
    }

    /// <summary>
    /// rsync generator.c: try_dests_non for a symlink, device or special file (or a directory) with nothing at its
    /// name: an exact match is hard-linked (--link-dest, not a directory) or stands for the entry (--compare-dest: not
    /// made); otherwise the entry is made and itemized against the best match. Returns whether the entry is settled,
    /// and the status to itemize it against (null: as new); <paramref name="quiet"/>: made, but not itemized.
    /// </summary>
    private bool TryBasisDirectoriesForOther(int ndx, FileEntry file, string name, out EntryStatus? against, out bool quiet)
    {
        against = null;
        quiet = false;
        if (run.BasisDirectories is not { } basis)
            return false;
        (int level, ConfinedDirectory? dir, EntryStatus st) = BestBasis(basis, file, name);
        if (level == 0)
            return false;
        if (level == 3)
        {
            bool linked = false;
            if (basis.Kind == AltDestKind.Link && !file.IsDirectory)
            {
                linked = Options.DryRun || TryLinkFromBasis(dir!, name);
                if (linked)
                    FinishHardLinkGroup(ndx);
            }
            if (ItemLog.Level(Options) > 1 || Options.Info.Gte(InfoFlag.Name, 2))
            {
                ItemChanges change = basis.Kind == AltDestKind.Compare && !file.IsDirectory ? ItemChanges.None
                    : ItemChanges.LocalChange | (linked ? ItemChanges.OtherNameFollows : ItemChanges.None);
                SettleFrom(dir!, name, () => Settle(ndx, file, WithoutTimeUnlessKept(ItemizeAgainst(file, st, change)), xname: linked ? [] : null));
            }
            // generator.c: -2 skips the entry (linked, or compared); --copy-dest and a refused link make it, quietly.
            quiet = true;
            if (file.IsDirectory)
                _xattrsBasis = (dir!, name);
            return linked || (basis.Kind == AltDestKind.Compare && !file.IsDirectory);
        }
        against = st;
        _xattrsBasis = (dir!, name);
        return false;
    }

    // generator.c: itemize — without -t, a local change is itemized with a time change unless it is a match
    // (ITEM_MATCHED) or a link with an empty xname.
    private ItemChanges WithoutTimeUnlessKept(ItemChanges iflags) => Options.Times ? iflags : iflags & ~ItemChanges.ModTime;

    /// <summary>The best match over the basis directories: its level (0: none), directory and status.</summary>
    private (int Level, ConfinedDirectory? Directory, EntryStatus Status) BestBasis(BasisDirectories basis, FileEntry file, string name)
    {
        int level = 0;
        ConfinedDirectory? best = null;
        EntryStatus bestStatus = default;
        foreach (ConfinedDirectory? dir in basis.Directories)
        {
            if (dir is null || StatBasis(dir, name) is not { } st || !SameType(file, st))
                continue;
            if (level == 0)
                (level, best, bestStatus) = (1, dir, st);
            if (!BasisQuickCheck(file, st, dir, name))
                continue;
            if (level == 1)
                (level, best, bestStatus) = (2, dir, st);
            if (UnchangedAttributes(file, st) && !XattrsDiffer(file, dir, name))
                return (3, dir, st);
        }
        return (level, best, bestStatus);
    }

    private static EntryStatus? StatBasis(ConfinedDirectory dir, string name)
    {
        try
        {
            return dir.Stat(name);
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            // A symlink or a non-directory on the way: no match (stock's lstat fails too, or its ownership walk refuses).
            return null;
        }
    }

    // generator.c: get_file_type of both sides.
    private static bool SameType(FileEntry file, EntryStatus st) => ((uint)file.Mode & 0xF000) == (st.Mode & 0xF000);

    // generator.c: quick_check_ok by type, against the basis directory's entry.
    private bool BasisQuickCheck(FileEntry file, EntryStatus st, ConfinedDirectory dir, string name)
    {
        if (file.IsRegular)
        {
            if (st.Size != file.Size)
                return false;
            if (Options.AlwaysChecksum && file.Checksum is { } remoteSum)
                return ChecksumOfLocalFile(name, dir) is { } localSum && localSum.AsSpan().SequenceEqual(remoteSum);
            if (Options.SizeOnly)
                return true;
            return !Options.IgnoreTimes && UpdateRules.SameTime(Options, file, st);
        }
        if (file.IsSymlink)
            return file.LinkTarget is { } target && dir.ReadSymlink(name) == Platform.FileNameEncoding.Decode(target);
        if (file.IsDevice)
            return st.RdevMajor == (uint)file.RdevMajor && st.RdevMinor == (uint)file.RdevMinor;
        return true;
    }

    /// <summary>
    /// rsync generator.c: unchanged_attrs — the time (-t, symlinks included unless -J), the permissions (-p, not for a symlink:
    /// Linux cannot chmod one), the owner (root with -o) and the group (-g).
    /// </summary>
    private bool UnchangedAttributes(FileEntry file, EntryStatus st)
    {
        if (Options.Times && !(file.IsSymlink && Options.OmitLinkTimes) && !UpdateRules.SameTime(Options, file, st))
            return false;
        // generator.c: perms_differ — all of the mode with -p, else with -E whether either is executable at all.
        if (!file.IsSymlink && Options.Perms && (st.Mode & 0xFFF) != ((uint)file.Mode & 0xFFF))
            return false;
        if (!file.IsSymlink && !Options.Perms && Options.Executability && ((st.Mode & 0x49) != 0) != (((uint)file.Mode & 0x49) != 0))
            return false;
        EntryAttributes wanted = run.AttributesFor(file, isNew: false);
        // generator.c: unchanged_attrs — acls_differ, for all but symlinks.
        if (wanted.Acls is { } acls && !file.IsSymlink && AclStore.Differ(st.Acls, acls, file.Mode))
            return false;
        return (wanted.Uid is not { } uid || uid == st.Uid) && (wanted.Gid is not { } gid || gid == st.Gid);
    }

    // hlink.c: hard_link_one with terse set — a failed link is no error: the file is copied instead.
    private bool TryLinkFromBasis(ConfinedDirectory dir, string name)
    {
        if (Options.DryRun)
            return true;
        try
        {
            Destination!.CreateHardLink(name, name, from: dir);
            return true;
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            return false;
        }
    }

    /// <summary>
    /// rsync generator.c: copy_altdest_file — the basis file is copied into a temporary file beside the name, given the
    /// sender's attributes and renamed into place (finish_transfer), then itemized as a local change against it. With
    /// --inplace it is copied straight to the name (util1.c: copy_file's unlink_and_reopen, nothing there by now).
    /// A basis that cannot be opened is reported as stock reports it, and the file is transferred instead.
    /// </summary>
    private AltBasis CopyFromBasis(int ndx, FileEntry file, string name, ConfinedDirectory dir, EntryStatus st, EntryStatus? local)
    {
        if (!Options.DryRun)
        {
            try
            {
                if (Options.Inplace)
                {
                    using var source = OpenCopySource(dir, name, copyTo: FileNameEncoding.Display(name));
                    if (source is null)
                        return default;
                    CopyInPlace(source, file, name, local);
                }
                else
                {
                    // generator.c: copy_altdest_file makes the temporary file first (open_tmpfile), then opens the basis.
                    using ConfinedTempFile temp = Destination!.CreateTempFile(name, run.TempDirectory);
                    using var source = OpenCopySource(dir, name, copyTo: TempFileName(temp));
                    if (source is null)
                        return default;
                    temp.CopyFrom(source);
                    // generator.c: copy_altdest_file — copy_file brings the basis's xattrs along (util1.c: copy_file,
                    // xattrs.c: copy_xattrs); the sender's come with the itemization's echo.
                    if (run.Xattrs is not null)
                        CopyXattrs(source, temp.Handle);
                    temp.SetAttributes(run.AttributesFor(file, isNew: local is null));
                    temp.Commit();
                }
            }
            catch (Exception e) when (e is IOException || (e is RsyncException r && r.IsLocalFileFailure))
            {
                // generator.c: a failed copy falls back to the transfer (try_dests_reg returns -1).
                return default;
            }
        }
        SettleFrom(dir, name, () => Settle(ndx, file, ItemizeAgainst(file, st, ItemChanges.LocalChange)));
        FinishHardLinkGroup(ndx);
        return new AltBasis(true, null, st);
    }

    /// <summary>
    /// util1.c: copy_file's open of the basis file: one that cannot be opened is `open NAME: ERR` (FERROR_XFER: exit
    /// 23), and with --info=copy (-v) generator.c copy_altdest_file adds `copy_file NAME => COPY_TO: ERR` (FINFO,
    /// COPY_TO the temporary file's name as made, or the file's own with --inplace). Null: transfer the file instead.
    /// </summary>
    private Microsoft.Win32.SafeHandles.SafeFileHandle? OpenCopySource(ConfinedDirectory dir, string name, string copyTo)
    {
        if (dir.OpenBasis(name, out _, out int errno) is { } source)
            return source;
        // Not a regular file any more (changed since the stat): no copy, and nothing stock would say of it here.
        if (errno == 0)
            return null;
        string basisName = BasisFullName(dir, name);
        run.ReportFailure($"rsync: [generator] open {basisName}: {SystemError.Describe(errno)}");
        if (!Options.Info.Gte(InfoFlag.Copy, 1))
            return null;
        string line = $"rsync: [generator] copy_file {basisName} => {copyTo}: {SystemError.Describe(errno)}";
        if (run.Order is { } order)
            order.AddNow(line);
        else
            run.Log.Info(line);
        return null;
    }

    // receiver.c: get_tmpname as the generator's copy names it: ".NAME.XXXXXX" in the file's directory (the path from
    // the destination), or "TMPDIR/NAME.XXXXXX" as --temp-dir was given.
    private string TempFileName(ConfinedTempFile temp)
    {
        if (run.TempDirectory is not null && Options.TempDir is { } tempDir)
            return FileNameEncoding.Display(tempDir.TrimEnd('/') + "/" + temp.TempName);
        int slash = temp.RelativePath.LastIndexOf('/');
        return FileNameEncoding.Display(slash < 0 ? temp.TempName : temp.RelativePath[..(slash + 1)] + temp.TempName);
    }

    // util1.c: full_fname of generator.c's pathjoin(basis_dir[j], fname): a client's basis directory is absolute by
    // now (main.c: check_alt_basis_dirs), a daemon's relative one is from the receiving directory, as a name there is.
    private string BasisFullName(ConfinedDirectory dir, string name)
    {
        string shown = run.BasisDirectories!.ShownFor(dir);
        string path = (shown.EndsWith('/') ? shown : shown + "/") + name;
        if (!path.StartsWith('/'))
            return FullName(path);
        return run.Target.ModuleName is { } module ? $"\"{FileNameEncoding.Display(path)}\" (in {module})" : $"\"{FileNameEncoding.Display(path)}\"";
    }

    // util1.c: copy_file with no temporary file — unlink_and_reopen (O_CREAT|O_EXCL, never through a link), the
    // content, then finish_transfer's attributes on the file itself (nothing to rename).
    private void CopyInPlace(Microsoft.Win32.SafeHandles.SafeFileHandle source, FileEntry file, string name, EntryStatus? local)
    {
        if (Destination!.Stat(name) is not null)
            Destination.Delete(name);
        using var target = Destination.OpenInPlace(name);
        bool done = false;
        try
        {
            RandomAccess.SetLength(target, PositionalIo.Copy(source, target));
            if (run.Xattrs is not null)
                CopyXattrs(source, target);
            ConfinedDirectory.ApplyToDescriptor((int)target.DangerousGetHandle(), run.AttributesFor(file, isNew: local is null), name, Options.FakeSuper);
            done = true;
        }
        finally
        {
            // generator.c: copy_altdest_file — a failed copy is unlinked before the transfer takes over.
            if (!done)
                Destination.Delete(name);
        }
    }
}
