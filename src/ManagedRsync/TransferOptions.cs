namespace ManagedRsync;

/// <summary>
/// The rsync options a transfer honours, named after rsync's own. Defaults are rsync's defaults (nothing
/// preserved); <see cref="Archive"/> gives -a.
/// </summary>
public sealed partial record TransferOptions
{
    /// <summary>-a: -rlptgoD.</summary>
    public static TransferOptions Archive { get; } = new()
    {
        Recursive = true, Links = true, Perms = true, Times = true, Group = true, Owner = true, Devices = true, Specials = true,
    };

    /// <summary>-v, counted.</summary>
    public int Verbose { get; init; }
    /// <summary>-q: no informational output.</summary>
    public bool Quiet { get; init; }
    /// <summary>--stderr (options.c: msgs2stderr): where messages go; also sent to the server.</summary>
    public StderrMode Stderr { get; init; } = StderrMode.Errors;
    /// <summary>-r.</summary>
    public bool Recursive { get; init; }
    /// <summary>-d: transfer directories without recursing.</summary>
    public bool Dirs { get; init; }
    /// <summary>-d was given (without -r): the server is told 'd' whatever else is asked (options.c xfer_dirs == 2).</summary>
    public bool DirsGiven { get; init; }
    /// <summary>-l: symlinks as symlinks.</summary>
    public bool Links { get; init; }
    /// <summary>-p: permissions.</summary>
    public bool Perms { get; init; }
    /// <summary>-t: modification times.</summary>
    public bool Times { get; init; }
    /// <summary>
    /// -U/--atimes: every entry but a directory carries its access time in the list (compat.c: setup_protocol sets
    /// atimes_ndx; flist.c: XMIT_SAME_ATIME), which the receiving side sets (rsync.c: set_file_attrs) and itemizes
    /// ('u', generator.c: itemize).
    /// </summary>
    public bool Atimes { get; init; }
    /// <summary>-UU: the second U, sent as such (options.c: server_options), which also turns on --open-noatime.</summary>
    public bool AtimesTwice { get; init; }
    /// <summary>
    /// --open-noatime: the sender opens what it reads (files, the directories it lists, -c's list checksums) with
    /// O_NOATIME (syscall.c: do_open, secure_relative_open; flist.c: secure_opendir). Stock does not fall back when the
    /// kernel refuses it (EPERM: not the owner and no CAP_FOWNER): the open fails and is reported as any failed open.
    /// </summary>
    public bool OpenNoAtime { get; init; }
    /// <summary>
    /// --qsort: the file list sorted with qsort(3) instead of rsync's merge sort (flist.c: fsort; mrsync's sort gives the
    /// same order), no incremental recursion (compat.c: set_allow_inc_recurse), and "--use-qsort" sent to a server.
    /// </summary>
    public bool UseQsort { get; init; }
    /// <summary>-g: group.</summary>
    public bool Group { get; init; }
    /// <summary>-o: owner.</summary>
    public bool Owner { get; init; }
    /// <summary>--devices: device files.</summary>
    public bool Devices { get; init; }
    /// <summary>
    /// --copy-devices: our sender lists a device as a regular file of the device's size, timed now, and sends that many
    /// bytes of it (flist.c: make_file, sender.c: send_files); sent to a sending server (options.c: server_options).
    /// </summary>
    public bool CopyDevices { get; init; }
    /// <summary>
    /// --drop-D: the receiving side makes no device or special file, skipping each with "skipping non-regular file"
    /// as without -D (generator.c: recv_generator), while the list keeps its rdev fields (-D still frames the
    /// encoding). Not sent to a server (options.c: server_options has no word for it).
    /// </summary>
    public bool DropDevices { get; init; }
    /// <summary>--specials: FIFOs and sockets.</summary>
    public bool Specials { get; init; }
    /// <summary>-H: hard links.</summary>
    public bool HardLinks { get; init; }
    /// <summary>-R: send the full path names given.</summary>
    public bool Relative { get; init; }
    /// <summary>-c: compare by whole-file checksum rather than size and time.</summary>
    public bool AlwaysChecksum { get; init; }
    /// <summary>
    /// -C: the daemon applies rsync's CVS ignore rules too (sent as 'C'; a sending daemon adds them to its own list,
    /// rsync exclude.c recv_filter_list). The local side's rules come from the filter list.
    /// </summary>
    public bool CvsExclude { get; init; }
    /// <summary>-W: send whole files, no delta.</summary>
    public bool WholeFile { get; init; }
    /// <summary>Compression on (-z, a --compress-choice other than none, or --compress-level alone).</summary>
    public bool Compress { get; init; }
    /// <summary>
    /// Compression was asked for only by --compress-level (rsync's CPRES_AUTO): negotiated as for -z, but the server
    /// gets no 'z' (options.c: server_options).
    /// </summary>
    public bool CompressFromLevelOnly { get; init; }
    /// <summary>--compress-level.</summary>
    public int? CompressLevel { get; init; }
    /// <summary>--compress-choice (zstd, lz4, zlibx, zlib, none).</summary>
    public string? CompressChoice { get; init; }
    /// <summary>--checksum-choice (xxh128, xxh3, xxh64, md5, md4, none).</summary>
    public string? ChecksumChoice { get; init; }
    /// <summary>--delete and when it happens (--delete-before/-during/-delay/-after).</summary>
    public DeleteTiming Delete { get; init; }
    /// <summary>--delete-excluded.</summary>
    public bool DeleteExcluded { get; init; }
    /// <summary>--delete-missing-args: a listed path that does not exist is deleted on the receiver.</summary>
    public bool DeleteMissingArgs { get; init; }
    /// <summary>
    /// --ignore-missing-args: a source argument that does not exist is left out without an error (flist.c:
    /// send_file_list, missing_args 1); sent only to a sending server (options.c: server_options).
    /// </summary>
    public bool IgnoreMissingArgs { get; init; }
    /// <summary>
    /// --munge-links: this side's own symlink munging, never sent (<see cref="FileList.MungedLinks"/>): a sender sends
    /// "/rsyncd-munged/"-prefixed targets without the prefix, a receiver stores every received target behind it.
    /// </summary>
    public bool MungeLinks { get; init; }
    /// <summary>-n.</summary>
    public bool DryRun { get; init; }
    /// <summary>
    /// --list-only: the daemon lists what it would receive and changes nothing (rsync generator.c: recv_generator
    /// lists each entry and returns; its deletions and every write are skipped while list_only is set).
    /// </summary>
    public bool ListOnly { get; init; }
    /// <summary>--numeric-ids: owner and group by number, not name.</summary>
    public bool NumericIds { get; init; }
    /// <summary>
    /// A daemon module's "numeric ids = yes" (clientserver.c: rsync_module sets numeric_ids = -1): owner and group by
    /// number here, while the wire keeps the (then empty) name lists the client expects, as the client did not ask.
    /// </summary>
    public bool NumericIdsHere { get; init; }

