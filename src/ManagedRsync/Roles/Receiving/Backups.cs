using ManagedRsync.Destination;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// -b/--backup with --suffix on our receiving side (rsync backup.c: make_backup without --backup-dir): before an
/// existing non-directory is replaced (an updated file, a symlink or device that changes, another kind of entry a file
/// takes the place of) or deleted, it is kept as NAME+SUFFIX, replacing an older backup of that name. Stock renames
/// the entry to its backup name; here the backup name is made a hard link to it (linkat, no symlink followed, inside
/// the confined destination) and the replacement or deletion that follows removes the original name, which leaves the
/// same tree: the backup is the old inode. A name that already ends in the suffix is deleted without a backup
/// (delete.c: is_backup_file). A directory whose deleted contents left backups in it stays ("cannot delete non-empty
/// directory": stock's rmdir fails). A dry run keeps nothing.
/// </summary>
internal static class Backups
{
    /// <summary>Whether the entry found at a name (<paramref name="local"/>) is kept before it is replaced or deleted.</summary>
    public static bool Wanted(TransferOptions o, EntryStatus? local) => Active(o) && local is { IsDirectory: false };

    /// <summary>Backups are being kept (-b without --backup-dir, not a dry run).</summary>
    public static bool Active(TransferOptions o) => o.Backup && o.BackupDir is null && !o.DryRun;

    /// <summary>delete.c: delete_item backs up what it deletes unless it is a backup itself.</summary>
    public static bool WantedOnDelete(TransferOptions o, EntryStatus local, string path) =>
        Wanted(o, local) && !path.EndsWith(o.BackupSuffix ?? "~", StringComparison.Ordinal);

    /// <summary>Makes NAME+SUFFIX the old entry at <paramref name="path"/>.</summary>
    public static void Keep(ConfinedDirectory dest, TransferOptions o, string path) =>
        dest.CreateHardLink(path + (o.BackupSuffix ?? "~"), path);
}
