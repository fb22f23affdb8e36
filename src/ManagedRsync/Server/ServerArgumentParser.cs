using System.Globalization;

namespace ManagedRsync.Server;

/// <summary>
/// Reads the argument vector a client sends a server (rsync options.c: server_options writes it; parse_arguments reads
/// it on the server): <c>--server [--sender] -vlogDtpre.iLsfxCIvu [long options] . PATH...</c>. Every option server_options
/// can send is known here; those mrsync's server implements become <see cref="TransferOptions"/>, the others are
/// refused by name as stock refuses an option it cannot honour (options.c: create_refuse_error, "The server does not
/// support --sparse (-S)"). Nothing is dropped silently.
/// </summary>
public static class ServerArgumentParser
{
    /// <summary>rsync rsync.h: MAX_ARGS * 16 (io.c: read_args, MAX_DAEMON_ARGS): more arguments end the connection.</summary>
    public const int MaxArguments = 16_000;

    // The letters server_options sends that a server of ours does not implement (named as stock's table names them).
    private static readonly HashSet<char> s_refusedLetters =
        ['N', 's', 'P', 'T', 'F', 'h', 'i', 'M', 'V', '4', '6', 'a', 'f', '8'];

    /// <summary>
    /// A receiving server's --partial-dir: inside each file's directory, or an absolute one in a daemon module
    /// (<see cref="RsyncServer"/> places it); one with a '..' stays refused.
    /// </summary>
    internal const string PartialDirAway = "The server does not support --partial-dir with an absolute path or a '..' component";

    /// <summary>
    /// Parses <paramref name="argv"/> (without a program name; "--server" first). A refused or malformed option does
    /// not stop the parse: the request is still returned (its capability letters drive the protocol setup that must
    /// come before the error can be sent, clientserver.c: rsync_module) with the error text in <paramref name="error"/>,
    /// worded as stock's err_buf (the caller prefixes "rsync: " as option_error does).
    /// </summary>
    public static ServerRequest Parse(IReadOnlyList<string> argv, out string? error)
    {
        var s = new State();
        error = null;
        if (argv.Count > MaxArguments)
        {
            error = "too many daemon arguments\n";
            argv = argv.Take(MaxArguments).ToList();
        }
        int i = 0;
        for (; i < argv.Count; i++)
        {
            string arg = argv[i];
            if (arg == ".")
            {
                i++;
                break;
            }
            string? problem = arg.StartsWith("--", StringComparison.Ordinal) ? s.Long(arg, argv, ref i)
                : arg.StartsWith('-') && arg.Length > 1 ? s.Letters(arg, argv, ref i)
                : $"{arg}: unexpected argument before \".\"\n";
            error ??= problem;
        }
        var paths = new List<string>();
        for (; i < argv.Count; i++)
            paths.Add(argv[i]);
        if (!s.Server && error is null)
            error = "--server must come first in a server's arguments\n";
        error ??= s.Check();
        return new ServerRequest
        {
            IsSender = s.Sender,
            Options = s.Build(),
            ClientInfo = s.ClientInfo ?? "",
            HasClientInfo = s.ClientInfo is not null,
            Paths = paths,
            LogFormat = s.LogFormat,
            OptionNames = s.Names,
            FilterRules = s.FilterRules,
            FilesFrom = s.FilesFrom,
            From0 = s.From0,
        };
    }

    /// <summary>
    /// Where the letters word that asks for secluded args is ("-s..." after "--server" and an optional "--sender"), or
    /// -1. With one, the client's clear list ends there and the protected words follow it on the connection (main.c and
    /// clientserver.c: read_args again when protect_args), to be joined with <see cref="WithSecluded"/>.
    /// </summary>
    public static int SecludedLetters(IReadOnlyList<string> argv) => Session.ServerArguments.SecludedLetters(argv);

    /// <summary>
    /// The vector a server acts on once it has read the protected words: the clear words up to the letters (without
    /// the framing 's'), then the protected ones after their "rsync" arg 0.
    /// </summary>
    public static List<string> WithSecluded(IReadOnlyList<string> clear, int letters, IReadOnlyList<string> secluded)
    {
        ArgumentNullException.ThrowIfNull(clear);
        ArgumentNullException.ThrowIfNull(secluded);
        string rest = clear[letters][2..];
        return [.. clear.Take(letters), .. rest.Length > 0 ? ["-" + rest] : Array.Empty<string>(), .. secluded.Skip(1)];
    }

