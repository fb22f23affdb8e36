using System.Globalization;
using System.Text;

using ManagedRsync.Protocol;

namespace ManagedRsync.Session;

/// <summary>
/// The argument vector a daemon client sends after the module line, for both directions: rsync options.c
/// server_options(args, am_sender) followed by clientserver.c start_inband_exchange's "." and remote paths.
/// On a push the client is the sender and the daemon receives; on a pull the daemon sends ("--sender").
/// Only options mrsync implements can reach here (the CLI refuses the rest), so only their parts of
/// server_options are written, in server_options' order, and each is checked against stock 3.5.0's vector.
/// </summary>
internal static class ServerArguments
{
    /// <summary>
    /// What we tell a protocol-30+ server we support (rsync options.c: maybe_add_e_option; compat.c reads them):
    /// L symlink times, s symlink iconv, f safe file list, x no xattr optimisation, C checksum-seed fix,
    /// I inplace partial dir, v varint flist flags + negotiated names, u names for id 0. 'i' (incremental
    /// recursion) goes in front of them when <see cref="IncrementalRecursion.Offered"/> says so.
    /// </summary>
    public const string Capabilities = "LsfxCIvu";

    // rsync.h: MAX_SERVER_ARGS, room for 20 basis directories' words and 100 more.
    private const int MaxServerArgs = 20 * 2 + 100;

    /// <summary>The whole vector for a daemon: server options, ".", then <paramref name="remotePaths"/> as stock sends them.</summary>
    /// <param name="o">The transfer's options.</param>
    /// <param name="daemonSends">True for a pull (the daemon is the sender), false for a push.</param>
    /// <param name="remotePaths">"module/path" for each remote source (pull) or the destination (push).</param>
    /// <param name="secluded">
    /// -s: 's' leads the letters and no word is escaped; the words after the letters then travel as protected args
    /// (see <see cref="ClearWordCount"/>; clientserver.c: start_inband_exchange, rsync.c: send_protected_args).
    /// </param>
    public static List<string> Build(TransferOptions o, bool daemonSends, IEnumerable<string> remotePaths, bool secluded = false)
    {
        List<string> args = ServerOptions(o, daemonSends, new SafeArgument(secluded, 0, false, !daemonSends, o.Relative));
        args.Add(".");
        foreach (string path in remotePaths)
            args.Add(RemotePath(path));
        return args;
    }

    /// <summary>
    /// The vector for a server started over a remote shell (rsync main.c: do_cmd after the shell words and the rsync
    /// path): server options, ".", then each remote path quoted for the remote shell (options.c: safe_arg). With -s
    /// the words after the single-letter one are <see cref="ShellServerArguments.Secluded"/>: stock ends the command
    /// line there (server_options: "unprotected args stop here") and sends the rest on the connection.
    /// </summary>
    /// <param name="o">The transfer's options.</param>
    /// <param name="serverSends">True for a pull (the remote end is the sender).</param>
    /// <param name="remotePaths">The remote paths without the host: the sources of a pull, the destination of a push.</param>
    /// <param name="quoting">-s, --old-args and --trust-sender as parsed.</param>
    public static ShellServerArguments BuildForShell(TransferOptions o, bool serverSends, IEnumerable<string> remotePaths, SafeArgument quoting)
    {
        List<string> args = ServerOptions(o, serverSends, quoting);
        args.Add(".");
        foreach (string path in remotePaths)
            args.Add(quoting.FileName(path));
        int clear = ClearWordCount(args);
        return clear == args.Count
            ? new ShellServerArguments(args, null)
            : new ShellServerArguments(args[..clear], args[clear..]);
    }

    /// <summary>
    /// How many of <paramref name="args"/> go in the clear: all of them, or with -s "--server", "--sender" when present
    /// and the letters, which then start with 's' (options.c: server_options puts it first and ends the unprotected
    /// words after the letters: "unprotected args stop here"). The rest travel as <see cref="SecludedBytes"/>.
    /// </summary>
    public static int ClearWordCount(IReadOnlyList<string> args) =>
        SecludedLetters(args) is int letters and >= 0 ? letters + 1 : args.Count;

