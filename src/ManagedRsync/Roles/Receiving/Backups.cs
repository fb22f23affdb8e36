using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// -b/--backup, --suffix and --backup-dir on our receiving side (rsync backup.c: make_backup): before an existing
/// non-directory is replaced (an updated file, a symlink or device that changes, another kind of entry a file takes
/// the place of) or deleted, it is kept: as NAME+SUFFIX beside it, or with --backup-dir as DIR/NAME+SUFFIX (the
/// suffix is then empty by default), replacing an older backup of that name. Stock renames the entry to its backup
/// name (or hard-links it there first); here the backup name is made a hard link to it (linkat, no symlink followed,
/// confined) and the replacement or deletion that follows removes the original name, which leaves the same tree: the
/// backup is the old inode. Without --backup-dir a name that already ends in the suffix is deleted without a backup
/// (delete.c: is_backup_file), and a directory whose deleted contents left backups in it stays ("cannot delete
/// non-empty directory": stock's rmdir fails). A dry run keeps nothing.
/// </summary>
internal sealed class Backups(ReceiveRun run) : IDisposable
{
    private ConfinedDirectory? _backupDir;

    /// <summary>Whether the entry found at a name (<paramref name="local"/>) is kept before it is replaced or deleted.</summary>
    public static bool Wanted(TransferOptions o, EntryStatus? local) => o.Backup && !o.DryRun && local is { IsDirectory: false };

    /// <summary>Backups are kept beside what they back up (-b without --backup-dir, not a dry run).</summary>
    public static bool Active(TransferOptions o) => o.Backup && o.BackupDir is null && !o.DryRun;

    /// <summary>delete.c: delete_item backs up what it deletes unless, without --backup-dir, it is a backup itself.</summary>
    public static bool WantedOnDelete(TransferOptions o, EntryStatus local, string path) =>
        Wanted(o, local) && (o.BackupDir is not null || !path.EndsWith(o.BackupSuffix ?? "~", StringComparison.Ordinal));

    /// <summary>
    /// Keeps the entry at <paramref name="path"/> under its backup name; with --safe-links (and -l) a symlink that
    /// util1.c unsafe_symlink calls unsafe is not kept (backup.c: make_backup_inner, "not backing up unsafe symlink"
    /// at INFO SYMSAFE, i.e. -v), and what follows removes it all the same.
    /// </summary>
    public void Keep(string path)
    {
        ConfinedDirectory dest = run.Destination!;
        TransferOptions o = run.Options;
        if (o.SafeLinks && o.Links && dest.Stat(path) is { IsSymlink: true } && dest.ReadSymlink(path) is { } target
            && SymlinkSafety.IsUnsafe(FileNameEncoding.Encode(target), FileNameEncoding.Encode(path)))
        {
            if (o.Verbose > 0)
            {
                // The generator's own line: out at once, ahead of the names that wait for the sender.
                string line = $"not backing up unsafe symlink \"{FileNameEncoding.Display(path)}\" -> \"{FileNameEncoding.Display(target)}\"";
                if (run.Order is { } order)
                    order.AddNow(line);
                else
                    run.Log.Info(line);
            }
            return;
        }
        if (o.BackupDir is null)
        {
            dest.CreateHardLink(path + (o.BackupSuffix ?? "~"), path);
            return;
        }
        ConfinedDirectory backups = OpenBackupDirectory(dest, o.BackupDir);
        MakeParents(dest, backups, path);
        backups.CreateHardLink(path + (o.BackupSuffix ?? ""), path, from: dest);
    }

    /// <summary>
    /// --inplace with -b (generator.c: recv_generator's back_file): the file at <paramref name="path"/> is copied to its
    /// backup name (replacing an older backup) and given the old file's mode, owner, group and time (set_file_attrs of
    /// back_file), before the receiver writes over it in place.
    /// </summary>
    public void KeepCopy(string path)
    {
        ConfinedDirectory dest = run.Destination!;
        TransferOptions o = run.Options;
        if (dest.Stat(path) is not { IsRegularFile: true } st)
            return;
        ConfinedDirectory into = dest;
        string backupName = path + (o.BackupSuffix ?? "~");
        if (o.BackupDir is not null)
        {
            into = OpenBackupDirectory(dest, o.BackupDir);
            MakeParents(dest, into, path);
            backupName = path + (o.BackupSuffix ?? "");
        }
        using var source = dest.OpenBasis(path) ?? throw ConfinedDirectory.IoError("open", path, 2);
        using ConfinedTempFile temp = into.CreateTempFile(backupName, null);
        temp.CopyFrom(source);
        temp.SetAttributes(KeptAttributes(st));
        temp.Commit();
    }

    // backup.c: get_backup_name — the backup directory (relative to the destination, where stock runs) is made with
    // its missing parents on the first backup (make_path).
    private ConfinedDirectory OpenBackupDirectory(ConfinedDirectory dest, string backupDir)
    {
        if (_backupDir is { } open)
            return open;
        string full = run.Target.OptionDirectories is { } resolve ? resolve(Path.GetFullPath(dest.RootPath), backupDir, mayClimb: false).Full!
            : backupDir.StartsWith('/') ? backupDir : Path.Join(Path.GetFullPath(dest.RootPath), backupDir);
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RsyncException(RsyncErrorKind.EntryFailed, $"backup mkdir {full} failed: {e.Message}", e);
        }
        _backupDir = ConfinedDirectory.Open(full, create: false);
        _backupDir.FakeSuper = dest.FakeSuper;
        return _backupDir;
    }

    // backup.c: copy_valid_path — each directory above the backup that is missing is made, anything else in its way
    // removed, and a new one gets the attributes of the destination's directory of that name (set_file_attrs: its
    // mode, its time with -t, its group with -g, its owner with -o as root).
    private void MakeParents(ConfinedDirectory dest, ConfinedDirectory backups, string path)
    {
        for (int slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            string dir = path[..slash];
            if (backups.Stat(dir) is { IsDirectory: true })
                continue;
            if (backups.Stat(dir) is not null)
                backups.Delete(dir);
            backups.CreateDirectory(dir);
            if (dest.Stat(dir) is { } st)
                backups.SetAttributes(dir, KeptAttributes(st));
        }
    }

    // backup.c / generator.c: what a kept entry takes from the one it keeps (set_file_attrs of its stat): the mode,
    // the time with -t, the group with -g, the owner with -o as root.
    private EntryAttributes KeptAttributes(EntryStatus st)
    {
        TransferOptions o = run.Options;
        return new EntryAttributes(st.Permissions, o.Times ? st.MtimeSeconds : null, st.MtimeNanoseconds,
            o.Owner && o.AmRoot ? st.Uid : null, o.Group ? st.Gid : null)
        {
            EntryMode = st.Mode,
            RdevMajor = st.RdevMajor,
            RdevMinor = st.RdevMinor,
        };
    }

    public void Dispose()
    {
        _backupDir?.Dispose();
        _backupDir = null;
    }
}