    /// <summary>rsync options.c: create_refuse_error's text (with "The server does not support").</summary>
    public static string Refusal(string prefix, string longName, char? letter) =>
        letter is char c ? $"{prefix} --{longName} (-{c})\n" : $"{prefix} --{longName}\n";

    internal const string NotSupported = "The server does not support";

    /// <summary>
    /// The refusal of a --info flag the client set (<paramref name="given"/>, after a daemon's "max verbosity" cap) that
    /// this server's side would not print as stock's does, or null.
    /// </summary>
    public static string? InfoRefusal(InfoLevels given, bool serverSends) =>
        InfoDone.FirstAbove(given, serverSends ? SendingInfoLevel : ReceivingInfoLevel) is { } info ? $"{NotSupported} {info}\n" : null;

    // A sending server prints none of the receiver's BACKUP and COPY lines, whatever their level (options.c: info_words'
    // W_REC; stock's client never sends them to a sender).
    private static int SendingInfoLevel(InfoFlag flag) =>
        flag is InfoFlag.Backup or InfoFlag.Copy ? InfoLevels.MaxLevel : InfoDone.Level(flag);

    // What a receiving server's generator and receiver print of each --info flag: not the receiver's BACKUP lines,
    // SKIP's level-2 suffixes or NAME2's "is uptodate" lines (a pull refuses them too: Cli/Options/DirectionSupport.cs).
    private static int ReceivingInfoLevel(InfoFlag flag) => flag switch
    {
        InfoFlag.Backup => 0,
        InfoFlag.Skip or InfoFlag.Name => 1,
        _ => InfoDone.Level(flag),
    };

    private sealed class State
    {
        public bool Server, Sender, Quiet, DryRun, Links, Dirs, WholeFile, HardLinks, Owner, Group, Devices,
            Times, Perms, Recursive, Checksum, Cvs, IgnoreTimes, Compress, ListOnly, NoRecursive,
            DeleteExcluded, SizeOnly, Stats, DeleteMissingArgs, Partial, NumericIds, NewCompress, OldCompress,
            Update, Existing, IgnoreExisting, IgnoreErrors, Backup, DelayUpdates, Force, Fsync,
            CopyLinks, CopyDirLinks, CopyUnsafeLinks, SafeLinks, KeepDirLinks, NoImpliedDirs, OmitDirTimes, OmitLinkTimes, OpenNoAtime,
            PruneEmptyDirs, Acls, MakePath, OnlyWriteBatch, IgnoreMissingArgs, From0;
        /// <summary>options.c: relative_paths — -1 until -R or --no-R is given (--files-from then implies -R).</summary>
        public int RelativeGiven = -1;
        public string? BackupDir, BackupSuffix, PartialDir, SkipCompress, FilesFrom;
        public AltDestKind AltDest;
        public List<string> AltDestDirs = [];
        public int? MaxDelete;
        public long? MaxSize, MinSize;
        public int? ModifyWindow;
        public bool MaxAllocUnlimited;
        public bool? SpecialsOverride;
        public int Verbose, BlockSize, Timeout, Bwlimit, Atimes, Fuzzy, OneFileSystem, ChecksumSeed;
        public bool Sparse, Executability, Inplace, Preallocate;
        public int Xattrs;
        /// <summary>options.c: am_root — the last of --super, --no-super, --fake-super wins (popt POPT_ARG_VAL).</summary>
        public SuperMode Super;
        /// <summary>options.c: OPT_APPEND — a server counts each --append (two are --append-verify).</summary>
        public int Append;
        public InfoLevels InfoGiven;
        /// <summary>options.c: parse_arguments — --append implies --inplace: the receiver writes into the file itself.</summary>
        public bool WritesInPlace => Inplace || Append > 0;
        /// <summary>options.c: remove_source_files — 1 for --remove-source-files, 2 for the old --remove-sent-files.</summary>
        public int RemoveSource;
        public int? CompressLevel;
        public string? ClientInfo, LogFormat, ChecksumChoice, CompressChoice, TempDir, UserMap, GroupMap;
        public DeleteTiming Delete;
        public int DeleteTimings;
        public List<string> Names = [];
        public List<string> FilterRules = [];