    /// <summary>
    /// Where the letters word that asks for secluded args is ("-s..." after "--server" and an optional "--sender"), or
    /// -1: a server reads the protected words after the clear list then (main.c and clientserver.c: read_args again
    /// when protect_args).
    /// </summary>
    public static int SecludedLetters(IReadOnlyList<string> args)
    {
        int letters = args.Count > 1 && args[1] == "--sender" ? 2 : 1;
        return args.Count > letters && args[letters].StartsWith("-s", StringComparison.Ordinal) ? letters : -1;
    }

    /// <summary>
    /// The protected words as they follow the clear ones on the connection (rsync.c: send_protected_args): "rsync" as a
    /// new argv[0], each word NUL-terminated (an empty one as "."), then an empty word.
    /// </summary>
    public static byte[] SecludedBytes(IEnumerable<string> words)
    {
        using var bytes = new MemoryStream();
        bytes.Write("rsync\0"u8);
        foreach (string word in words)
            bytes.Write(Platform.FileNameEncoding.EncodeNullTerminated(word.Length == 0 ? "." : word));
        bytes.WriteByte(0);
        return bytes.ToArray();
    }

    /// <summary>rsync options.c: server_options for the options mrsync implements.</summary>
    public static List<string> ServerOptions(TransferOptions o, bool daemonSends) =>
        ServerOptions(o, daemonSends, new SafeArgument(false, 0, false, !daemonSends, o.Relative));

