namespace ManagedRsync;

/// <summary>How a basis directory given with --compare-dest, --copy-dest or --link-dest is used (rsync.h: COMPARE_DEST, COPY_DEST, LINK_DEST).</summary>
public enum AltDestKind
{
    /// <summary>No basis directory.</summary>
    None,
    /// <summary>--compare-dest: an unchanged file there is not transferred (and not created).</summary>
    Compare,
    /// <summary>--copy-dest: an unchanged file there is copied locally.</summary>
    Copy,
    /// <summary>--link-dest: an unchanged file there is hard-linked.</summary>
    Link,
}

/// <summary>Names of <see cref="AltDestKind"/> values.</summary>
public static class AltDestKinds
{
    /// <summary>rsync options.c alt_dest_opt: the option that names a basis directory of this kind.</summary>
    public static string OptionName(this AltDestKind kind) => kind switch
    {
        AltDestKind.Compare => "--compare-dest",
        AltDestKind.Copy => "--copy-dest",
        _ => "--link-dest",
    };
}

/// <summary>
/// Who the receiving side takes itself to be (rsync options.c: am_root, "0 = normal, 1 = root, 2 = --super,
/// -1 = --fake-super"): whether it sets owners, makes devices, and where it keeps what it cannot set.
/// </summary>
public enum SuperMode
{
    /// <summary>As the effective uid says: root is a super-user receiver (main.c: am_root = our_uid == ROOT_UID).</summary>
    Default,
    /// <summary>--super: tries owners and devices whoever it runs as (am_root 2).</summary>
    Super,
    /// <summary>--no-super: never, even as root (am_root 0).</summary>
    NoSuper,
    /// <summary>
    /// --fake-super or a daemon module's "fake super": owner, group, full mode and device numbers go into the
    /// user.rsync.%stat xattr, symlinks and devices become regular files (am_root -1; xattrs.c: set_stat_xattr).
    /// </summary>
    Fake,
}

// The receiving side's options of issue 11 (backups, basis directories, update rules, limits, how files are written),
// named after stock's variables (options.c). A push sends them to the receiving daemon (options.c: server_options);
// a pull and a local copy apply them in the generator and receiver.
public sealed partial record TransferOptions
{
    /// <summary>--super, --no-super, --fake-super, or a daemon module's "fake super" (am_root).</summary>
    public SuperMode Super { get; init; }
    /// <summary>rsync's am_root as a truth value: the receiving side sets owners and makes devices (fake super too).</summary>
    public bool AmRoot => Super switch
    {
        SuperMode.Default => s_euidIsRoot,
        SuperMode.NoSuper => false,
        _ => true,
    };
    /// <summary>am_root &lt; 0: metadata lives in the user.rsync.%stat xattr (xattrs.c: get_stat_xattr, set_stat_xattr).</summary>
    public bool FakeSuper => Super == SuperMode.Fake;
    private static readonly bool s_euidIsRoot = Platform.Interop.GetEffectiveUserId() == 0;
    /// <summary>This process's effective uid is 0 (main.c: am_root = our_uid == ROOT_UID).</summary>
    public static bool RunsAsRoot => s_euidIsRoot;
    /// <summary>-b (make_backups; implied by --backup-dir).</summary>
    public bool Backup { get; init; }
    /// <summary>
    /// Directories keep their own times (stock's omit_dir_times): -O/--omit-dir-times, or -b without --backup-dir,
    /// which implies it so that the backups made inside a directory do not fight its time (options.c:
    /// parse_arguments, "Implied, so avoid -O to sender"); a directory's time is then neither set nor reported
    /// (generator.c: itemize, rsync.c: set_file_attrs).
    /// </summary>
    public bool OmitDirTimes => OmitDirTimesGiven || ImpliedOmitDirTimes;
    /// <summary>-O/--omit-dir-times as given (options.c: omit_dir_times = 1).</summary>
    public bool OmitDirTimesGiven { get; init; }
    /// <summary>
    /// -b without --backup-dir: omit_dir_times = -1, which server_options does not send as 'O' (the receiving side
    /// implies it itself).
    /// </summary>
    public bool ImpliedOmitDirTimes => Backup && BackupDir is null;
    /// <summary>
    /// -J/--omit-link-times: symlinks keep their own times (rsync.c: set_file_attrs skips them; generator.c:
    /// unchanged_attrs and itemize do not compare them).
    /// </summary>
    public bool OmitLinkTimes { get; init; }