        public string? Letters(string word, IReadOnlyList<string> argv, ref int i)
        {
            for (int k = 1; k < word.Length; k++)
            {
                char c = word[k];
                if (c == 'e')
                {
                    // popt: 'e' takes the rest of the word as its value (".iLsfxCIvu"); compat.c skips the '.'.
                    string info = k + 1 < word.Length ? word[(k + 1)..] : Next(argv, ref i) ?? "";
                    ClientInfo = info.StartsWith('.') ? info[1..] : info;
                    Names.Add("-e");
                    return null;
                }
                if (c == 'B')
                {
                    string? value = k + 1 < word.Length ? word[(k + 1)..] : Next(argv, ref i);
                    Names.Add("-B");
                    return Number(value, "-B", 0, int.MaxValue, out BlockSize);
                }
                if (c == '@')
                {
                    // options.c: server_options sends a negative --modify-window as "-@N" (a positive one spelled out);
                    // popt takes the rest of the word as its value.
                    string? value = k + 1 < word.Length ? word[(k + 1)..] : Next(argv, ref i);
                    Names.Add("-@");
                    string? problem = Number(value, "-@", int.MinValue, int.MaxValue, out int window);
                    ModifyWindow = window;
                    return problem;
                }
                Names.Add("-" + c);
                switch (c)
                {
                    case 'v': Verbose++; break;
                    case 'q': Quiet = true; break;
                    case 'n': DryRun = true; break;
                    case 'l': Links = true; break;
                    case 'd': Dirs = true; break;
                    case 'W': WholeFile = true; break;
                    case 'H': HardLinks = true; break;
                    case 'o': Owner = true; break;
                    case 'g': Group = true; break;
                    case 'D': Devices = true; break;
                    case 't': Times = true; break;
                    case 'p': Perms = true; break;
                    // options.c: -A is also -p.
                    case 'A': Acls = true; Perms = true; break;
                    case 'r': Recursive = true; break;
                    case 'c': Checksum = true; break;
                    case 'C': Cvs = true; break;
                    case 'I': IgnoreTimes = true; break;
                    case 'R': RelativeGiven = 1; break;
                    case 'z': Compress = true; break;
                    case 'u': Update = true; break;
                    case 'U': Atimes++; break;
                    case 'b': Backup = true; break;
                    case 'L': CopyLinks = true; break;
                    case 'k': CopyDirLinks = true; break;
                    case 'K': KeepDirLinks = true; break;
                    // generator.c / rsync.c: set_file_attrs — the receiving side leaves these times alone.
                    case 'O': OmitDirTimes = true; break;
                    case 'J': OmitLinkTimes = true; break;
                    // Issue 11's options, done by the same roles on a pull and in a local copy.
                    case 'S': Sparse = true; break;
                    case 'E': Executability = true; break;
                    case 'X': Xattrs++; break;
                    case 'y': Fuzzy++; break;
                    case 'x': OneFileSystem++; break;
                    case 'm': PruneEmptyDirs = true; break;
                    // popt's -0 is --from0: the names of a --files-from list end at NUL.
                    case '0': From0 = true; break;
                    default:
                        if (s_refusedLetters.Contains(c))
                        {
                            int row = StockOptionTable.ByShort(c);
                            return Refusal(NotSupported, row < 0 ? c.ToString() : StockOptionTable.Rows[row].Long, c);
                        }
                        return $"-{c}: unknown option\n";
                }
            }
            return null;
        }

