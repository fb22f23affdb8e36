using System.Net.Sockets;
using ManagedRsync.Filters;

namespace ManagedRsync.Cli;

/// <summary>
/// Every rsync option mrsync understands, as parsed from an rsync-style command line: the CLI's own model, mutable
/// while <see cref="Options.OptionParser"/> fills it. The library never sees it: the commands map it to the library's
/// immutable records (<see cref="Commands.OptionsMapping"/>: TransferOptions, DaemonConnectOptions, the FilterList). Names follow rsync's long options; rsync's implied options are already applied
/// (<c>-a</c> sets its seven, <c>-P</c> sets <see cref="Partial"/> and <see cref="Progress"/>, each
/// <c>--delete-WHEN</c> sets <see cref="Delete"/>, --files-from drops the -r that -a implied; rsync options.c:
/// parse_arguments).
/// </summary>
public sealed class RsyncOptions
{
    /// <summary>-v, counted.</summary>
    public int Verbose { get; set; }
    /// <summary>-q.</summary>
    public bool Quiet { get; set; }
    /// <summary>--info=FLAGS, every value applied in order (options.c: parse_output_words with USER_PRIORITY).</summary>
    public InfoLevels InfoGiven { get; set; }
    /// <summary>The --info levels in force: the given ones over what -v, --stats and --progress imply.</summary>
    public InfoLevels Info =>
        InfoLevels.Effective(InfoGiven, Verbose, Stats, Progress, logBeforeTransfer: TransferOptions.LogBeforeTransfer(OutFormat, ItemizeChanges));
    /// <summary>-8, --8-bit-output: a name's bytes that are not UTF-8 are printed as they are, not as "\#ooo".</summary>
    public bool EightBitOutput { get; set; }
    /// <summary>--debug=FLAGS: each debug flag's level as given (options.c debug_words order), -1 when not given.</summary>
    public int[] DebugGiven { get; } = [.. Enumerable.Repeat(-1, 24)];
    /// <summary>A help text an option asked for instead of a transfer (--info=help), printed unless -q came first.</summary>
    public string? HelpText { get; set; }
    /// <summary>--stderr=MODE, --msgs2stderr, --no-msgs2stderr (options.c: msgs2stderr).</summary>
    public StderrMode Stderr { get; set; } = StderrMode.Errors;
    /// <summary>-a (recorded; its implied options are set individually).</summary>
    public bool Archive { get; set; }
    /// <summary>-r (or implied by -a, except with --files-from).</summary>
    public bool Recursive { get; set; }
    /// <summary>
    /// rsync's xfer_dirs: directories are transferred without recursing; implied by -r, --files-from and a listing
    /// (options.c). (-d itself is not supported yet.)
    /// </summary>
    public bool Dirs { get; set; }
    /// <summary>-d given without -r (options.c xfer_dirs == 2): the server is told.</summary>
    public bool DirsGiven { get; set; }
    /// <summary>-l, copy symlinks as symlinks.</summary>
    public bool Links { get; set; }
    /// <summary>-p.</summary>
    public bool Perms { get; set; }

    /// <summary>-A/--acls (implies -p).</summary>
    public bool Acls { get; set; }
    /// <summary>-t.</summary>
    public bool Times { get; set; }
    /// <summary>-g.</summary>
    public bool Group { get; set; }
    /// <summary>-o.</summary>
    public bool Owner { get; set; }
    /// <summary>--devices (and -D).</summary>
    public bool Devices { get; set; }
    /// <summary>--copy-devices: a sender sends a device's contents as a regular file.</summary>
    public bool CopyDevices { get; set; }

    /// <summary>--drop-D: a receiver of ours makes no device or special file (options.c: drop_devices; never sent).</summary>
    public bool DropDevices { get; set; }
    /// <summary>--specials (and -D).</summary>
    public bool Specials { get; set; }
    /// <summary>-H (-HH is refused for now).</summary>
    public bool HardLinks { get; set; }