    private static List<string> ServerOptions(TransferOptions o, bool daemonSends, SafeArgument quoting)
    {
        bool weSend = !daemonSends; // stock's am_sender on the client
        var args = new List<string> { "--server" };
        if (daemonSends)
            args.Add("--sender");
        args.AddIfAny(Letters(o, weSend, quoting.Secluded));

        if (o.ListOnly)
            args.Add("--list-only");
        // Deleting with --dirs but no -r: stock adds --no-r so an old receiver accepts 'd' without 'r'.
        if (o.Dirs && !o.Recursive && o.IsDeleting && weSend)
            args.Add("--no-r");
        if (o.Compress && o.CompressLevel is int level)
            args.Add("--compress-level=" + Number(level));
        // -D is one letter for both; "--devices" would not be understood by old servers.
        if (o.Devices && !o.Specials)
            args.Add("--no-specials");
        else if (!o.Devices && o.Specials)
            args.Add("--specials");
        if (weSend && LogFormat(o) is { } format)
            args.Add("--log-format=" + format);
        // options.c: server_options — msgs2stderr travels unless it is the default (2).
        if (o.Stderr == StderrMode.All)
            args.Add("--msgs2stderr");
        else if (o.Stderr == StderrMode.Client)
            args.Add("--no-msgs2stderr");
        if (o.BlockSize > 0)
            args.Add("-B" + Number(o.BlockSize));
        if (o.Timeout != 0)
            args.Add("--timeout=" + Number(o.Timeout));
        if (o.BandwidthLimit != 0)
            args.Add("--bwlimit=" + Number(o.BandwidthLimit));
        if (o.BackupDir is { } backupDir)
        {
            // Two words, as stock splits it so a remote shell could expand "~".
            args.Add("--backup-dir");
            args.Add(quoting.Value(backupDir));
        }
        // Only a suffix other than the default for the backup-dir setting is sent.
        if (o.BackupSuffix is { } suffix && suffix != (o.BackupDir is null ? "~" : ""))
            args.Add(quoting.Option("--suffix", suffix));
        if (o.ChecksumChoice is not null)
            args.Add(quoting.Option("--checksum-choice", o.ChecksumChoice));
        if (Is(o.Compress ? o.CompressChoice : null, "zlibx"))
            args.Add("--new-compress");
        else if (Is(o.Compress ? o.CompressChoice : null, "zlib"))
            args.Add("--old-compress");
        else if (o.CompressChoice is not null)
            args.Add(quoting.Option("--compress-choice", o.CompressChoice));
        if (weSend)
        {
            // --max-delete=0 (or negative) means "no deletions" and is sent as -1; an absent one is not sent.
            if (o.MaxDelete is int maxDelete)
                args.Add("--max-delete=" + Number(maxDelete > 0 ? maxDelete : -1));
            if (o.MinSize is long minSize)
                args.Add(quoting.Option("--min-size", minSize.ToString(CultureInfo.InvariantCulture)));
            if (o.MaxSize is long maxSize)
                args.Add(quoting.Option("--max-size", maxSize.ToString(CultureInfo.InvariantCulture)));
            if (DeleteOption(o) is { } delete)
                args.Add(delete);
            if (o.DeleteExcluded)
                args.Add("--delete-excluded");
            if (o.Force)
                args.Add("--force");
            // options.c: server_options — the receiving server changes nothing and takes no data (receiver.c).
            if (o.OnlyWriteBatch)
                args.Add("--only-write-batch=X");
            // options.c: server_options — "if (am_root > 1)": only --super reaches the receiving server (a pushing
            // client's --fake-super and --no-super are its own sender's business).
            if (o.Super == SuperMode.Super)
                args.Add("--super");
            if (o.SizeOnly)
                args.Add("--size-only");
            if (o.Stats)
                args.Add("--stats");
        }
        else if (o.SkipCompress is { } skipCompress)
        {
            args.Add(quoting.Option("--skip-compress", skipCompress));
        }
        if (o.MaxAlloc is { } maxAlloc)
            args.Add(quoting.Option("--max-alloc", maxAlloc.ToString()!));
        // --delete-missing-args needs both sides; a sender ignores missing arguments by itself.
        if (o.DeleteMissingArgs)
            args.Add("--delete-missing-args");
        else if (o.IgnoreMissingArgs && !weSend)
            args.Add("--ignore-missing-args");
        if (weSend && o.ModifyWindow is int window)
            args.Add(window < 0 ? "-@" + Number(window) : "--modify-window=" + Number(window));
        if (o.ChecksumSeed != 0)
            args.Add("--checksum-seed=" + Number(o.ChecksumSeed));
        if (weSend && o.PartialDir is { } partialDir)
        {
            if (!o.PartialDirImplied)
            {
                args.Add("--partial-dir");
                args.Add(quoting.Value(partialDir));
            }
            if (o.DelayUpdates)
                args.Add("--delay-updates");
        }
        else if (o.Partial && weSend)
        {
            args.Add("--partial");
        }
        if (o.IgnoreErrors)
            args.Add("--ignore-errors");
        if (o.CopyUnsafeLinks)
            args.Add("--copy-unsafe-links");
        if (o.SafeLinks)
            args.Add("--safe-links");
        if (o.NumericIds)
            args.Add("--numeric-ids");
        // options.c: server_options sends --qsort as "--use-qsort", a name no rsync's option table has: a server
        // (stock's daemon included) answers "--use-qsort: unknown option".
        if (o.UseQsort)
            args.Add("--use-qsort");
        if (weSend)
        {
            if (o.UserMap is { } userMap)
                args.Add(quoting.Option("--usermap", userMap));
            if (o.GroupMap is { } groupMap)
                args.Add(quoting.Option("--groupmap", groupMap));
            if (o.IgnoreExisting)
                args.Add("--ignore-existing");
            // Stock sends --existing, not --ignore-non-existing, for old servers.
            if (o.Existing)
                args.Add("--existing");
            if (o.TempDir is { } tempDir)
            {
                // Two words, as stock splits it ("--temp-dir", DIR) so a remote shell could expand "~".
                args.Add("--temp-dir");
                args.Add(quoting.Value(tempDir));
            }
            if (o.Fsync)
                args.Add("--fsync");
            // The basis directories matter only to a receiving server (an old one may not know the option).
            foreach (string dir in o.AltDestDirs)
            {
                args.Add(o.AltDest.OptionName());
                args.Add(quoting.Value(dir));
            }
        }
        // options.c: server_options — the --info flags the user set that the server's side uses (make_output_option).
        if (o.InfoGiven.ServerOption(serverSends: !weSend) is { } info)
            args.Add(info);
        // options.c: server_options — --append-verify is "--append" twice (a server counts them); --inplace with -S
        // and an explicit --no-W adds --no-W for older receivers.
        if (o.Append)
        {
            if (o.AppendVerify)
                args.Add("--append");
            args.Add("--append");
        }
        else if (o.Inplace)
        {
            args.Add("--inplace");
            if (o.Sparse && o.NoWholeFile && weSend)
                args.Add("--no-W");
        }
        // "It's OK that this checks the upper-bound of the protocol_version": a sender at 29 or below sends no
        // implied directories at all instead.
        if (o.Relative && !o.ImpliedDirs && (!weSend || o.Protocol >= 30))
            args.Add("--no-implied-dirs");
        if (o.RemoveSourceFiles)
            args.Add("--remove-source-files");
        else if (o.RemoveSentFiles)
            args.Add("--remove-sent-files");
        // options.c: server_options — a sending server converts its devices.
        if (o.CopyDevices && !weSend)
            args.Add("--copy-devices");
        if (weSend && o.Preallocate)
            args.Add("--preallocate");
        // options.c: server_options — either way (a sending server opens its files with it, a receiving one its basis
        // files); -UU says it as the second U.
        if (o.OpenNoAtime && !o.AtimesTwice)
            args.Add("--open-noatime");
        if (weSend && o.MakePath)
            args.Add("--mkpath");
        // options.c: server_options — -M words last, each quoted as a value that --old-args may leave to split; at most
        // MAX_SERVER_ARGS (MAX_BASIS_DIRS * 2 + 100) words in all.
        if (o.RemoteOptions.Count > 0)
        {
            if (args.Count + o.RemoteOptions.Count > MaxServerArgs)
                throw new RsyncException(RsyncErrorKind.Usage, "too many remote options specified.");
            foreach (string word in o.RemoteOptions)
                args.Add(quoting.RemoteOption(word));
        }
        return args;
    }

