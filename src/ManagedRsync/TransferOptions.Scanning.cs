namespace ManagedRsync;

/// <summary>How the sender reads its tree (which symlinks it follows, which filesystems it stays on) and which links a receiver makes.</summary>
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
    /// <summary>
    /// --safe-links: the receiver does not make a symlink that could lead outside the destination (generator.c:
    /// recv_generator, "ignoring unsafe symlink"); sent to a daemon in both directions.
    /// </summary>
    public bool SafeLinks { get; init; }
}
