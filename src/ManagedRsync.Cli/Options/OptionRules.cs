namespace ManagedRsync.Cli.Options;

/// <summary>
/// What rsync's parse_arguments (options.c) does after its popt loop, for the options mrsync implements: the
/// refusal of an unimplemented stock option, the checksum and compression name checks, -zz, the lone "-h",
/// --files-from dropping the -r implied by -a, the --delete-WHEN checks and the implied --dirs and --relative.
/// </summary>
internal static class OptionRules
{
    // %b, %c and %C (log.c: log_formatted) are shown from each transfer's own counts and checksum, and %C with -c from
    // the file list's (F_SUM). Not yet: with --progress the name line stock prints before the data when a format waits
    // for its end (sender.c/receiver.c: rprintf(FCLIENT, fname) with INFO_EQ(PROGRESS, 1)).
    private static string? TransferFiguresRefusal(RsyncOptions o)
    {
        string? shown = LogFormat.HasTransferFigures(o.OutFormat) ? "--out-format"
            : LogFormat.HasTransferFigures(o.LogFileFormat) ? "--log-file-format" : null;
        if (shown is null)
            return null;
        if (o.Progress || InfoSupport.Raised(o.InfoGiven, InfoFlag.Progress))
            return $"{shown} with %b, %c or %C and --progress";
        return null;
    }

    // rsync checksum.c valid_checksums and compat.c valid_compressions (names compared ignoring case).
    private static readonly string[] ChecksumNames = ["xxh128", "xxh3", "xxh64", "md5", "md4", "sha1", "none"];
    private static readonly string[] CompressNames = ["zstd", "lz4", "zlibx", "zlib", "none"];

    /// <param name="state">The parsed command line.</param>
    /// <param name="argCount">How many words the command line had (stock's argc minus the program name).</param>
    /// <param name="environment">Reads an environment variable ($RSYNC_MAX_ALLOC, $RSYNC_PARTIAL_DIR).</param>
    public static void Finish(OptionState state, int argCount, Func<string, string?> environment)
    {
        RsyncOptions o = state.Options;
        // options.c: -V prints the version right after the loop, before any other check.
        if (o.VersionCount > 0)
            return;
        // options.c case 'H' counts; -HH changes only what the server is told, which we do not carry yet.
        if (state.HardLinks > 1)
            state.Refused ??= "-HH";
        // options.c: --log-file alone logs "%i %n%L"; a --log-file-format without --log-file is dropped.
        o.LogFileFormat = o.LogFile is null ? null : o.LogFileFormat ?? "%i %n%L";
        state.Refused ??= TransferFiguresRefusal(o);
        state.Refused ??= InfoSupport.Refused(o.InfoGiven);
        if (state.Refused is { } refused)
            throw new OptionException($"{refused} is not supported yet", RsyncExitCode.Unsupported);
        // options.c: parse_arguments — -X with a batch file: the batch's stream flags do not carry it here yet.
        if (o.Xattrs > 0 && (o.WriteBatch ?? o.ReadBatch) is not null)
            throw new OptionException("--xattrs (-X) with a batch file is not supported yet", RsyncExitCode.Unsupported);
        ReceivingOptionRules.CheckMaxAlloc(o, environment);
        // options.c: parse_arguments — "--fake-super conflicts with -XX".
        if (o.Xattrs > 1 && o.Super == SuperMode.Fake)
            throw new OptionException("--fake-super conflicts with -XX");
        // options.c: parse_arguments — the batch options' conflicts, the batch name's bound (MAX_BATCH_NAME_LEN), and
        // -n turning --write-batch off.
        if (o.WriteBatch is not null && o.ReadBatch is not null)
            throw new OptionException("--write-batch and --read-batch can not be used together");
        if (o.ReadBatch is not null && o.FilesFrom is not null)
            throw new OptionException("--read-batch cannot be used with --files-from");
        if (o.ReadBatch is not null && o.RemoveSourceFiles != 0)
            throw new OptionException($"--read-batch cannot be used with --remove-{(o.RemoveSourceFiles == 1 ? "source" : "sent")}-files");
        if ((o.WriteBatch ?? o.ReadBatch) is { } batchName)
        {
            if (System.Text.Encoding.UTF8.GetByteCount(batchName) > 256)
                throw new OptionException("the batch-file name must be 256 characters or less.");
            // options.c: -n turns either writing option off (write_batch = 0).
            if (o.DryRun)
                (o.WriteBatch, o.OnlyWriteBatch) = (null, false);
        }

        // options.c: an explicit --old-args with an explicit -s (the environment variables are read later).
        if (o.OldArgs > 0 && o.SecludedArgs == true)
            throw new OptionException("--secluded-args conflicts with --old-args.");
        CheckChecksumChoice(o);
        // options.c: "-h" (or -hh, --human-readable) as the only word is the old spelling of --help.
        if (o.HumanReadable > 1 && argCount == 1)
            o.ShowHelp = true;
        SettleCompression(state);
        // options.c: parse_arguments — --outbuf's first letter, in either case, is N/U, L or B/F (setvbuf of stdout);
        // stock flushes stdout at each line end and each partial progress line anyway (log.c: rwrite, rflush), so
        // the mode changes nothing a reader of the output sees, and mrsync writes as it does.
        if (o.Outbuf is { } outbuf && (outbuf.Length == 0 || char.ToUpperInvariant(outbuf[0]) is not ('N' or 'U' or 'L' or 'B' or 'F')))
            throw new OptionException("Invalid --outbuf setting -- specify N, L, or B.");
        o.HardLinks = state.HardLinks > 0;
        // Before protocol 28 a -H file list carries dev/ino for every regular file (flist.c: send_file_entry), which
        // the library does not write or read.
        if (o.HardLinks && o.Protocol < 28)
            throw new OptionException("--hard-links (-H) with --protocol below 28 is not supported yet", RsyncExitCode.Unsupported);

        bool filesFrom = o.FilesFrom != null;
        // options.c: --files-from turns off the recursion -a implied, not an explicit -r.
        if (filesFrom && state.Recurse == 1)
            state.Recurse = 0;
        // options.c: --old-dirs (xfer_dirs 4) is "-r --exclude='/*/*'" for an old server: the rule after the command
        // line's, recursion on as -a turns it on (recurse 1), and no 'd' sent.
        if (state.XferDirs >= 4)
        {
            o.Filters.Add(new FilterArgument(Filters.FilterOptionKind.Filter, "- /*/*"));
            state.Recurse = 1;
            state.XferDirs = 1;
        }
        o.Recursive = state.Recurse > 0;
        o.RecurseGiven = state.Recurse == 2;
        // options.c: one argument is a listing (list_only |= 1); --dirs is implied by -r, --files-from or a listing
        // unless -d/--no-d said otherwise (xfer_dirs 2 stays 2 only without -r: then 'd' is sent).
        int xferDirs = state.XferDirs;
        if (filesFrom && xferDirs < 0)
            xferDirs = 1;
        if (o.Recursive)
            xferDirs = 1;
        else if (xferDirs < 0)
            xferDirs = o.ListOnly || (o.Args.Count < 2 && o.ReadBatch is null) ? 1 : 0;
        o.Dirs = xferDirs > 0;
        o.DirsGiven = xferDirs == 2;
        o.Relative = state.Relative < 0 ? filesFrom : state.Relative > 0;

        SettleDelete(state);
        ReceivingOptionRules.Finish(o, environment);
        // options.c: parse_arguments — a client that munges would make links that a directory of that name could
        // resolve: it refuses to start (RERR_UNSUPPORTED).
        if (o.MungeLinks && Directory.Exists("/rsyncd-munged"))
            throw new OptionException("Symlink munging is unsafe when a /rsyncd-munged directory exists.", RsyncExitCode.Unsupported);
        ReceivingOptionRules.RefuseMaxAllocLimit(o);
    }