    /// <summary>The compression named by --compress-choice ("none" turns -z off), or null to negotiate.</summary>
    public static string? CompressionChoice(TransferOptions o) =>
        o.CompressChoice is null or "" ? null : o.CompressChoice;

    // The single-letter word: stock's argstr, letters in server_options' order, then maybe_add_e_option's "e."
    // and capability letters when the protocol is 30 or newer.
    private static string Letters(TransferOptions o, bool weSend, bool secluded)
    {
        var s = new StringBuilder("-");
        if (secluded)
            s.Append('s');
        s.Append('v', Math.Min(o.Verbose, 9));
        // 'q' is sent when quiet and messages may go to stderr (msgs2stderr, 2 unless --stderr/--msgs2stderr).
        if (o.Quiet && o.Stderr != StderrMode.Client)
            s.Append('q');
        if (o.Backup)
            s.Append('b');
        if (o.Update)
            s.Append('u');
        // options.c: 'n' is sent when !do_xfers — not for --only-write-batch, whose dry run main.c sets afterwards.
        if (!o.Transfers)
            s.Append('n');
        if (o.Links)
            s.Append('l');
        // -d given is sent; --dirs implied without -r is sent for a listing, or to a receiving daemon when deleting.
        if (o.DirsGiven || (o.Dirs && !o.Recursive && (o.Listing || (o.IsDeleting && weSend))))
            s.Append('d');
        if (weSend)
        {
            if (o.KeepDirLinks)
                s.Append('K');
            if (o.PruneEmptyDirs)
                s.Append('m');
            // options.c: server_options — 'O' only when given (omit_dir_times > 0: -b without --backup-dir sets it
            // to -1, which the receiving side implies itself), 'J' when given.
            if (o.OmitDirTimesGiven && !o.ImpliedOmitDirTimes)
                s.Append('O');
            if (o.OmitLinkTimes)
                s.Append('J');
            if (o.Fuzzy > 0)
                s.Append('y', o.Fuzzy > 1 ? 2 : 1);
        }
        else
        {
            // A sending server follows links as the client asks; a receiver never does (main.c: do_recv clears them).
            if (o.CopyLinks)
                s.Append('L');
            if (o.CopyDirLinks)
                s.Append('k');
        }
        if (o.WholeFile)
            s.Append('W');
        if (o.HardLinks)
            s.Append('H');
        if (o.Owner)
            s.Append('o');
        if (o.Group)
            s.Append('g');
        if (o.Devices)
            s.Append('D');
        if (o.Times)
            s.Append('t');
        // options.c: server_options — 'U', twice for -UU.
        if (o.Atimes)
            s.Append('U', o.AtimesTwice ? 2 : 1);
        if (o.Perms)
            s.Append('p');
        else if (o.Executability && weSend)
            s.Append('E');
        if (o.Acls)
            s.Append('A');
        // options.c: server_options — 'X', twice for -XX, after -A's place.
        if (o.Xattrs > 0)
            s.Append('X', o.Xattrs > 1 ? 2 : 1);
        if (o.Recursive)
            s.Append('r');
        if (o.AlwaysChecksum)
            s.Append('c');
        if (o.CvsExclude)
            s.Append('C');
        if (o.IgnoreTimes)
            s.Append('I');
        if (o.Relative)
            s.Append('R');
        if (o.OneFileSystem > 0)
            s.Append('x', o.OneFileSystem > 1 ? 2 : 1);
        if (o.Sparse)
            s.Append('S');
        // 'z' only for plain zlib (CPRES_ZLIB): -z without a choice or --zc=zlib; not for --compress-level alone.
        if (o.Compress && !o.CompressFromLevelOnly && (o.CompressChoice is null || Is(o.CompressChoice, "zlib")))
            s.Append('z');
        // options.c: maybe_add_e_option puts 'i' first when incremental recursion is allowed.
        if (o.Protocol >= 30)
            s.Append("e.").Append(IncrementalRecursion.Offered(o, weSend) ? "i" : "").Append(Capabilities);
        return s.ToString();
    }