    /// <summary>
    /// Whether an entry's time is the sender's to set and to compare (generator.c: itemize's keep_time): with -t,
    /// unless it is a directory under <see cref="OmitDirTimes"/> or a symlink under <see cref="OmitLinkTimes"/>.
    /// </summary>
    public bool KeepsTime(bool isDirectory, bool isSymlink) =>
        Times && !(isDirectory && OmitDirTimes) && !(isSymlink && OmitLinkTimes);
    /// <summary>--backup-dir=DIR as given (after stock's "./" trimming), or null.</summary>
    public string? BackupDir { get; init; }
    /// <summary>--suffix as given, or null for the default ("~" without --backup-dir, "" with it).</summary>
    public string? BackupSuffix { get; init; }
    /// <summary>The kind of the basis directories in <see cref="AltDestDirs"/>.</summary>
    public AltDestKind AltDest { get; init; }
    /// <summary>--compare-dest/--copy-dest/--link-dest directories, in command-line order (at most 20).</summary>
    public IReadOnlyList<string> AltDestDirs { get; init; } = [];
    /// <summary>--max-delete=N: null when not given, 0 for "no deletions" (stock turns negatives into 0).</summary>
    public int? MaxDelete { get; init; }
    /// <summary>--ignore-errors: delete even when the sender reported I/O errors.</summary>
    public bool IgnoreErrors { get; init; }
    /// <summary>--force: delete a non-empty directory that a non-directory replaces.</summary>
    public bool Force { get; init; }
    /// <summary>-u: skip files that are newer on the receiver.</summary>
    public bool Update { get; init; }
    /// <summary>--existing: skip creating new files.</summary>
    public bool Existing { get; init; }
    /// <summary>--ignore-existing: skip files that exist on the receiver.</summary>
    public bool IgnoreExisting { get; init; }
    /// <summary>--max-size in bytes (null: no limit).</summary>
    public long? MaxSize { get; init; }
    /// <summary>--min-size in bytes (null: no limit).</summary>
    public long? MinSize { get; init; }
    /// <summary>--partial-dir=DIR, cleaned as stock cleans it, or ".~tmp~" implied by --delay-updates.</summary>
    public string? PartialDir { get; init; }
    /// <summary><see cref="PartialDir"/> is the one --delay-updates implies (the server implies it too: not sent).</summary>
    public bool PartialDirImplied { get; init; }
    /// <summary>--delay-updates: updated files are put in place at the end.</summary>
    public bool DelayUpdates { get; init; }
    /// <summary>-S: sequences of zero bytes become holes.</summary>
    public bool Sparse { get; init; }
    /// <summary>--preallocate: allocate destination files before writing them.</summary>
    public bool Preallocate { get; init; }
    /// <summary>--modify-window=N (null when not given; negative means nanosecond-exact as in stock).</summary>
    public int? ModifyWindow { get; init; }
    /// <summary>-y, counted (-yy also looks in the basis directories).</summary>
    public int Fuzzy { get; init; }
    /// <summary>--mkpath: create the destination's missing path components.</summary>
    public bool MakePath { get; init; }
    /// <summary>--fsync: fsync every written file.</summary>
    public bool Fsync { get; init; }
    /// <summary>--usermap (or the user part of --chown as "*:USER").</summary>
    public string? UserMap { get; init; }
    /// <summary>--groupmap (or the group part of --chown as "*:GROUP").</summary>
    public string? GroupMap { get; init; }
    /// <summary>--checksum-seed=N (0: the server picks one).</summary>
    public int ChecksumSeed { get; init; }
    /// <summary>
    /// --skip-compress=LIST as given. Stock 3.5.0 parses the list but compresses every file alike (token.c:
    /// set_compression's suffix match is compiled out), so a sender, our daemon's too, does nothing with it; a client
    /// that receives sends it to the sending server (options.c: server_options), where it does nothing either.
    /// </summary>
    public string? SkipCompress { get; init; }
    /// <summary>
    /// A daemon module's "dont compress" holds the word "*" (token.c: init_set_compression, per_file_default_level):
    /// a sending server's zlib and zlibx streams are deflated at level 0, stored blocks; zstd and lz4 are unchanged.
    /// </summary>
    public bool CompressStored { get; init; }
    /// <summary>--max-alloc as given, when it is not stock's default of 1 GiB (sent to the server as written).</summary>
    public string? MaxAlloc { get; init; }
    /// <summary>
    /// --max-alloc=0: this side applies no allocation limit of stock's (util2.c: my_alloc with SIZE_MAX). Otherwise
    /// the limit is stock's default of 1 GiB where ours makes the allocation stock limits (a sender's block sums).
    /// </summary>
    public bool MaxAllocUnlimited { get; init; }
    /// <summary>
    /// -E without -p: an existing file keeps its permissions but takes the sender's executability (rsync.c: dest_mode);
    /// sent to a receiving server as 'E' (options.c: server_options).
    /// </summary>
    public bool Executability { get; init; }
    /// <summary>-K: a symlink to a directory on the receiver is treated as the directory.</summary>
    public bool KeepDirLinks { get; init; }
    /// <summary>--inplace: the receiver writes into the destination file itself, no temporary file (implied by --append).</summary>
    public bool Inplace { get; init; }
    /// <summary>--append: a file longer than the receiver's copy gets only its new tail (implies <see cref="Inplace"/>).</summary>
    public bool Append { get; init; }
    /// <summary>--append-verify: as --append, and the whole-file sum covers the kept start too (implies <see cref="Append"/>).</summary>
    public bool AppendVerify { get; init; }
    /// <summary>
    /// --remove-source-files: the sender removes each non-directory the receiving side has confirmed (a transferred
    /// file, or one already up to date there).
    /// </summary>
    public bool RemoveSourceFiles { get; init; }
    /// <summary>The deprecated --remove-sent-files: as <see cref="RemoveSourceFiles"/> for what was sent or made only.</summary>
    public bool RemoveSentFiles { get; init; }
    /// <summary>Either of them (options.c: remove_source_files non-zero).</summary>
    public bool RemovesFromSender => RemoveSourceFiles || RemoveSentFiles;
    /// <summary>--chmod rules, applied to the file list's modes where the list is made or read (never sent).</summary>
    public ChmodRules? Chmod { get; init; }
    /// <summary>
    /// A daemon module's "incoming chmod" on its receiving side: besides joining <see cref="Chmod"/> (the list's modes),
    /// it is applied again to the mode each entry ends with, which without -p is an existing entry's own (rsync.c:
    /// set_file_attrs tweaks new_mode with daemon_chmod_modes; clientserver.c: rsync_module).
    /// </summary>
    public ChmodRules? ModuleChmod { get; init; }
    /// <summary>--no-W was given (stock's whole_file == 0): a push with --inplace and -S then tells the server --no-W.</summary>
    public bool NoWholeFile { get; init; }
}
