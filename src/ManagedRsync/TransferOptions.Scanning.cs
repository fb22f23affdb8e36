namespace ManagedRsync;

/// <summary>How the sender reads its tree: which symlinks it follows and which filesystems it stays on.</summary>
public sealed partial record TransferOptions
{
    /// <summary>
    /// -x counted (options.c: one_file_system): 1 sends a directory on another filesystem than its parent's top
    /// directory without its contents, 2 (-xx) leaves it out (flist.c: make_file, FLAG_MOUNT_DIR). A receiver does
    /// not delete in or through such a directory either (generator.c: delete_in_dir).
    /// </summary>
    public int OneFileSystem { get; init; }
    /// <summary>-L: the sender lists what each symlink points to (flist.c: link_stat follows every link).</summary>
    public bool CopyLinks { get; init; }
    /// <summary>-k: the sender follows a symlink that points to a directory (flist.c: link_stat follow_dirlinks).</summary>
    public bool CopyDirLinks { get; init; }
    /// <summary>
    /// --copy-unsafe-links: the sender follows a symlink pointing outside the transferred tree (util1.c:
    /// unsafe_symlink; flist.c: readlink_stat).
    /// </summary>
    public bool CopyUnsafeLinks { get; init; }
}