    // What server_options sends a receiving server of the client's stdout_format (options.c: "%i %n%L" for -i, "%n%L"
    // for -v or --progress, or --out-format's): "%i%I" for -ii, "%i" when it itemizes, "%o" when it names the
    // operation, "X" when it is set without -v (--progress, or a format with neither).
    private static string? LogFormat(TransferOptions o) =>
        o.StdoutFormat is null ? null
        : o.StdoutFormatHasI > 1 ? "%i%I"
        : o.StdoutFormatHasI > 0 ? "%i"
        : o.StdoutFormatHasOOrI ? "%o"
        : o.Verbose == 0 ? "X"
        : null;

    // Only one timing is ever set (the CLI refuses combinations as stock does); --delete alone is not repeated next
    // to --delete-excluded, which implies it.
    private static string? DeleteOption(TransferOptions o) => o.Delete switch
    {
        DeleteTiming.Before => "--delete-before",
        DeleteTiming.Delay => "--delete-delay",
        DeleteTiming.During => "--delete-during",
        DeleteTiming.After => "--delete-after",
        DeleteTiming.Default when !o.DeleteExcluded => "--delete",
        _ => null,
    };

    // clientserver.c start_inband_exchange: a bare module name goes as "module/"; a path starting with '-' gets "./"
    // so the server cannot read it as an option; " module/" inside a path is written "[ ]module/" so the server's
    // argument splitting does not take it for the start of another module path.
    private static string RemotePath(string path)
    {
        int slash = path.IndexOf('/');
        string module = slash < 0 ? path : path[..slash];
        if (slash < 0)
            return module + "/";
        string result = path.StartsWith('-') ? "./" + path : path;
        return module.Length == 0 ? result : result.Replace(" " + module + "/", "[ ]" + module + "/", StringComparison.Ordinal);
    }

    private static bool Is(string? choice, string name) => string.Equals(choice, name, StringComparison.OrdinalIgnoreCase);

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static void AddIfAny(this List<string> args, string letters)
    {
        if (letters.Length > 1)
            args.Add(letters);
    }
}

/// <summary>The server's words for a remote shell: those on its command line, and with -s those sent on the connection.</summary>
/// <param name="CommandLine">From "--server" on: after the shell, host and rsync path on the remote command line.</param>
/// <param name="Secluded">-s: the rest, sent NUL-terminated before the protocol starts (rsync.c: send_protected_args).</param>
internal sealed record ShellServerArguments(IReadOnlyList<string> CommandLine, IReadOnlyList<string>? Secluded);