        public string? Long(string word, IReadOnlyList<string> argv, ref int i)
        {
            int eq = word.IndexOf('=');
            string name = eq < 0 ? word[2..] : word[2..eq];
            string? inline = eq < 0 ? null : word[(eq + 1)..];
            Names.Add("--" + name);
            switch (name)
            {
                case "server": Server = true; return None(inline, name);
                case "sender": Sender = true; return None(inline, name);
                case "list-only": ListOnly = true; return None(inline, name);
                case "no-r" or "no-recursive": NoRecursive = true; return None(inline, name);
                case "specials": SpecialsOverride = true; return None(inline, name);
                case "no-specials": SpecialsOverride = false; return None(inline, name);
                case "delete": return Timing(DeleteTiming.Default, inline, name);
                case "del" or "delete-during": return Timing(DeleteTiming.During, inline, name);
                case "delete-before": return Timing(DeleteTiming.Before, inline, name);
                case "delete-delay": return Timing(DeleteTiming.Delay, inline, name);
                case "delete-after": return Timing(DeleteTiming.After, inline, name);
                case "delete-excluded": DeleteExcluded = true; return None(inline, name);
                // options.c: popt's long spelling of -X (counted), and its negation.
                case "xattrs": Xattrs++; return None(inline, name);
                case "no-xattrs" or "no-X": Xattrs = 0; return None(inline, name);
                // options.c: server_options sends --no-W with --inplace -S (a workaround for older servers).
                case "no-W" or "no-whole-file": WholeFile = false; return None(inline, name);
                case "size-only": SizeOnly = true; return None(inline, name);
                case "stats": Stats = true; return None(inline, name);
                case "delete-missing-args": DeleteMissingArgs = true; return None(inline, name);
                // flist.c: send_file_list — a sending server leaves a missing argument out silently (missing_args 1).
                case "ignore-missing-args": IgnoreMissingArgs = true; return None(inline, name);
                // token.c: init_set_compression — a daemon's sender puts the client's list in a suffix tree that only
                // compiled-out code reads ("#if 0" in set_compression): kept, and changes nothing (protocol-notes §87).
                case "skip-compress": SkipCompress = inline ?? Next(argv, ref i); return Missing(SkipCompress, word);
                // options.c: server_options sends "--files-from=-" (the list follows on the connection) or, for a
                // list on the server's side, "--files-from FILE"; either with --from0, and --no-relative without -R.
                case "files-from":
                {
                    FilesFrom = inline ?? Next(argv, ref i);
                    if (FilesFrom is null)
                        return $"{word}: missing argument\n";
                    // options.c: parse_arguments — check_for_hostspec on a server's value.
                    return HasHostSpec(FilesFrom) ? "The --files-from sent to the server cannot specify a host.\n" : null;
                }
                case "from0": From0 = true; return None(inline, name);
                case "no-from0": From0 = false; return None(inline, name);
                case "relative": RelativeGiven = 1; return None(inline, name);
                case "no-relative" or "no-R": RelativeGiven = 0; return None(inline, name);
                case "partial": Partial = true; return None(inline, name);
                case "numeric-ids": NumericIds = true; return None(inline, name);
                case "ignore-errors": IgnoreErrors = true; return None(inline, name);
                // popt takes the long spelling of -z too (rsync's testsuite's raw clients send it).
                case "compress": Compress = true; return None(inline, name);
                case "new-compress": NewCompress = true; return None(inline, name);
                case "old-compress": OldCompress = true; return None(inline, name);
                // Where the server's messages go: a daemon has no stderr, a remote shell's is the client's; either
                // way the client sees the same text (options.c: msgs2stderr).
                case "msgs2stderr" or "no-msgs2stderr": return None(inline, name);
                case "compress-level":
                {
                    string? problem = Number(inline ?? Next(argv, ref i), word, int.MinValue, int.MaxValue, out int level);
                    CompressLevel = level;
                    return problem;
                }
                case "block-size": return Number(inline ?? Next(argv, ref i), word, 0, int.MaxValue, out BlockSize);
                case "timeout": return Number(inline ?? Next(argv, ref i), word, 0, int.MaxValue, out Timeout);
                case "bwlimit": return Number(inline ?? Next(argv, ref i), word, int.MinValue, int.MaxValue, out Bwlimit);
                case "checksum-choice": ChecksumChoice = inline ?? Next(argv, ref i); return Missing(ChecksumChoice, word);
                case "compress-choice": CompressChoice = inline ?? Next(argv, ref i); return Missing(CompressChoice, word);
                case "log-format": LogFormat = inline ?? Next(argv, ref i); return Missing(LogFormat, word);
                case "temp-dir": TempDir = inline ?? Next(argv, ref i); return Missing(TempDir, word);
                // Issue 11's generator rules (Roles/Generator/UpdateRules.cs); a client sends the sizes as bytes.
                case "existing" or "ignore-non-existing": Existing = true; return None(inline, name);
                case "ignore-existing": IgnoreExisting = true; return None(inline, name);
                case "max-size": return Size(inline ?? Next(argv, ref i), word, out MaxSize);
                case "min-size": return Size(inline ?? Next(argv, ref i), word, out MinSize);
                // Issue 11's receiving options (Roles/Receiving: Backups, BasisDirectories, PartialDirs); a daemon
                // confines the directories beneath the module (RsyncServer.ConfineDirectories).
                case "backup-dir": BackupDir = inline ?? Next(argv, ref i); return Missing(BackupDir, word);
                case "suffix": BackupSuffix = inline ?? Next(argv, ref i); return Missing(BackupSuffix, word);
                case "partial-dir": PartialDir = inline ?? Next(argv, ref i); return Missing(PartialDir, word);
                // options.c: OPT_FILTER — a client's -M--filter=RULE reaches the server's own filter list (a stock
                // client never sends it otherwise); a sending server applies it (Roles/Sender: StartAsServerAsync).
                case "filter":
                {
                    string? rule = inline ?? Next(argv, ref i);
                    if (rule is not null)
                        FilterRules.Add(rule);
                    return Missing(rule, word);
                }
                // options.c: server_options sends the maps (a --chown is sent as "*:USER") to a receiving server, which
                // reads them as its receiver starts (uidlist.c: parse_name_map); a daemon has taken safe_arg's
                // backslashes off first (io.c: read_args), so a wildcard stays one.
                case "usermap": return Map(ref UserMap, inline ?? Next(argv, ref i), word, "usermap");
                case "groupmap": return Map(ref GroupMap, inline ?? Next(argv, ref i), word, "groupmap");
                // options.c: server_options sends --no-implied-dirs with -R (to a sender from protocol 30).
                case "no-implied-dirs" or "no-i-d": NoImpliedDirs = true; return None(inline, name);
                case "implied-dirs" or "i-d": NoImpliedDirs = false; return None(inline, name);
                case "delay-updates": DelayUpdates = true; return None(inline, name);
                // options.c: server_options sends the --info flags the user set that the server's side uses
                // (make_output_option); a server skips a word it does not know (parse_output_words: !am_server).
                case "info": InfoGiven = InfoGiven.Apply(inline ?? Next(argv, ref i) ?? "", out _, out _); return null;
                // options.c: server_options sends --qsort so, and popt on the server knows no such name.
                case "use-qsort": return $"--{name}: unknown option\n";
                // options.c: server_options sends it in either direction; our sender opens with O_NOATIME.
                case "open-noatime": OpenNoAtime = true; return None(inline, name);
                // The sender removes what the receiving side confirms (Roles/Sender/SenderRole.RemoveSource.cs); the
                // receiving side's generator confirms (Roles/Generator/GeneratorRole.RemoveSource.cs).
                case "remove-source-files": RemoveSource = 1; return None(inline, name);
                case "remove-sent-files": RemoveSource = 2; return None(inline, name);
                case "inplace": Inplace = true; return None(inline, name);
                case "append": Append++; return None(inline, name);
                case "preallocate": Preallocate = true; return None(inline, name);
                // options.c: am_root 2, 0, -1 (a daemon module then settles it: clientserver.c: rsync_module).
                // A server that is not root would try chown and mknod and report each EPERM in words not yet stock's.
                case "super" when !TransferOptions.RunsAsRoot: return Refusal(NotSupported, name, null);
                case "super": Super = SuperMode.Super; return None(inline, name);
                case "no-super": Super = SuperMode.NoSuper; return None(inline, name);
                case "fake-super": Super = SuperMode.Fake; return None(inline, name);
                case "force": Force = true; return None(inline, name);
                // options.c: server_options sends --mkpath to a receiving server; main.c: get_local_name makes the
                // destination's missing parents (Roles/Receiver/ReceivingSide.MakePath.cs; a daemon's beneath its module).
                case "mkpath": MakePath = true; return None(inline, name);
                case "no-mkpath": MakePath = false; return None(inline, name);
                case "fsync": Fsync = true; return None(inline, name);
                // options.c: server_options sends "--only-write-batch=X" to a receiving server (the client writes the
                // batch); the server's main.c / clientserver.c then set dry_run, do_xfers staying 1: its generator
                // still sends sums, its receiver gets no data and changes nothing.
                case "only-write-batch" when !Sender:
                    OnlyWriteBatch = true;
                    return Missing(inline ?? Next(argv, ref i), word);
                case "copy-unsafe-links": CopyUnsafeLinks = true; return None(inline, name);
                case "safe-links": SafeLinks = true; return None(inline, name);
                case "compare-dest": return AddAltDest(AltDestKind.Compare, inline ?? Next(argv, ref i), word);
                case "copy-dest": return AddAltDest(AltDestKind.Copy, inline ?? Next(argv, ref i), word);
                case "link-dest": return AddAltDest(AltDestKind.Link, inline ?? Next(argv, ref i), word);
                case "max-delete":
                {
                    string? problem = Number(inline ?? Next(argv, ref i), word, int.MinValue, int.MaxValue, out int max);
                    // options.c: negative numbers are "no deletions" (a client sends --max-delete=-1 for 0).
                    MaxDelete = max < 0 ? 0 : max;
                    return problem;
                }
                // options.c: server_options sends it either way; the server sends it as the session's seed
                // (compat.c: setup_protocol, Session/Connection.cs SetupServerAsync).
                case "checksum-seed": return Number(inline ?? Next(argv, ref i), word, int.MinValue, int.MaxValue, out ChecksumSeed);
                // util2.c: my_alloc — a limit binds each of stock's own allocations, most of which our roles do not
                // make: only 0 (options.c: unlimited, SIZE_MAX) is taken, which lifts the one stock limit ours keeps (a
                // sender's block sums, protocol-notes 85); any other stays refused by name (protocol-notes 83). A stock
                // client sends it as "--max-alloc=ARG", ARG as the user wrote it.
                case "max-alloc" when IsUnlimitedSize(inline ?? ""):
                    MaxAllocUnlimited = true;
                    return null;
                case "modify-window":
                {
                    string? problem = Number(inline ?? Next(argv, ref i), word, int.MinValue, int.MaxValue, out int window);
                    ModifyWindow = window;
                    return problem;
                }
                default:
                    // A value the refused option carries must not be taken for the next option or for ".".
                    if (inline is null && TakesValue(name))
                        Next(argv, ref i);
                    return Refusal(NotSupported, name, null);
            }
        }

