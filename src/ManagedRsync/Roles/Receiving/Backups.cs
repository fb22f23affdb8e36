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
/// non-empty directory": stock's rmdir fails). A dry run keeps nothing, but says what it would keep where the
/// generator backs up (syscall.c: do_link and do_rename succeed at once under dry_run, so make_backup reaches its
/// "backed up" line).
/// </summary>
internal sealed class Backups(ReceiveRun run) : IDisposable
{
    private ConfinedDirectory? _backupDir;

    /// <summary>Whether the entry found at a name (<paramref name="local"/>) is kept before it is replaced or deleted.</summary>
    /// A dry run wants it too: <see cref="Keep"/> then only says so.
    public static bool Wanted(TransferOptions o, EntryStatus? local) => o.Backup && local is { IsDirectory: false };

    /// <summary>Backups are kept beside what they back up (-b without --backup-dir, not a dry run).</summary>
    public static bool Active(TransferOptions o) => o.Backup && o.BackupDir is null && !o.DryRun;

    /// <summary>delete.c: delete_item backs up what it deletes unless, without --backup-dir, it is a backup itself.</summary>
    public static bool WantedOnDelete(TransferOptions o, EntryStatus local, string path) =>
        Wanted(o, local) && (o.BackupDir is not null || !path.EndsWith(o.BackupSuffix ?? "~", StringComparison.Ordinal));

    /// <summary>
    /// Keeps the entry at <paramref name="path"/> under its backup name; with --safe-links (and -l) a symlink that
    /// util1.c unsafe_symlink calls unsafe is not kept (backup.c: make_backup_inner, "not backing up unsafe symlink"
    /// at INFO SYMSAFE, i.e. -v), and what follows removes it all the same. <paramref name="ndx"/>: the receiver's
    /// entry whose line the "backed up" line follows (rsync.c: finish_transfer, after receiver.c's log_item); without
    /// it the line is the generator's own, out at once.
    /// </summary>
    public void Keep(string path, int? ndx = null)
    {
        TransferOptions o = run.Options;
        if (o.DryRun)
        {
            Said(path, ndx);
            return;
        }
        ConfinedDirectory dest = run.Destination!;
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
            // backup.c: make_backup_inner goes on to its "success" label: the line says it was backed up all the same.
            Said(path, ndx);
            return;
        }
        if (o.BackupDir is null)
        {
            dest.CreateHardLink(path + (o.BackupSuffix ?? "~"), path);
        }
        else
        {
            ConfinedDirectory backups = OpenBackupDirectory(dest, o.BackupDir);
            MakeParents(dest, backups, path);
            backups.CreateHardLink(path + (o.BackupSuffix ?? ""), path, from: dest);
        }
        Said(path, ndx);
    }

    /// <summary>
    /// The backup name stock prints (backup.c: get_backup_name): NAME+SUFFIX, or the --backup-dir as given (its
    /// leading "./" gone, options.c) with a '/' unless it ends in one, then NAME+SUFFIX.
    /// </summary>
    public static string NameFor(TransferOptions o, string path) =>
        o.BackupDir is { } dir ? (dir.EndsWith('/') ? dir : dir + "/") + path + (o.BackupSuffix ?? "") : path + (o.BackupSuffix ?? "~");

    // backup.c: make_backup_inner / generator.c: recv_generator's back_file — "backed up NAME to BACKUP" at
    // --info=backup (-vv); a server's goes to its client (MSG_INFO), as every line of its log.
    private void Said(string path, int? ndx)
    {
        if (!run.Options.Info.Gte(InfoFlag.Backup, 1))
            return;
        string line = $"backed up {FileNameEncoding.Display(path)} to {FileNameEncoding.Display(NameFor(run.Options, path))}";
        if (ndx is int entry)
            run.Say(entry, line);
        else if (run.Order is { } order)
            order.AddNow(line);
        else
            run.Log.Info(line);
    }

    /// <summary>
    /// main.c: do_recv — with a --backup-dir and --info=backup, the receiver first says whether the directory is
    /// there ("backup_dir is DIR") or will be made ("(new) backup_dir is DIR"), the name as given without one
    /// trailing '/', looked up from the destination.
    /// </summary>
    public void Announce(string destinationRoot)
    {
        TransferOptions o = run.Options;
        if (o.BackupDir is not { } dir || !o.Info.Gte(InfoFlag.Backup, 1))
            return;
        string shown = dir.Length > 1 && dir.EndsWith('/') ? dir[..^1] : dir;
        string full = dir.StartsWith('/') ? dir : Path.Join(destinationRoot, dir);
        bool there = Directory.Exists(full) || File.Exists(full);
        run.Log.Info($"{(there ? "" : "(new) ")}backup_dir is {FileNameEncoding.Display(shown)}");
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
        // generator.c: without transfers (a dry run) recv_generator stops before the in-place backup.
        if (o.DryRun || dest.Stat(path) is not { IsRegularFile: true } st)
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
        Said(path, null);
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
            throw new RsyncException(RsyncErrorKind.EntryFailed, $"backup mkdir {full} failed: {SystemError.Describe(e)}", e);
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