    /// <summary>--inc-recursive (default) / --no-inc-recursive, --no-i-r (options.c: allow_inc_recurse).</summary>
    public bool IncrementalRecursion { get; set; } = true;
    /// <summary>
    /// Compression is on: -z, a --compress-choice other than "none", or only --compress-level (see
    /// <see cref="CompressFromLevelOnly"/>).
    /// </summary>
    public bool Compress { get; set; }
    /// <summary>
    /// Compression was asked for only by --compress-level (rsync's CPRES_AUTO): negotiated like -z, but the server
    /// is not sent 'z' (options.c: server_options sends 'z' only for CPRES_ZLIB).
    /// </summary>
    public bool CompressFromLevelOnly { get; set; }
    /// <summary>--compress-level=N.</summary>
    public int? CompressLevel { get; set; }
    /// <summary>--compress-choice / --zc as written (-zz makes it "zlibx", --old-compress "zlib", --new-compress "zlibx").</summary>
    public string? CompressChoice { get; set; }
    /// <summary>--skip-compress=LIST: sent to a sending server; changes nothing else (see TransferOptions.SkipCompress).</summary>
    public string? SkipCompress { get; set; }
    /// <summary>--checksum-choice / --cc, as written ("xxh128", "md5,md4", ...).</summary>
    public string? ChecksumChoice { get; set; }
    /// <summary>-c, compare files by checksum.</summary>
    public bool Checksum { get; set; }
    /// <summary>-I, --ignore-times.</summary>
    public bool IgnoreTimes { get; set; }
    /// <summary>--size-only.</summary>
    public bool SizeOnly { get; set; }
    /// <summary>-B, --block-size in bytes (0: rsync's choice).</summary>
    public int BlockSize { get; set; }
    /// <summary>-W (true), --no-W (false), or rsync's default (null).</summary>
    public bool? WholeFile { get; set; }
    /// <summary>--delete and its timing variants.</summary>
    public DeleteTiming Delete { get; set; }
    /// <summary>--delete-excluded.</summary>
    public bool DeleteExcluded { get; set; }
    /// <summary>--delete-missing-args.</summary>
    public bool DeleteMissingArgs { get; set; }
    /// <summary>--ignore-missing-args (--delete-missing-args wins when both are given: options.c missing_args 3 is 2).</summary>
    public bool IgnoreMissingArgs { get; set; }
    /// <summary>--exclude, --include, --filter/-f, --exclude-from, --include-from, -C, -F, in command-line order.</summary>
    public List<FilterArgument> Filters { get; } = [];
    /// <summary>--files-from=FILE ("-" is stdin).</summary>
    public string? FilesFrom { get; set; }
    /// <summary>--from0 / -0.</summary>
    public bool From0 { get; set; }
    /// <summary>--munge-links / --no-munge-links.</summary>
    public bool MungeLinks { get; set; }
    /// <summary>--implied-dirs / --no-implied-dirs (default on).</summary>
    public bool ImpliedDirs { get; set; } = true;
    /// <summary>--outbuf=N|L|B as given (checked once the options are read).</summary>
    public string? Outbuf { get; set; }
    /// <summary>--qsort.</summary>
    public bool UseQsort { get; set; }
    /// <summary>--open-noatime.</summary>
    public bool OpenNoAtime { get; set; }