        // server_options sends these long options with their value as the next word.
        private static bool TakesValue(string name) =>
            name is "backup-dir" or "partial-dir" or "compare-dest" or "copy-dest" or "link-dest";

        // options.c: parse_arguments — "You can only specify --usermap once."
        private static string? Map(ref string? map, string? value, string word, string name)
        {
            if (value is null)
                return $"{word}: missing argument\n";
            if (map is not null)
                return $"You can only specify --{name} once.\n";
            map = value;
            return null;
        }

        private string? AddAltDest(AltDestKind kind, string? dir, string word)
        {
            if (dir is null)
                return $"{word}: missing argument\n";
            if (ReceivingOptionChecks.AltDest(AltDest, AltDestDirs.Count, kind) is { } error)
                return error + "\n";
            AltDest = kind;
            AltDestDirs.Add(dir);
            return null;
        }

        private string? Timing(DeleteTiming timing, string? inline, string name)
        {
            if (timing != DeleteTiming.Default)
                DeleteTimings++;
            if (Delete == DeleteTiming.None || timing != DeleteTiming.Default)
                Delete = timing;
            return None(inline, name);
        }

        public string? Check()
        {
            // rsync options.c: parse_arguments.
            // options.c: parse_arguments, after the loop.
            if (Super == SuperMode.Fake && Xattrs > 1)
                return "--fake-super conflicts with -XX\n";
            if (DeleteTimings > 1)
                return "You may not combine multiple --delete-WHEN options.\n";
            // The suffix stays as given (null: the default, which Roles/Receiving/Backups.cs supplies).
            string? suffix = BackupSuffix;
            if (ReceivingOptionChecks.SettleBackups(ref Backup, ref BackupDir, ref suffix) is { } backupError)
                return backupError + "\n";
            // options.c: --delay-updates without --partial-dir uses ".~tmp~"; any partial dir implies --partial.
            if (DelayUpdates && PartialDir is null)
                PartialDir = ".~tmp~";
            if (PartialDir is not null)
            {
                PartialDir = ReceivingOptionChecks.CleanPartialDir(PartialDir);
                Partial |= PartialDir is not null;
                // Our receiver keeps a partial directory beside each file, or one for all that an absolute
                // --partial-dir names in a daemon module (Roles/Receiving/PartialDirs.cs, RsyncServer.ReceiveAsync).
                if (PartialDir is { } dir && dir.Split('/').Contains(".."))
                    return PartialDirAway + "\n";
            }
            // A receiving server's own rules keep names from its deletion (Server/ServerReceiveRules.cs); a '.' merge
            // rule's file is read when the server starts, a per-directory one's in each directory; -C is not taken.
            if (FilterRules.Count > 0 && !Sender && ServerReceiveRules.Build(FilterRules) is null)
                return Refusal(NotSupported, "filter", null);
            // -U: a sending server lists the access times (FileListWriter); nothing of ours sets them on receiving
            // yet. A second U is --open-noatime (options.c: parse_arguments).
            // options.c: -UU turns on --open-noatime too.
            if (Atimes > 1)
                OpenNoAtime = true;
            // options.c: parse_arguments — --append implies --inplace, which no partial directory goes with.
            if (Append > 0 && WholeFile)
                return "--append cannot be used with --whole-file\n";
            if (WritesInPlace && PartialDir is not null)
                return $"--{(Append > 0 ? "append" : "inplace")} cannot be used with --{(DelayUpdates ? "delay-updates" : "partial-dir")}\n";
            // --append with -S: stock 3.5.0 loses the kept start (protocol-notes 48), not imitated (Cli/Options/
            // DirectionSupport.cs refuses it on a pull too); --inplace with -S is our receiver's as on a pull.
            if (Append > 0 && !Sender && Sparse)
                return Refusal(NotSupported, "sparse", 'S');
            // --append with a basis directory: stock 3.5.0 corrupts or skips (protocol-notes 61), not imitated.
            if (Append > 0 && !Sender && AltDest != AltDestKind.None)
                return Refusal(NotSupported, "append", null);
            // A push's --files-from names a list on the receiving server's side, which would send it to the client
            // (main.c: do_server_recv, start_filesfrom_forwarding): not done yet.
            if (FilesFrom is not null && !Sender)
                return Refusal(NotSupported, "files-from", null);
            // -m: a receiving server prunes its list (flist.c: flist_sort_and_clean, !am_sender); a sending one is
            // not done yet.
            if (PruneEmptyDirs && Sender)
                return Refusal(NotSupported, "prune-empty-dirs", 'm');
            return null;
        }