    /// <summary>
    /// Where this side's user and group names come from: a daemon module's "name converter", else (null) the host's
    /// account files.
    /// </summary>
    internal IAccountNames? AccountNames { get; init; }
    /// <summary>-i, counted (rsync's itemize_changes; -ii also itemizes unchanged files).</summary>
    public int ItemizeChanges { get; init; }
    /// <summary>
    /// Only a listing: --list-only, or a pull given no destination (rsync's list_only != 0; options.c sets
    /// list_only |= 1 for a single argument). Only <see cref="ListOnly"/> sends "--list-only"; both make --dirs send 'd'.
    /// </summary>
    public bool Listing { get; init; }
    /// <summary>--stats.</summary>
    public bool Stats { get; init; }
    /// <summary>--progress: per-file progress is reported (events: <c>ITransferEvents.OnProgress</c>), and file names are logged as rsync logs them with --progress.</summary>
    public bool Progress { get; init; }
    /// <summary>-I: transfer files even when size and time match.</summary>
    public bool IgnoreTimes { get; init; }
    /// <summary>--size-only.</summary>
    public bool SizeOnly { get; init; }
    /// <summary>--timeout in seconds (0: none).</summary>
    public int Timeout { get; init; }
    /// <summary>
    /// --bwlimit in whole KiB/s as stock keeps and sends it (0: none), and the pace of what we send (rsync io.c:
    /// sleep_for_bwlimit; <see cref="Protocol.BandwidthPacer"/>), <see cref="BandwidthBytesPerSecond"/> bytes per second.
    /// </summary>
    public int BandwidthLimit { get; init; }
    /// <summary>The --bwlimit pacing rate in bytes per second (rsync io.c: bwlimit * 1024), 0 = unlimited.</summary>
    public long BandwidthBytesPerSecond => BandwidthLimit * 1024L;
    /// <summary>--partial (and -P): a receiving daemon keeps a partially transferred file.</summary>
    public bool Partial { get; init; }
    /// <summary>-T/--temp-dir: where a receiving daemon writes its temporary files.</summary>
    public string? TempDir { get; init; }
    /// <summary>-B: block size forced on the receiver.</summary>
    public int BlockSize { get; init; }
    /// <summary>--protocol: the highest protocol to speak (27-32).</summary>
    public int Protocol { get; init; } = 32;

    /// <summary>
    /// -M/--remote-option: words for the far side only, each starting with '-', added after the server options a daemon
    /// or a remote shell's server is sent (options.c: server_options). A local copy does not use them.
    /// </summary>
    public IReadOnlyList<string> RemoteOptions { get; init; } = [];

    /// <summary>--timeout as a span (zero: none).</summary>
    internal TimeSpan TimeoutSpan => Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : default;

    internal bool IsDeleting => Delete != DeleteTiming.None || DeleteExcluded;
}
