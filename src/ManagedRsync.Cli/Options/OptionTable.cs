using System.Net.Sockets;
using ManagedRsync.Filters;

namespace ManagedRsync.Cli.Options;

/// <summary>
/// rsync 3.5.0's option table (options.c: long_options), row for row and in its order, so that every name, letter,
/// argument kind and "--no-" form popt accepts is accepted here and nothing else is. A row either does what stock
/// does or is refused by name (<see cref="Refuse"/>). "--no-X" rows that only restore a default mrsync never leaves
/// (e.g. --no-sparse, --no-inplace) are accepted as what they are: no change.
/// </summary>
internal static class OptionTable
{
    private const OptionArgument Int = OptionArgument.Int;
    private const OptionArgument Text = OptionArgument.String;

    public static readonly IReadOnlyList<OptionSpec> All =
    [
        Flag("help", '\0', s => s.Options.ShowHelp = true),
        Flag("version", 'V', s => s.Options.VersionCount++),
        Flag("verbose", 'v', s => s.Options.Verbose++),
        Flag("no-verbose", '\0', s => s.Options.Verbose = 0),
        Flag("no-v", '\0', s => s.Options.Verbose = 0),
        Value("info", '\0', (s, v) => ApplyInfo(s.Options, v.Required)),
        Value("debug", '\0', (s, v) => DebugOption.Apply(s.Options, v.Required)),
        Value("stderr", '\0', (s, v) => s.Options.Stderr = StderrArgument(v.Required)),
        Flag("msgs2stderr", '\0', s => s.Options.Stderr = StderrMode.All),
        Flag("no-msgs2stderr", '\0', s => s.Options.Stderr = StderrMode.Client),
        Flag("quiet", 'q', s => s.Options.Quiet = true),
        Flag("motd", '\0', s => s.Options.Motd = true),
        Flag("no-motd", '\0', s => s.Options.Motd = false),
        Flag("stats", '\0', s => s.Options.Stats = true),
        Flag("human-readable", 'h', s => s.Options.HumanReadable++),
        Flag("no-human-readable", '\0', s => s.Options.HumanReadable = 0),
        Flag("no-h", '\0', s => s.Options.HumanReadable = 0),
        Flag("dry-run", 'n', s => s.Options.DryRun = true),
        Flag("archive", 'a', SetArchive),
        Flag("recursive", 'r', s => s.Recurse = 2),
        Flag("no-recursive", '\0', s => s.Recurse = 0),
        Flag("no-r", '\0', s => s.Recurse = 0),
        // options.c: allow_inc_recurse — incremental recursion where compat.c: set_allow_inc_recurse allows it.
        Flag("inc-recursive", '\0', s => s.Options.IncrementalRecursion = true),
        Flag("no-inc-recursive", '\0', s => s.Options.IncrementalRecursion = false),
        Flag("i-r", '\0', s => s.Options.IncrementalRecursion = true),
        Flag("no-i-r", '\0', s => s.Options.IncrementalRecursion = false),
        Flag("dirs", 'd', s => s.XferDirs = 2),
        Flag("no-dirs", '\0', s => s.XferDirs = 0),
        Flag("no-d", '\0', s => s.XferDirs = 0),
        Flag("old-dirs", '\0', s => s.XferDirs = 4),
        Flag("old-d", '\0', s => s.XferDirs = 4),
        Flag("perms", 'p', s => s.Options.Perms = true),
        Flag("no-perms", '\0', s => s.Options.Perms = false),
        Flag("no-p", '\0', s => s.Options.Perms = false),
        Flag("executability", 'E', s => s.Options.Executability = true),
        // options.c: -A sets preserve_perms too; --no-acls (--no-A) turns off only the ACLs.
        Flag("acls", 'A', s => s.Options.Acls = s.Options.Perms = true),
        Flag("no-acls", '\0', s => s.Options.Acls = false),
        Flag("no-A", '\0', s => s.Options.Acls = false),
        // options.c: -X counts (preserve_xattrs++): -XX also copies the rsync.% names.
        Flag("xattrs", 'X', s => s.Options.Xattrs++),
        Flag("no-xattrs", '\0', s => s.Options.Xattrs = 0),
        Flag("no-X", '\0', s => s.Options.Xattrs = 0),
        Flag("times", 't', s => s.Options.Times = true),
        Flag("no-times", '\0', s => s.Options.Times = false),
        Flag("no-t", '\0', s => s.Options.Times = false),
        // options.c: 'U' counts (preserve_atimes++), and a second one sets open_noatime.
        Flag("atimes", 'U', s => s.Options.OpenNoAtime |= ++s.Options.Atimes > 1),
        Flag("no-atimes", '\0', s => s.Options.Atimes = 0),
        Flag("no-U", '\0', s => s.Options.Atimes = 0),
        Flag("open-noatime", '\0', s => s.Options.OpenNoAtime = true),
        Flag("no-open-noatime", '\0', s => s.Options.OpenNoAtime = false),
        NotInThisBuild("crtimes", 'N'),
        Default("no-crtimes"),
        Default("no-N"),
        Flag("omit-dir-times", 'O', s => s.Options.OmitDirTimes = true),
        Flag("no-omit-dir-times", '\0', s => s.Options.OmitDirTimes = false),
        Flag("no-O", '\0', s => s.Options.OmitDirTimes = false),
        Flag("omit-link-times", 'J', s => s.Options.OmitLinkTimes = true),
        Flag("no-omit-link-times", '\0', s => s.Options.OmitLinkTimes = false),
        Flag("no-J", '\0', s => s.Options.OmitLinkTimes = false),
        new("modify-window", '@', Int, (s, v) => s.Options.ModifyWindow = v.Int()),
        // options.c: am_root 2, 0, -1 (the receiving side's; a fake-super sender lists what the xattrs say).
        Flag("super", '\0', s => s.Options.Super = SuperMode.Super),
        Flag("no-super", '\0', s => s.Options.Super = SuperMode.NoSuper),
        Flag("fake-super", '\0', s => s.Options.Super = SuperMode.Fake),
        Flag("owner", 'o', s => s.Options.Owner = true),
        Flag("no-owner", '\0', s => s.Options.Owner = false),
        Flag("no-o", '\0', s => s.Options.Owner = false),
        Flag("group", 'g', s => s.Options.Group = true),
        Flag("no-group", '\0', s => s.Options.Group = false),
        Flag("no-g", '\0', s => s.Options.Group = false),
        Flag(null, 'D', s => s.Options.Devices = s.Options.Specials = true),
        Flag("no-D", '\0', s => s.Options.Devices = s.Options.Specials = false),
        Flag("devices", '\0', s => s.Options.Devices = true),
        Flag("no-devices", '\0', s => s.Options.Devices = false),
        Flag("copy-devices", '\0', s => s.Options.CopyDevices = true),
        Refuse("write-devices"),
        Default("no-write-devices"),
        Flag("specials", '\0', s => s.Options.Specials = true),
        Flag("no-specials", '\0', s => s.Options.Specials = false),
        Flag("drop-D", '\0', s => s.Options.DropDevices = true),
        Flag("no-drop-D", '\0', s => s.Options.DropDevices = false),
        Refuse("confine-root", arg: Text),
        Flag("links", 'l', s => s.Options.Links = true),
        Flag("no-links", '\0', s => s.Options.Links = false),
        Flag("no-l", '\0', s => s.Options.Links = false),
        Flag("copy-links", 'L', s => s.Options.CopyLinks = true),
        Flag("copy-unsafe-links", '\0', s => s.Options.CopyUnsafeLinks = true),
        Flag("safe-links", '\0', s => s.Options.SafeLinks = true),
        Refuse("insecure-links"),
        Default("no-insecure-links"),
        Flag("munge-links", '\0', s => s.Options.MungeLinks = true),
        Flag("no-munge-links", '\0', s => s.Options.MungeLinks = false),
        Flag("copy-dirlinks", 'k', s => s.Options.CopyDirLinks = true),
        Flag("keep-dirlinks", 'K', s => s.Options.KeepDirLinks = true),
        Flag("hard-links", 'H', s => s.HardLinks++),
        Flag("no-hard-links", '\0', s => s.HardLinks = 0),
        Flag("no-H", '\0', s => s.HardLinks = 0),
        Flag("relative", 'R', s => s.Relative = 1),
        Flag("no-relative", '\0', s => s.Relative = 0),
        Flag("no-R", '\0', s => s.Relative = 0),
        Flag("implied-dirs", '\0', s => s.Options.ImpliedDirs = true),
        Flag("no-implied-dirs", '\0', s => s.Options.ImpliedDirs = false),
        Flag("i-d", '\0', s => s.Options.ImpliedDirs = true),
        Flag("no-i-d", '\0', s => s.Options.ImpliedDirs = false),
        Value("chmod", '\0', (s, v) => AddChmod(s.Options, v.Required)),
        Flag("ignore-times", 'I', s => s.Options.IgnoreTimes = true),
        Flag("size-only", '\0', s => s.Options.SizeOnly = true),
        // options.c case 'x': counted (-xx also leaves mount points out).
        Flag("one-file-system", 'x', s => s.Options.OneFileSystem++),
        Flag("no-one-file-system", '\0', s => s.Options.OneFileSystem = 0),
        Flag("no-x", '\0', s => s.Options.OneFileSystem = 0),
        Flag("update", 'u', s => s.Options.Update = true),
        Flag("existing", '\0', s => s.Options.Existing = true),
        Flag("ignore-non-existing", '\0', s => s.Options.Existing = true),
        Flag("ignore-existing", '\0', s => s.Options.IgnoreExisting = true),
        Value("max-size", '\0', (s, v) => s.Options.MaxSize = SizeArgument.Parse(v, 'b', "max-size", 0, -1, unlimitedZero: false)),
        Value("min-size", '\0', (s, v) => s.Options.MinSize = SizeArgument.Parse(v, 'b', "min-size", 0, -1, unlimitedZero: false)),
        Value("max-alloc", '\0', (s, v) => s.Options.MaxAlloc = v.Required),
        Flag("sparse", 'S', s => s.Options.Sparse = true),
        Flag("no-sparse", '\0', s => s.Options.Sparse = false),
        Flag("no-S", '\0', s => s.Options.Sparse = false),
        Flag("preallocate", '\0', s => s.Options.Preallocate = true),
        Flag("inplace", '\0', s => s.Options.Inplace = true),
        Flag("no-inplace", '\0', s => s.Options.Inplace = false),
        // options.c OPT_APPEND: a client's --append is 1 however often it is given (only a server counts them).
        Flag("append", '\0', s => s.Options.AppendMode = 1),
        Flag("append-verify", '\0', s => s.Options.AppendMode = 2),
        Flag("no-append", '\0', s => s.Options.AppendMode = 0),
        Flag("del", '\0', s => s.DeleteDuring = 1),
        Flag("delete", '\0', s => s.DeleteMode = true),
        Flag("delete-before", '\0', s => s.DeleteBefore = true),
        Flag("delete-during", '\0', s => s.DeleteDuring = 1),
        Flag("delete-delay", '\0', s => s.DeleteDuring = 2),
        Flag("delete-after", '\0', s => s.DeleteAfter = true),
        Flag("delete-excluded", '\0', s => s.Options.DeleteExcluded = true),
        Flag("delete-missing-args", '\0', s => s.Options.DeleteMissingArgs = true),
        Flag("ignore-missing-args", '\0', s => s.Options.IgnoreMissingArgs = true),
        Flag("remove-sent-files", '\0', s => s.Options.RemoveSourceFiles = 2),
        Flag("remove-source-files", '\0', s => s.Options.RemoveSourceFiles = 1),
        Flag("force", '\0', s => s.Options.Force = true),
        Flag("no-force", '\0', s => s.Options.Force = false),
        Flag("ignore-errors", '\0', s => s.Options.IgnoreErrors = true),
        Flag("no-ignore-errors", '\0', s => s.Options.IgnoreErrors = false),
        Number("max-delete", (s, n) => s.Options.MaxDelete = n),
        // rsync options.c case 'F': each -F adds to the list where it stands (once: dir-merge .rsync-filter; twice:
        // also exclude the .rsync-filter files themselves).
        Flag(null, 'F', s => s.Options.Filters.Add(new(FilterOptionKind.FilterShortcut, ""))),
        Value("filter", 'f', (s, v) => s.Options.Filters.Add(new(FilterOptionKind.Filter, v.Required))),
        Value("exclude", '\0', (s, v) => s.Options.Filters.Add(new(FilterOptionKind.Exclude, v.Required))),
        Value("include", '\0', (s, v) => s.Options.Filters.Add(new(FilterOptionKind.Include, v.Required))),
        Value("exclude-from", '\0', (s, v) => s.Options.Filters.Add(new(FilterOptionKind.ExcludeFrom, v.Required))),
        Value("include-from", '\0', (s, v) => s.Options.Filters.Add(new(FilterOptionKind.IncludeFrom, v.Required))),
        Flag("cvs-exclude", 'C', s => s.Options.Filters.Add(new(FilterOptionKind.CvsExclude, ""))),
        Flag("whole-file", 'W', s => s.Options.WholeFile = true),
        Flag("no-whole-file", '\0', s => s.Options.WholeFile = false),
        Flag("no-W", '\0', s => s.Options.WholeFile = false),
        Flag("checksum", 'c', s => s.Options.Checksum = true),
        Flag("no-checksum", '\0', s => s.Options.Checksum = false),
        Flag("no-c", '\0', s => s.Options.Checksum = false),
        Value("checksum-choice", '\0', (s, v) => s.Options.ChecksumChoice = v.Required),
        Value("cc", '\0', (s, v) => s.Options.ChecksumChoice = v.Required),
        Value("block-size", 'B', (s, v) => s.Options.BlockSize = SizeArgument.BlockSize(v, s.Options.Protocol)),
        Value("compare-dest", '\0', (s, v) => ReceivingOptionRules.AddAltDest(s.Options, AltDestKind.Compare, v.Required)),
        Value("copy-dest", '\0', (s, v) => ReceivingOptionRules.AddAltDest(s.Options, AltDestKind.Copy, v.Required)),
        Value("link-dest", '\0', (s, v) => ReceivingOptionRules.AddAltDest(s.Options, AltDestKind.Link, v.Required)),
        Flag("fuzzy", 'y', s => s.Options.Fuzzy++),
        Flag("no-fuzzy", '\0', s => s.Options.Fuzzy = 0),
        Flag("no-y", '\0', s => s.Options.Fuzzy = 0),
        Flag("compress", 'z', s => s.Compress++),
        Flag("old-compress", '\0', s => s.Options.CompressChoice = "zlib"),
        Flag("new-compress", '\0', s => s.Options.CompressChoice = "zlibx"),
        Flag("no-compress", '\0', NoCompress),
        Flag("no-z", '\0', NoCompress),
        Value("compress-choice", '\0', (s, v) => s.Options.CompressChoice = v.Required),
        Value("zc", '\0', (s, v) => s.Options.CompressChoice = v.Required),
        // token.c: set_compression's per-file choice is compiled out in 3.5.0 ("No compression algorithms currently
        // allow mid-stream changing of the level"), so the list only travels to a sending server.
        Value("skip-compress", '\0', (s, v) => s.Options.SkipCompress = v.Required),
        Number("compress-level", (s, n) => s.Options.CompressLevel = n),
        Number("zl", (s, n) => s.Options.CompressLevel = n),
        Refuse("compress-threads", arg: Int),
        Refuse("zt", arg: Int),
        Flag(null, 'P', s => s.Options.Partial = s.Options.Progress = true),
        Flag("progress", '\0', s => s.Options.Progress = true),
        Flag("no-progress", '\0', s => s.Options.Progress = false),
        Flag("partial", '\0', s => s.Options.Partial = true),
        Flag("no-partial", '\0', s => s.Options.Partial = false),
        Value("partial-dir", '\0', (s, v) => s.Options.PartialDir = v.Required),
        Flag("delay-updates", '\0', s => s.Options.DelayUpdates = true),
        Flag("no-delay-updates", '\0', s => s.Options.DelayUpdates = false),
        Flag("prune-empty-dirs", 'm', s => s.Options.PruneEmptyDirs = true),
        Flag("no-prune-empty-dirs", '\0', s => s.Options.PruneEmptyDirs = false),
        Flag("no-m", '\0', s => s.Options.PruneEmptyDirs = false),
        Value("log-file", '\0', (s, v) => s.Options.LogFile = v.Required),
        Value("log-file-format", '\0', (s, v) => s.Options.LogFileFormat = v.Required),
        Value("out-format", '\0', (s, v) => s.Options.OutFormat = v.Required),
        Value("log-format", '\0', (s, v) => s.Options.OutFormat = v.Required),
        Flag("itemize-changes", 'i', s => s.Options.ItemizeChanges++),
        Flag("no-itemize-changes", '\0', s => s.Options.ItemizeChanges = 0),
        Flag("no-i", '\0', s => s.Options.ItemizeChanges = 0),
        Value("bwlimit", '\0', (s, v) => s.Options.BandwidthLimit = SizeArgument.BandwidthLimit(v)),
        Flag("no-bwlimit", '\0', s => s.Options.BandwidthLimit = 0),
        Flag("backup", 'b', s => s.Options.Backup = true),
        Flag("no-backup", '\0', s => s.Options.Backup = false),
        Value("backup-dir", '\0', (s, v) => s.Options.BackupDir = v.Required),
        Value("suffix", '\0', (s, v) => s.Options.BackupSuffix = v.Required),
        Flag("list-only", '\0', s => s.Options.ListOnly = true),
        Value("read-batch", '\0', (s, v) => s.Options.ReadBatch = v.Required),
        Value("write-batch", '\0', (s, v) => (s.Options.WriteBatch, s.Options.OnlyWriteBatch) = (v.Required, false)),
        Value("only-write-batch", '\0', (s, v) => (s.Options.WriteBatch, s.Options.OnlyWriteBatch) = (v.Required, true)),
        Value("files-from", '\0', (s, v) => s.Options.FilesFrom = v.Required),
        Flag("from0", '0', s => s.Options.From0 = true),
        Flag("no-from0", '\0', s => s.Options.From0 = false),
        // options.c OPT_OLD_ARGS counts; the other rows set protect_args / old_style_args outright.
        Flag("old-args", '\0', s => s.Options.OldArgs = Math.Max(s.Options.OldArgs ?? 0, 0) + 1),
        Flag("no-old-args", '\0', s => s.Options.OldArgs = 0),
        Flag("secluded-args", 's', s => s.Options.SecludedArgs = true),
        Flag("no-secluded-args", '\0', s => s.Options.SecludedArgs = false),
        Flag("protect-args", '\0', s => s.Options.SecludedArgs = true),
        Flag("no-protect-args", '\0', s => s.Options.SecludedArgs = false),
        Flag("no-s", '\0', s => s.Options.SecludedArgs = false),
        Refuse("trust-sender"),
        Flag("numeric-ids", '\0', s => s.Options.NumericIds = true),
        Flag("no-numeric-ids", '\0', s => s.Options.NumericIds = false),
        Value("usermap", '\0', (s, v) => ReceivingOptionRules.SetUserMap(s.Options, v.Required)),
        Value("groupmap", '\0', (s, v) => ReceivingOptionRules.SetGroupMap(s.Options, v.Required)),
        Value("chown", '\0', (s, v) => ReceivingOptionRules.SetChown(s.Options, v.Required)),
        Number("timeout", (s, n) => s.Options.Timeout = n),
        Flag("no-timeout", '\0', s => s.Options.Timeout = 0),
        Number("contimeout", (s, n) => s.Options.ConnectTimeout = n),
        Flag("no-contimeout", '\0', s => s.Options.ConnectTimeout = 0),
        Flag("fsync", '\0', s => s.Options.Fsync = true),
        Value("stop-after", '\0', (s, v) => s.Options.StopAt = StopTime.AfterMinutes(v.Required, DateTimeOffset.UtcNow.ToUnixTimeSeconds())),
        Value("time-limit", '\0', (s, v) => s.Options.StopAt = StopTime.AfterMinutes(v.Required, DateTimeOffset.UtcNow.ToUnixTimeSeconds())),
        Value("stop-at", '\0', (s, v) => s.Options.StopAt = StopTime.At(v.Required, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), TimeZoneInfo.Local)),
        Value("rsh", 'e', (s, v) => s.Options.RemoteShell = v.Required),
        Value("rsync-path", '\0', (s, v) => s.Options.RsyncPath = v.Required),
        Value("temp-dir", 'T', (s, v) => s.Options.TempDir = v.Required),
        Refuse("iconv", arg: Text),
        // --iconv is refused, so no conversion is ever set up: --no-iconv changes nothing.
        Default("no-iconv"),
        Flag("ipv4", '4', s => s.Options.AddressFamily = AddressFamily.InterNetwork),
        Flag("ipv6", '6', s => s.Options.AddressFamily = AddressFamily.InterNetworkV6),
        Flag("8-bit-output", '8', s => s.Options.EightBitOutput = true),
        Flag("no-8-bit-output", '\0', s => s.Options.EightBitOutput = false),
        Flag("no-8", '\0', s => s.Options.EightBitOutput = false),
        Flag("mkpath", '\0', s => s.Options.MakePath = true),
        Flag("no-mkpath", '\0', s => s.Options.MakePath = false),
        Flag("qsort", '\0', s => s.Options.UseQsort = true),
        Refuse("copy-as", arg: Text),
        Value("address", '\0', (s, v) => s.Options.Address = v.Required),
        Number("port", (s, n) => s.Options.Port = n),
        Value("sockopts", '\0', (s, v) => s.Options.SocketOptions = v.Required),
        Value("password-file", '\0', (s, v) => s.Options.PasswordFile = v.Required),
        Value("early-input", '\0', (s, v) => s.Options.EarlyInput = v.Required),
        // main.c / pipe.c: blocking I/O on the client's ends of a remote shell's pipes (not sent to the server): what
        // goes through them is the same either way, and mrsync's pipes are streams it reads and writes whole.
        Default("blocking-io"),
        Default("no-blocking-io"),
        Value("outbuf", '\0', (s, v) => s.Options.Outbuf = v.Required),
        Value("remote-option", 'M', (s, v) => AddRemoteOption(s.Options, v.Required)),
        Number("protocol", (s, n) => s.Options.Protocol = n),
        Number("checksum-seed", (s, n) => s.Options.ChecksumSeed = n),
        Refuse("server"),
        Refuse("sender"),
        Refuse("config", arg: Text),
        Refuse("daemon"),
        Refuse("dparam", arg: Text),
        Refuse("detach"),
        Refuse("no-detach"),
    ];

    // Rows of long_options that are another spelling of an option listed under its own name.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["del"] = "delete-during", ["cc"] = "checksum-choice", ["zc"] = "compress-choice", ["zl"] = "compress-level",
        ["zt"] = "compress-threads", ["i-r"] = "inc-recursive", ["old-d"] = "old-dirs", ["i-d"] = "implied-dirs",
        ["time-limit"] = "stop-after", ["log-format"] = "out-format", ["ignore-non-existing"] = "existing",
        ["protect-args"] = "secluded-args", ["remove-sent-files"] = "remove-source-files",
    };

    /// <summary>See <see cref="OptionSpec.Name"/>.</summary>
    public static string CanonicalName(OptionSpec spec)
    {
        if (spec.Long is null)
            return "-" + spec.Short;
        if (Aliases.TryGetValue(spec.Long, out string? alias))
            return "--" + alias;
        if (spec.Long.StartsWith("no-", StringComparison.Ordinal))
        {
            string positive = spec.Long[3..];
            OptionSpec? of = All.FirstOrDefault(s => s.Long == positive || (positive.Length == 1 && s.Short == positive[0]));
            return of is { Long: not null } ? "--no-" + CanonicalName(of)[2..] : "--" + spec.Long;
        }
        return "--" + spec.Long;
    }

    // rsync options.c case 'a': -rlptgoD, keeping an explicit -r (recurse 2) so --files-from can drop only the
    // implied one.
    private static void SetArchive(OptionState s)
    {
        if (s.Recurse == 0)
            s.Recurse = 1;
        var o = s.Options;
        o.Archive = o.Links = o.Perms = o.Times = o.Group = o.Owner = o.Devices = o.Specials = true;
    }

    // rsync options.c OPT_NO_COMPRESS: clears the -z count and any --compress-choice.
    private static void NoCompress(OptionState s)
    {
        s.Compress = 0;
        s.Options.CompressChoice = null;
    }

    // options.c: OPT_INFO — parse_output_words at once: "help" prints the list and exits 0 there, an unknown word is
    // "Unknown --info item" and exit 1 before any later option is read.
    private static void ApplyInfo(RsyncOptions o, string words)
    {
        o.InfoGiven = o.InfoGiven.Apply(words, out bool help, out string? unknown);
        if (unknown is not null)
            throw new OptionException($"Unknown --info item: \"{unknown}\"") { Verbatim = true };
        if (help)
        {
            o.HelpText = InfoLevels.Help;
            o.ShowHelp = true;
        }
    }

    // options.c: OPT_STDERR — any non-empty prefix of errors, all or client, in that order.
    private static StderrMode StderrArgument(string mode) =>
        mode.Length > 0 && "errors".StartsWith(mode, StringComparison.Ordinal) ? StderrMode.Errors
        : mode.Length > 0 && "all".StartsWith(mode, StringComparison.Ordinal) ? StderrMode.All
        : mode.Length > 0 && "client".StartsWith(mode, StringComparison.Ordinal) ? StderrMode.Client
        : throw new OptionException($"--stderr mode \"{mode}\" is not one of errors, all, or client");

    private static OptionSpec Flag(string? longName, char shortName, Action<OptionState> set) =>
        new(longName, shortName, OptionArgument.None, (s, _) => set(s));

    private static OptionSpec Value(string longName, char shortName, Action<OptionState, OptionValue> set) =>
        new(longName, shortName, OptionArgument.String, set);

    // A popt POPT_ARG_INT row storing into a nullable int.
    private static OptionSpec Number(string longName, Action<OptionState, int> set) =>
        new(longName, '\0', OptionArgument.Int, (s, v) => set(s, v.Int()));

    // A "--no-X" row whose value is already the only behaviour mrsync has.
    // options.c OPT_CHMOD: parse_chmod adds to one list; a bad value is "Invalid argument passed to --chmod (V)".
    private static void AddChmod(RsyncOptions o, string value)
    {
        o.Chmod ??= new ChmodRules();
        if (!o.Chmod.TryAdd(value, ManagedRsync.Platform.ProcessUmask.Value))
            throw new OptionException($"Invalid argument passed to --chmod ({value})");
    }

    // options.c: parse_arguments case 'M' — only an option may be passed on.
    private static void AddRemoteOption(RsyncOptions o, string value)
    {
        if (!value.StartsWith('-'))
            throw new OptionException($"Remote option must start with a dash: {value}");
        o.RemoteOptions.Add(value);
    }

    private static OptionSpec Default(string longName) => Flag(longName, '\0', _ => { });

    // An option stock 3.5.0 on Linux was built without (options.c: set_refuse_options refuses it when SUPPORT_CRTIMES
    // is not defined): popt stops at it with create_refuse_error's words, exit 1, whatever follows.
    private static OptionSpec NotInThisBuild(string longName, char shortName) =>
        Flag(longName, shortName, _ => throw new OptionException($"This rsync does not support --{longName} (-{shortName})"));

    private static OptionSpec Refuse(string longName, char shortName = '\0', OptionArgument arg = OptionArgument.None) =>
        new(longName, shortName, arg, null);
}