        /// <summary>options.c: parse_arguments — -R as given, else on with --files-from.</summary>
        private bool Relative => RelativeGiven < 0 ? FilesFrom is not null : RelativeGiven > 0;

        public TransferOptions Build()
        {
            bool recursive = Recursive && !NoRecursive;
            string? compressChoice = NewCompress ? "zlibx" : OldCompress ? "zlib" : CompressChoice;
            bool compress = Compress || CompressLevel is not null || compressChoice is not null;
            return new TransferOptions
            {
                Verbose = Verbose, InfoGiven = InfoGiven, Quiet = Quiet, DryRun = DryRun || OnlyWriteBatch,
                // compat.c: getenv_nstr — a server with write_batch set offers md5 and zlib only (the name is unused:
                // Session/BatchFile.cs writes nothing on a server).
                // options.c: parse_arguments — --files-from implies --dirs (xfer_dirs), on the server too.
                OnlyWriteBatch = OnlyWriteBatch, WriteBatch = OnlyWriteBatch ? "X" : null, Links = Links, Dirs = Dirs || FilesFrom is not null,
                WholeFile = WholeFile, HardLinks = HardLinks, Owner = Owner, Group = Group, Devices = Devices,
                Specials = SpecialsOverride ?? Devices, Times = Times, Perms = Perms, Acls = Acls, Recursive = recursive,
                AlwaysChecksum = Checksum, CvsExclude = Cvs, IgnoreTimes = IgnoreTimes, Relative = Relative,
                Compress = compress && !string.Equals(compressChoice, "none", StringComparison.OrdinalIgnoreCase),
                CompressFromLevelOnly = !Compress && CompressLevel is not null && compressChoice is null,
                CompressLevel = CompressLevel, CompressChoice = compressChoice, ChecksumChoice = ChecksumChoice,
                Delete = DeleteExcluded && Delete == DeleteTiming.None ? DeleteTiming.Default : Delete,
                DeleteExcluded = DeleteExcluded, DeleteMissingArgs = DeleteMissingArgs, ListOnly = ListOnly,
                Listing = ListOnly, NumericIds = NumericIds, SizeOnly = SizeOnly, Stats = Stats, Partial = Partial,
                TempDir = TempDir, BlockSize = BlockSize, Timeout = Timeout, BandwidthLimit = Bwlimit,
                ItemizeChanges = LogFormat switch { "%i%I" => 2, "%i" => 1, _ => 0 },
                OmitDirTimesGiven = OmitDirTimes, OmitLinkTimes = OmitLinkTimes, OpenNoAtime = OpenNoAtime,
                Update = Update, Existing = Existing, IgnoreExisting = IgnoreExisting, MaxSize = MaxSize, MinSize = MinSize,
                ModifyWindow = ModifyWindow, IgnoreErrors = IgnoreErrors, MaxAllocUnlimited = MaxAllocUnlimited,
                Backup = Backup, BackupDir = BackupDir, BackupSuffix = BackupSuffix, PartialDir = PartialDir,
                DelayUpdates = DelayUpdates, AltDest = AltDest, MaxDelete = MaxDelete,
                AltDestDirs = AltDestDirs.Count == 0 ? Array.Empty<string>() : [.. AltDestDirs],
                IgnoreMissingArgs = IgnoreMissingArgs, SkipCompress = SkipCompress,
                RemoveSourceFiles = RemoveSource == 1, RemoveSentFiles = RemoveSource == 2,
                Super = Super, PruneEmptyDirs = PruneEmptyDirs, Sparse = Sparse, Preallocate = Preallocate, Executability = Executability, Fuzzy = Fuzzy, Xattrs = Xattrs,
                OneFileSystem = OneFileSystem,
                Inplace = WritesInPlace, Append = Append > 0, AppendVerify = Append > 1,
                Atimes = Atimes > 0, AtimesTwice = Atimes > 1, Force = Force, Fsync = Fsync, MakePath = MakePath, ChecksumSeed = ChecksumSeed, UserMap = UserMap, GroupMap = GroupMap, ImpliedDirs = !NoImpliedDirs,
                // main.c: do_recv clears the link-following options on the receiving side: they are the sender's.
                SafeLinks = SafeLinks,
                CopyLinks = Sender && CopyLinks, CopyDirLinks = Sender && CopyDirLinks, CopyUnsafeLinks = Sender && CopyUnsafeLinks,
                // main.c: do_server_sender — keep_dirlinks "must be disabled on the sender".
                KeepDirLinks = !Sender && KeepDirLinks,
            };
        }

