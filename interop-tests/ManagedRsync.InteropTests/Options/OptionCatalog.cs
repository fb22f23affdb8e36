namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// The rows of the differential argument test: every option on stock rsync's --help line by line (each spelling, push
/// and pull, with and without -a), every --no-OPTION and the names options.c knows but --help does not show, and the
/// combinations issue 10 names. Values come from <see cref="Samples"/>; a value option without a sample fails the test.
/// </summary>
public static class OptionCatalog
{
    /// <summary>
    /// A value for each option that takes one, by long name (options.c: long_options, POPT_ARG_STRING/INT). Paths use
    /// {files} (the shared fixture files) and {out} (a directory of the row's own); both are resolved at run time.
    /// </summary>
    /// <summary>
    /// The -e/--rsh sample: with the daemon address it reaches the daemon through this "shell" (main.c: do_cmd with
    /// daemon_connection), which reads a byte of the client's greeting and leaves, so both clients end alike at
    /// "did not see server greeting" (exit 5); RemoteShell/ShellArgumentParityTests puts its recording shell in its place.
    /// </summary>
    public const string RshSample = "sh -c 'head -c 1 >/dev/null' sh";

    public static readonly IReadOnlyDictionary<string, string> Samples = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["info"] = "del2,name",
        ["debug"] = "del2",
        ["stderr"] = "all",
        ["backup-dir"] = "bak",
        ["suffix"] = ".old",
        ["confine-root"] = "{files}",
        ["chmod"] = "Dg+s,ug+w",
        ["checksum-choice"] = "md5",
        ["block-size"] = "4096",
        ["rsh"] = RshSample,
        ["rsync-path"] = "/usr/bin/rsync",
        ["max-delete"] = "5",
        ["max-size"] = "1M",
        ["min-size"] = "10",
        // A limit is refused by name (DaemonServer/MaxAllocTests); 0, unlimited, is sent as stock sends it.
        ["max-alloc"] = "0",
        ["partial-dir"] = ".partial",
        ["usermap"] = "1000:1001",
        ["groupmap"] = "1000:1001",
        ["chown"] = "1000:1001",
        ["timeout"] = "30",
        ["contimeout"] = "5",
        ["modify-window"] = "2",
        ["temp-dir"] = "tmpdir",
        ["compare-dest"] = "base",
        ["copy-dest"] = "base",
        ["link-dest"] = "base",
        ["compress-choice"] = "zstd",
        ["compress-level"] = "3",
        ["compress-threads"] = "2",
        ["skip-compress"] = "gz/jpg",
        ["filter"] = "- *.o",
        ["exclude"] = "*.o",
        ["exclude-from"] = "{files}/excludes",
        ["include"] = "keep",
        ["include-from"] = "{files}/includes",
        ["files-from"] = "{files}/list",
        ["copy-as"] = "root",
        ["address"] = "127.0.0.1",
        ["port"] = "873",
        ["sockopts"] = "SO_KEEPALIVE",
        ["outbuf"] = "L",
        ["remote-option"] = "--size-only",
        ["out-format"] = "%n%L",
        ["log-file"] = "{out}/log",
        ["log-file-format"] = "%i %n",
        ["password-file"] = "{files}/password",
        ["early-input"] = "{files}/early",
        ["bwlimit"] = "1000",
        ["stop-after"] = "10",
        ["stop-at"] = "2099-01-01T00:00",
        ["write-batch"] = "{out}/batch",
        ["only-write-batch"] = "{out}/batch",
        ["read-batch"] = "{out}/batch",
        ["protocol"] = "31",
        ["iconv"] = "UTF-8,ISO-8859-1",
        ["checksum-seed"] = "42",
        ["config"] = "/dev/null",
        ["dparam"] = "x=y",
    };

    /// <summary>Every "no-" name in options.c: long_options, the expansion of --help's "--no-OPTION" line.</summary>
    public static readonly string[] NoOptions =
    [
        "no-verbose", "no-v", "no-msgs2stderr", "no-motd", "no-human-readable", "no-h", "no-recursive", "no-r",
        "no-inc-recursive", "no-i-r", "no-dirs", "no-d", "no-perms", "no-p", "no-acls", "no-A", "no-xattrs", "no-X",
        "no-times", "no-t", "no-atimes", "no-U", "no-open-noatime", "no-crtimes", "no-N", "no-omit-dir-times", "no-O",
        "no-omit-link-times", "no-J", "no-super", "no-owner", "no-o", "no-group", "no-g", "no-D", "no-devices",
        "no-write-devices", "no-specials", "no-drop-D", "no-links", "no-l", "no-insecure-links", "no-munge-links",
        "no-hard-links", "no-H", "no-relative", "no-R", "no-implied-dirs", "no-i-d", "no-one-file-system", "no-x",
        "no-sparse", "no-S", "no-inplace", "no-append", "no-force", "no-ignore-errors", "no-whole-file", "no-W",
        "no-checksum", "no-c", "no-fuzzy", "no-y", "no-compress", "no-z", "no-progress", "no-partial",
        "no-delay-updates", "no-prune-empty-dirs", "no-m", "no-itemize-changes", "no-i", "no-bwlimit", "no-backup",
        "no-from0", "no-old-args", "no-secluded-args", "no-protect-args", "no-s", "no-numeric-ids", "no-timeout",
        "no-contimeout", "no-iconv", "no-8-bit-output", "no-8", "no-mkpath", "no-blocking-io",
    ];

    /// <summary>
    /// Names options.c: long_options accepts that --help does not list (aliases and deprecated spellings), with a value
    /// where they take one. The daemon- and server-mode names are in <see cref="Exclusions"/>.
    /// </summary>
    public static readonly string[] HiddenOptions =
    [
        "--cc=md5", "--zc=zstd", "--zl=3", "--zt=2", "--i-d", "--implied-dirs", "--log-format=%n", "--motd",
        "--msgs2stderr", "--new-compress", "--old-compress", "--protect-args", "--qsort", "--remove-sent-files",
        "--time-limit=10",
    ];

    /// <summary>
    /// Options that cannot be compared by running stock rsync with the same command line, why, and what mrsync must do
    /// with each instead.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Exclusion> Exclusions = new Dictionary<string, Exclusion>(StringComparer.Ordinal)
    {
        ["--help"] = new("prints stock's usage, which lists stock's options; mrsync's lists what mrsync does", ExpectedAlone.PrintsHelp),
        ["--version"] = new("prints each program's own version and capabilities", ExpectedAlone.PrintsVersion),
        ["-V"] = new("prints each program's own version and capabilities", ExpectedAlone.PrintsVersion),
        ["--server"] = new("server mode: stock would serve on stdin/stdout instead of connecting", ExpectedAlone.Refused),
        ["--sender"] = new("server mode only (with --server)", ExpectedAlone.Refused),
        ["--daemon"] = new("daemon mode: stock would start a daemon instead of connecting", ExpectedAlone.Refused),
        ["--config"] = new("daemon mode (implies --daemon)", ExpectedAlone.Refused),
        ["--dparam"] = new("daemon mode (implies --daemon)", ExpectedAlone.Refused),
        ["--detach"] = new("daemon mode (implies --daemon)", ExpectedAlone.Refused),
        ["--no-detach"] = new("daemon mode (implies --daemon)", ExpectedAlone.Refused),
    };

    /// <summary>Combinations issue 10 names, each in push and pull position unless the row says otherwise.</summary>
    private static readonly string[][] Combinations =
    [
        ["-zz"], ["-a", "-zz"], ["-ii"], ["-a", "-ii"], ["-q"], ["-vv"], ["-av", "-q"],
        ["--bwlimit=1000"], ["--bwlimit=1M"], ["--bwlimit=1.5k"], ["--bwlimit=100K"], ["-a", "--bwlimit=1M"],
        ["--zc=zstd"], ["--compress-level=3"], ["-z", "--compress-level=3"], ["-z", "--zc=zlib"], ["--zc=none"],
        ["-a", "--no-o"], ["-a", "--no-D", "--specials"], ["-a", "--no-r", "-d"],
        ["-a", "--partial"], ["-a", "-P"], ["-a", "-T", "tmpdir"], ["-a", "--partial-dir=.partial", "--delay-updates"],
        ["--files-from={files}/list"], ["-a", "--files-from={files}/list"], ["-r", "--files-from={files}/list"],
        ["-a", "--files-from={files}/latin1-list"], ["-a", "--from0", "--files-from={files}/list0"],
        ["-a", "--files-from={files}/list", "--no-relative"],
        ["--delete-before", "--delete-after"], ["--delete-during", "--delete-delay"], ["--del", "--delete-after"],
        ["--delete-delay", "--delete-before"], ["-a", "--delete", "--delete-after"],
        ["-a", "--delete", "--exclude=*.o"], ["-a", "--delete", "-f", "- *.o", "-f", "P keep", "-f", "H hide"],
        ["-a", "--delete", "-C"], ["-a", "--delete", "-F"], ["-a", "--delete", "-FF"],
        ["-a", "--delete-excluded", "--exclude=x"], ["-a", "--delete", "--exclude-from={files}/excludes"],
        ["-a", "--delete", "--include-from={files}/includes", "--exclude=*"], ["-a", "-m", "--exclude=x"],
        ["-a", "--delete", "-n"], ["-a", "--delete", "--max-delete=0"], ["-a", "--delete-missing-args"],
        ["-a", "--list-only"], ["--list-only"], ["-a", "-s", "--exclude=x"], ["-a", "-H", "--numeric-ids"],
        ["-aAX"], ["-a", "--inplace"], ["-a", "--append-verify"], ["-a", "--inplace", "-S"],
        ["-a", "-b", "--backup-dir=bak"], ["-a", "--chown=1000:1001"], ["-a", "--modify-window=-1"],
        ["-a", "-i", "--out-format=%n"], ["-a", "--info=progress2"], ["--no-such-option"],
        // options.c: -U counts; -UU is sent as "UU" without --open-noatime, which a later --no-open-noatime does not undo.
        ["-a", "-UU"], ["-a", "-U", "--open-noatime"], ["-a", "-UU", "--no-open-noatime"], ["-a", "-UU", "--no-U"],
        ["-a", "--inplace", "--link-dest=base"], ["-a", "--partial-dir=/abs/pd"],
        // options.c: server_options sends the --info flags the user set that the server's side uses (make_output_option).
        ["-a", "--info=name2,remove,stats2,del"], ["-av", "--info=nonreg0,flist0"], ["--info=none"], ["-a", "--info=all"],
        ["-a", "--info=all2,name0,progress1,stats0,misc1"], ["-a", "--info=skip,backup,copy"], ["-a", "--info=NAME,name0"],
    ];

    /// <summary>Rows re-run at an older protocol (--protocol=29, 27): what changes with the protocol (newline-separated
    /// arguments, no capability letters, old filter prefixes).</summary>
    private static readonly string[][] OldProtocolRows =
    [
        ["-a"], ["-a", "--delete", "--exclude=*.o"], ["-az"], ["-av", "--files-from={files}/list"],
        ["-a", "-H", "--numeric-ids"], ["-a", "--no-o"], ["--bwlimit=1000"], ["-a", "-P"], ["-a", "--inplace"],
        ["-a", "--delete-after", "-f", "- *.o"],
    ];

    public static IReadOnlyList<OptionRow> Rows(IReadOnlyList<HelpEntry> help, ICollection<string> missingSamples)
    {
        var rows = new List<OptionRow>();
        foreach (HelpEntry entry in help)
        {
            if (entry.Names is ["--no-OPTION"])
            {
                foreach (string no in NoOptions)
                    AddBoth(rows, ["--" + no], ["--" + no]);
                continue;
            }
            foreach (string name in entry.Names)
            {
                string[] option;
                if (entry.Value is null)
                {
                    option = [name];
                }
                else if (!Samples.TryGetValue(entry.Key, out string? sample))
                {
                    missingSamples.Add(string.Join(", ", entry.Names) + "=" + entry.Value);
                    continue;
                }
                else
                {
                    option = name.StartsWith("--", StringComparison.Ordinal) ? [$"{name}={sample}"] : [name, sample];
                }
                AddBoth(rows, option, entry.Names, auth: entry.Key == "password-file");
            }
        }
        foreach (string hidden in HiddenOptions)
            AddBoth(rows, [hidden], [hidden.Split('=')[0]]);
        foreach (string name in Exclusions.Keys.Where(n => n.StartsWith("--", StringComparison.Ordinal)))
        {
            if (!rows.Any(r => r.Options.Any(o => NameOf(o) == name)))
                AddBoth(rows, [Samples.TryGetValue(name[2..], out string? value) ? $"{name}={value}" : name], [name]);
        }
        foreach (string[] combination in Combinations)
        {
            rows.Add(new OptionRow(true, combination, NamesIn(combination)));
            rows.Add(new OptionRow(false, combination, NamesIn(combination)));
        }
        foreach (string[] old in OldProtocolRows)
        {
            foreach (string protocol in new[] { "--protocol=29", "--protocol=27" })
            {
                string[] options = [protocol, .. old];
                rows.Add(new OptionRow(true, options, NamesIn(options)));
                rows.Add(new OptionRow(false, options, NamesIn(options)));
            }
        }
        // -h on its own is --help (usage.c: "-h is help only on its own").
        rows.Add(new OptionRow(false, ["-h"], ["-h"], Excluded: new("-h alone prints the usage", ExpectedAlone.PrintsHelp), NoPaths: true));

        var byKey = new Dictionary<string, OptionRow>(StringComparer.Ordinal);
        foreach (OptionRow row in rows)
        {
            OptionRow withExclusion = row.Excluded is null && row.Options.FirstOrDefault(o => Exclusions.ContainsKey(NameOf(o))) is { } excluded
                ? row with { Excluded = Exclusions[NameOf(excluded)] }
                : row;
            byKey.TryAdd(row.Key, withExclusion);
        }
        return [.. byKey.Values];
    }

    // Each option in push and pull position, alone and after -a.
    private static void AddBoth(List<OptionRow> rows, string[] option, IReadOnlyList<string> names, bool auth = false)
    {
        foreach (bool push in new[] { true, false })
        {
            rows.Add(new OptionRow(push, option, names, auth));
            rows.Add(new OptionRow(push, ["-a", .. option], names, auth));
        }
    }

    // The names a refusal may use for a combination: each option's name without its value, and each letter of a
    // bundle of short options ("-aAX" may be refused as "-A").
    private static string[] NamesIn(string[] options) =>
        options.Where(o => o.StartsWith('-')).Select(NameOf)
            .SelectMany(n => n.StartsWith("--", StringComparison.Ordinal) || n.Length <= 2 ? [n] : n[1..].Select(c => "-" + c).Prepend(n))
            .ToArray();

    private static string NameOf(string option) => option.Split('=')[0];
}