    /// <summary>-U/--atimes, counted (options.c: preserve_atimes; a second one turns on --open-noatime).</summary>
    public int Atimes { get; set; }
    /// <summary>-O/--omit-dir-times.</summary>
    public bool OmitDirTimes { get; set; }
    /// <summary>-J/--omit-link-times.</summary>
    public bool OmitLinkTimes { get; set; }
    /// <summary>-m/--prune-empty-dirs.</summary>
    public bool PruneEmptyDirs { get; set; }
    /// <summary>-R (implied by --files-from unless --no-R).</summary>
    public bool Relative { get; set; }
    /// <summary>-n.</summary>
    public bool DryRun { get; set; }
    /// <summary>--stats.</summary>
    public bool Stats { get; set; }
    /// <summary>--progress (and -P).</summary>
    public bool Progress { get; set; }
    /// <summary>-i, counted (-ii also itemizes unchanged files and sends the server "--log-format=%i%I").</summary>
    public int ItemizeChanges { get; set; }
    /// <summary>--out-format / --log-format: the line for each reported entry (rsync log.c: log_formatted).</summary>
    public string? OutFormat { get; set; }
    /// <summary>--log-file=FILE: the client's own log (log.c: logfile_open); null for none.</summary>
    public string? LogFile { get; set; }
    /// <summary>
    /// --log-file-format=FMT: the log file's line for each entry; "%i %n%L" with --log-file alone, null without a log
    /// file (options.c: parse_arguments drops it then).
    /// </summary>
    public string? LogFileFormat { get; set; }
    /// <summary>--numeric-ids.</summary>
    public bool NumericIds { get; set; }
    /// <summary>--timeout=SECONDS (0 = none).</summary>
    public int? Timeout { get; set; }
    /// <summary>--contimeout=SECONDS.</summary>
    public int? ConnectTimeout { get; set; }
    /// <summary>
    /// --bwlimit as stock keeps it: whole KiB per second (options.c: (bytes + 512) / 1024), 0 = unlimited. This is
    /// the number stock sends the server and paces its own socket writes at (io.c: sleep_for_bwlimit uses
    /// bwlimit * 1024 bytes per second); see <see cref="BandwidthBytesPerSecond"/>.
    /// </summary>
    public int BandwidthLimit { get; set; }
    /// <summary>The pacing rate in bytes per second (<see cref="BandwidthLimit"/> x 1024), 0 = unlimited.</summary>
    public long BandwidthBytesPerSecond => BandwidthLimit * 1024L;
    /// <summary>
    /// --stop-after / --time-limit / --stop-at: when the client ends its run, in seconds since the epoch (options.c
    /// stop_at_utime; the last of them given wins). Never sent to the server.
    /// </summary>
    public long? StopAt { get; set; }
    /// <summary>--port=PORT.</summary>
    public int? Port { get; set; }
    /// <summary>--sockopts=OPTIONS: set on the socket to a daemon (socket.c: set_socket_options); nothing elsewhere.</summary>
    public string? SocketOptions { get; set; }
    /// <summary>--password-file=FILE ("-" is stdin).</summary>
    public string? PasswordFile { get; set; }
    /// <summary>--protocol=NUM.</summary>
    public int? Protocol { get; set; }
    /// <summary>--list-only.</summary>
    public bool ListOnly { get; set; }
    /// <summary>--address=ADDRESS, the local address to bind.</summary>
    public string? Address { get; set; }
    /// <summary>-4 / -6.</summary>
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;
    /// <summary>-e / --rsh=COMMAND: the remote-shell command (null: $RSYNC_RSH, then "ssh").</summary>
    public string? RemoteShell { get; set; }
    /// <summary>--rsync-path=PROGRAM: what runs on the far side of a remote shell.</summary>
    public string? RsyncPath { get; set; }
    /// <summary>
    /// rsync's protect_args as given: -s/--secluded-args/--protect-args true, --no-s... false, null when neither (then
    /// $RSYNC_PROTECT_ARGS decides).
    /// </summary>
    public bool? SecludedArgs { get; set; }
    /// <summary>rsync's old_style_args as given: --old-args counted, 0 after --no-old-args, null when neither ($RSYNC_OLD_ARGS).</summary>
    public int? OldArgs { get; set; }
    /// <summary>--partial (and -P).</summary>
    public bool Partial { get; set; }
    /// <summary>--temp-dir / -T.</summary>
    public string? TempDir { get; set; }
    /// <summary>--no-motd (false).</summary>
    public bool Motd { get; set; } = true;
    /// <summary>
    /// rsync's human_readable: 1 by default (numbers with thousands separators), each -h adds one (2: units of
    /// 1000, 3+: units of 1024), --no-h makes it 0 (plain digits). options.c; lib/compat.c do_big_num.
    /// </summary>
    public int HumanReadable { get; set; } = 1;
    /// <summary>Numbers printed at <see cref="HumanReadable"/>'s level.</summary>
    public HumanNumbers Numbers => new(Math.Max(0, HumanReadable));
    /// <summary>--help (or a lone -h).</summary>
    public bool ShowHelp { get; set; }
    /// <summary>--version / -V, counted (-VV asks for the JSON capability report).</summary>
    public int VersionCount { get; set; }
    /// <summary>At least one -V.</summary>
    public bool ShowVersion => VersionCount > 0;
    /// <summary>-b (or implied by --backup-dir).</summary>
    public bool Backup { get; set; }
    /// <summary>--backup-dir=DIR, after stock's trimming of leading "./" (options.c), or null.</summary>
    public string? BackupDir { get; set; }
    /// <summary>--suffix=SUFFIX as given, or null for stock's default.</summary>
    public string? BackupSuffix { get; set; }
    /// <summary>--compare-dest, --copy-dest or --link-dest (one kind per command line, as stock).</summary>
    public AltDestKind AltDest { get; set; }
    /// <summary>The basis directories, in order (at most 20).</summary>
    public List<string> AltDestDirs { get; } = [];
    /// <summary>--max-delete=NUM as given (null: not given).</summary>
    public int? MaxDelete { get; set; }
    /// <summary>--ignore-errors.</summary>
    public bool IgnoreErrors { get; set; }
    /// <summary>--force.</summary>
    public bool Force { get; set; }
    /// <summary>-u, --update.</summary>
    public bool Update { get; set; }
    /// <summary>--existing (--ignore-non-existing).</summary>
    public bool Existing { get; set; }
    /// <summary>--ignore-existing.</summary>
    public bool IgnoreExisting { get; set; }
    /// <summary>--max-size in bytes.</summary>
    public long? MaxSize { get; set; }
    /// <summary>--min-size in bytes.</summary>
    public long? MinSize { get; set; }
    /// <summary>--partial-dir=DIR as given.</summary>
    public string? PartialDir { get; set; }
    /// <summary>The partial directory is ".~tmp~" implied by --delay-updates, not one the user named (not sent).</summary>
    public bool PartialDirImplied { get; set; }
    /// <summary>--delay-updates.</summary>
    public bool DelayUpdates { get; set; }
    /// <summary>-S, --sparse.</summary>
    public bool Sparse { get; set; }
    /// <summary>--preallocate.</summary>
    public bool Preallocate { get; set; }
    /// <summary>--modify-window=NUM / -@NUM (null: not given).</summary>
    public int? ModifyWindow { get; set; }
    /// <summary>-y, counted.</summary>
    public int Fuzzy { get; set; }
    /// <summary>--mkpath.</summary>
    public bool MakePath { get; set; }
    /// <summary>--fsync.</summary>
    public bool Fsync { get; set; }
    /// <summary>--super, --no-super, --fake-super: the last one given (options.c: am_root, POPT_ARG_VAL).</summary>
    public SuperMode Super { get; set; }
    /// <summary>--usermap (or "*:USER" from --chown).</summary>
    public string? UserMap { get; set; }
    /// <summary>--groupmap (or "*:GROUP" from --chown).</summary>
    public string? GroupMap { get; set; }
    /// <summary>Whether <see cref="UserMap"/> / <see cref="GroupMap"/> came from --chown (options.c usermap_via_chown).</summary>
    public bool UserMapViaChown { get; set; }
    public bool GroupMapViaChown { get; set; }
    /// <summary>--checksum-seed=NUM.</summary>
    public int ChecksumSeed { get; set; }
    /// <summary>--max-alloc=SIZE as written (or $RSYNC_MAX_ALLOC), null when absent.</summary>
    public string? MaxAlloc { get; set; }
    /// <summary>
    /// Where a --max-alloc limit came from ("--max-alloc" or "$RSYNC_MAX_ALLOC") when it is neither 0 (unlimited) nor
    /// stock's default of 1 GiB: our roles do not apply it (ReceivingOptionRules.RefuseMaxAllocLimit).
    /// </summary>
    public string? MaxAllocLimitFrom { get; set; }
    /// <summary>-K, --keep-dirlinks.</summary>
    public bool KeepDirLinks { get; set; }
    /// <summary>-x, counted (options.c one_file_system).</summary>
    public int OneFileSystem { get; set; }
    /// <summary>-X (1) or -XX (2): preserve_xattrs.</summary>
    public int Xattrs { get; set; }
    /// <summary>-L, --copy-links.</summary>
    public bool CopyLinks { get; set; }
    /// <summary>-k, --copy-dirlinks.</summary>
    public bool CopyDirLinks { get; set; }
    /// <summary>--copy-unsafe-links.</summary>
    public bool CopyUnsafeLinks { get; set; }
    /// <summary>-E, --executability.</summary>
    public bool Executability { get; set; }
    /// <summary>--safe-links.</summary>
    public bool SafeLinks { get; set; }
    /// <summary>--remove-source-files (1) or the old --remove-sent-files (2), 0 when neither (options.c remove_source_files).</summary>
    public int RemoveSourceFiles { get; set; }
    /// <summary>--early-input=FILE: sent to a daemon before the module name (unused without a daemon, as stock).</summary>
    public string? EarlyInput { get; set; }
    /// <summary>-M/--remote-option, every value in order.</summary>
    public List<string> RemoteOptions { get; } = [];
    /// <summary>--chmod, every value in order (options.c parse_chmod appends to one list).</summary>
    public ChmodRules? Chmod { get; set; }
    /// <summary>--inplace (implied by --append).</summary>
    public bool Inplace { get; set; }
    /// <summary>--append (1) or --append-verify (2), 0 when neither (options.c append_mode on a client).</summary>
    public int AppendMode { get; set; }
    /// <summary>--only-write-batch (with <see cref="WriteBatch"/>): options.c write_batch = -1.</summary>
    public bool OnlyWriteBatch { get; set; }
    /// <summary>-r itself, not -a's (options.c: recurse == 2; batch.c: check_batch_flags compares the value).</summary>
    public bool RecurseGiven { get; set; }
    /// <summary>--read-batch=FILE.</summary>
    public string? ReadBatch { get; set; }
    /// <summary>--write-batch=FILE.</summary>
    public string? WriteBatch { get; set; }
    /// <summary>The command line as given, after the program name (batch.c: write_batch_shell_file reads raw_argv).</summary>
    public IReadOnlyList<string> RawArgs { get; set; } = [];
    /// <summary>The filter list the run built from <see cref="Filters"/> (the rules FILE.sh repeats), once built.</summary>
    public Filters.FilterList? BuiltFilters { get; set; }
    /// <summary>The non-option arguments: sources then destination.</summary>
    public List<string> Args { get; } = [];
}

/// <summary>One filter option as given, in order.</summary>
/// <param name="Option">Which option.</param>
/// <param name="Value">Its argument, verbatim.</param>
public sealed record FilterArgument(FilterOptionKind Option, string Value);