        // options.c: check_for_hostspec — "rsync://...", or a HOST (options.c: parse_hostspec; empty too, "USER@" and
        // "[v6]" allowed) ended by ':' before any '/'.
        private static bool HasHostSpec(string value)
        {
            if (value.StartsWith("rsync://", StringComparison.OrdinalIgnoreCase))
                return true;
            int hostStart = 0;
            for (int k = 0; k < value.Length; k++)
            {
                char c = value[k];
                if (c == ':')
                    return true;
                if (c == '/')
                    return false;
                if (c == '@')
                {
                    hostStart = k + 1;
                }
                else if (c == '[')
                {
                    int close = value.IndexOfAny([']', '/'], k);
                    if (k != hostStart || close <= k + 1 || value[close] != ']'
                        || (close + 1 < value.Length && value[close + 1] is not ('/' or ':')))
                        return false;
                    k = close;
                }
            }
            return false;
        }

        private static string? Next(IReadOnlyList<string> argv, ref int i) =>
            i + 1 < argv.Count && argv[i + 1] != "." ? argv[++i] : null;

        private static string? None(string? inline, string name) =>
            inline is null ? null : $"--{name}: option does not take an argument\n";

        private static string? Missing(string? value, string word) =>
            value is null ? $"{word}: missing argument\n" : null;

