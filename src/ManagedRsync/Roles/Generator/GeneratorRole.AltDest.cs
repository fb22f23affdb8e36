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
    /// </summary>
    private AltBasis CopyFromBasis(int ndx, FileEntry file, string name, ConfinedDirectory dir, EntryStatus st, EntryStatus? local)
    {
        if (!Options.DryRun)
        {
            try
            {
                using var source = dir.OpenBasis(name) ?? throw ConfinedDirectory.IoError("open", name, 2);
                if (Options.Inplace)
                {
                    CopyInPlace(source, file, name, local);
                }
                else
                {
                    using ConfinedTempFile temp = Destination!.CreateTempFile(name, run.TempDirectory);
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
