namespace ManagedRsync;

public sealed partial record TransferOptions
{
    /// <summary>
    /// --inc-recursive (the default) / --no-inc-recursive, --no-i-r: whether a recursive transfer may send its file
    /// list directory by directory while files already move (rsync options.c: allow_inc_recurse, 1 unless
    /// --no-inc-recursive; compat.c: set_allow_inc_recurse narrows it further).
    /// </summary>
    public bool IncrementalRecursion { get; init; } = true;

    /// <summary>
    /// -m/--prune-empty-dirs: the receiving side drops from its sorted file list every directory with no
    /// non-directory below it (flist.c: flist_sort_and_clean, !am_sender), unless the receiver's rules exclude
    /// (protect) it or one below it. Sent to a receiving server as 'm' (options.c: server_options).
    /// </summary>
    public bool PruneEmptyDirs { get; init; }

    /// <summary>
    /// --implied-dirs (the default) / --no-implied-dirs, only meaningful with -R (options.c: parse_arguments clears
    /// implied_dirs without relative_paths). Without them a sender sends the path's directories only from protocol 30,
    /// flagged as implied (flist.c: send_file_list), and a receiver neither makes nor touches an implied directory, but
    /// makes a missing parent as make_path does (generator.c: recv_generator).
    /// </summary>
    public bool ImpliedDirs { get; init; } = true;
}