        // options.c parse_size_arg as a server meets it: server_options sends plain bytes (do_big_num(n, 0)).
        private static string? Size(string? value, string word, out long? result)
        {
            result = null;
            if (value is null)
                return $"{word}: missing argument\n";
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                return $"{word} is invalid\n";
            result = n;
            return null;
        }

        // options.c: parse_size_arg — digits, an optional '.' and digits, an optional unit letter and "b"/"ib": the
        // spellings of 0 (a "+1"/"-1" tail, which could make 0 of 1B-1 or a limit of 0+1, is left refused).
        private static bool IsUnlimitedSize(string value)
        {
            int end = 0;
            while (end < value.Length && (value[end] is '0' or '.'))
                end++;
            if (end == 0 || value.AsSpan(0, end).Count('.') > 1)
                return false;
            string unit = value[end..].ToLowerInvariant();
            return unit is "" or "b" or "k" or "m" or "g" or "t" or "p" or "kb" or "mb" or "gb" or "tb" or "pb"
                or "kib" or "mib" or "gib" or "tib" or "pib";
        }

        private static string? Number(string? value, string word, int min, int max, out int result)
        {
            result = 0;
            if (value is null)
                return $"{word}: missing argument\n";
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                return $"{word}: bad numeric value\n";
            if (n < min || n > max)
                return $"{word}: number too large or too small\n";
            result = (int)n;
            return null;
        }
    }
}