    // rsync checksum.c parse_checksum_choice: up to two names ("xfer,file"); "auto" means negotiate; "none" forces
    // --whole-file.
    private static void CheckChecksumChoice(RsyncOptions o)
    {
        if (o.ChecksumChoice is not { } choice)
            return;
        if (choice.Equals("auto", StringComparison.OrdinalIgnoreCase) || choice.Equals("auto,auto", StringComparison.OrdinalIgnoreCase))
        {
            o.ChecksumChoice = null;
            return;
        }
        string[] names = choice.Split(',', 2);
        foreach (string name in names)
        {
            if (!ChecksumNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new OptionException($"unknown checksum name: {name}", RsyncExitCode.Unsupported);
        }
        if (names[0].Equals("none", StringComparison.OrdinalIgnoreCase))
            o.WholeFile = true;
    }

    // rsync options.c after the loop: -zz without a choice is zlibx; "auto" is no choice; compat.c
    // parse_compress_choice checks the name. Compression is on when -z was given, a --compress-choice other than
    // "none" was, or only --compress-level was (CPRES_AUTO: negotiated, but no 'z' for the server).
    private static void SettleCompression(OptionState state)
    {
        RsyncOptions o = state.Options;
        if (o.CompressChoice is null && state.Compress > 1)
            o.CompressChoice = "zlibx";
        if (o.CompressChoice is { } choice)
        {
            if (choice.Equals("auto", StringComparison.OrdinalIgnoreCase))
                o.CompressChoice = null;
            else if (!CompressNames.Contains(choice, StringComparer.OrdinalIgnoreCase))
                throw new OptionException($"unknown compress name: {choice}", RsyncExitCode.Unsupported);
        }
        bool none = o.CompressChoice is { } c && c.Equals("none", StringComparison.OrdinalIgnoreCase);
        o.Compress = !none && (state.Compress > 0 || o.CompressChoice != null);
        o.CompressFromLevelOnly = !none && !o.Compress && o.CompressLevel != null;
        if (o.CompressFromLevelOnly)
            o.Compress = true;
    }

    // rsync options.c: at most one of --delete-before, --delete-during/--del/--delete-delay, --delete-after; any of
    // them or --delete-excluded means --delete.
    private static void SettleDelete(OptionState state)
    {
        RsyncOptions o = state.Options;
        if ((state.DeleteBefore ? 1 : 0) + (state.DeleteDuring > 0 ? 1 : 0) + (state.DeleteAfter ? 1 : 0) > 1)
            throw new OptionException("You may not combine multiple --delete-WHEN options.");
        o.Delete = state.DeleteBefore ? DeleteTiming.Before
            : state.DeleteDuring == 2 ? DeleteTiming.Delay
            : state.DeleteDuring == 1 ? DeleteTiming.During
            : state.DeleteAfter ? DeleteTiming.After
            : state.DeleteMode || o.DeleteExcluded ? DeleteTiming.Default
            : DeleteTiming.None;
    }

    /// <summary>
    /// rsync options.c: deleting needs -r or --dirs. Checked for an rsync command line only (`mrsync watch` always
    /// recurses, whatever its options say).
    /// </summary>
    public static void CheckDeleteHasDirs(RsyncOptions o)
    {
        if (o.Delete != DeleteTiming.None && !o.Dirs)
            throw new OptionException("--delete does not work without --recursive (-r) or --dirs (-d).");
    }
}
