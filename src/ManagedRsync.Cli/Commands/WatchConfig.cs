using ManagedRsync.Filters;
using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>One replica of `mrsync watch`.</summary>
internal sealed class WatchTargetConfig
{
    public required string Name { get; init; }
    public required string Dest { get; set; }
    /// <summary>"delete = yes": as --delete among the options.</summary>
    public bool Delete { get; set; }
    /// <summary>"password file = F": as --password-file=F among the options.</summary>
    public string? PasswordFile { get; set; }
    /// <summary>The words of "options = ...", rsync options of this target alone (after the command line's).</summary>
    public List<string> RsyncOptions { get; } = [];
}

/// <summary>
/// The settings of `mrsync watch`, from the command line or a config file in the spirit of rsyncd.conf (which the
/// users of the inotifywait+rsync recipe already know): global "key = value" lines, then one [section] per target.
/// <code>
/// source = /data
/// state dir = /var/lib/mrsync-watch
/// delay = 10ms
/// exclude = *.swp .cache/
/// filter = - /top/*.tmp
///
/// [backup]
/// dest = rsync_backup@172.16.1.41::nfsbackup
/// password file = /etc/rsync.password
/// options = -az --delete
/// </code>
/// Keys are case-insensitive and spaces, '_' and '-' in them are interchangeable, as in rsyncd.conf(5).
/// </summary>
internal sealed class WatchConfig
{
    public string? Source { get; set; }
    public string? StateDir { get; set; }
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(10);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxOpenWait { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan FallbackScan { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The I/O timeout of a push to a daemon or over a remote shell that has no --timeout of its own. Stock rsync has
    /// none by default (options.c: io_timeout = 0) and waits for ever on a daemon or link that stalls; a watch is a
    /// service that must not stop replicating for ever, so its pushes end after this long without a byte from the
    /// peer (--timeout's meaning, io.c: check_timeout; sent to the daemon as --timeout too, options.c:
    /// server_options, so the daemon gives up its side and sends keep-alives meanwhile) and are retried with backoff.
    /// Ten minutes: well past any quiet spell of a healthy push (mrsync's sender builds the whole file list, checksums
    /// with -c included, before its first byte, and the daemon waits in silence meanwhile), yet a stall ends.
    /// 0: wait for ever, as rsync.
    /// </summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromMinutes(10);

    /// <summary>--stall-timeout / "stall timeout =" (null: <see cref="DefaultStallTimeout"/>).</summary>
    public TimeSpan? StallTimeout { get; set; }

    /// <summary>The stall timeout as rsync's --timeout takes it: whole seconds, rounded up.</summary>
    public int StallTimeoutSeconds =>
        (int)Math.Min(int.MaxValue, Math.Ceiling((StallTimeout ?? DefaultStallTimeout).TotalSeconds));
    /// <summary>--backend / backend =: auto (fanotify when it can watch the tree, else inotify), fanotify, inotify.</summary>
    public WatchBackend? Backend { get; set; }
    /// <summary>--exclude/--include/--filter/--exclude-from/--include-from in command-line order (first match wins).</summary>
    public List<KeyValuePair<FilterOptionKind, string>> Filters { get; } = [];
    public List<WatchTargetConfig> Targets { get; } = [];
    /// <summary>"verbose = yes": as -v for every target.</summary>
    public bool Verbose { get; set; }
    /// <summary>The rsync arguments of the command line (options, SRC and DESTs), in order; each target parses them
    /// followed by its own options.</summary>
    public List<string> RsyncArgs { get; } = [];
    /// <summary>The command line's rsync options, parsed (its --delete-excluded and --from0 shape the shared filter).</summary>
    public RsyncOptions CommandLine { get; set; } = new();

    public static WatchConfig Load(string path)
    {
        var config = new WatchConfig();
        WatchTargetConfig? section = null;
        int lineNo = 0;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNo++;
            string line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line[0] == '[')
            {
                if (!line.EndsWith(']'))
                    throw Bad(path, lineNo, "section header without ']'");
                section = new WatchTargetConfig { Name = line[1..^1].Trim(), Dest = "" };
                config.Targets.Add(section);
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw Bad(path, lineNo, "expected 'key = value'");
            string key = line[..eq].Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
            string value = line[(eq + 1)..].Trim();
            if (section is null)
                config.SetGlobal(key, value, path, lineNo);
            else
                SetTarget(section, key, value, path, lineNo);
        }
        foreach (WatchTargetConfig t in config.Targets)
        {
            if (t.Dest.Length == 0)
                throw new RsyncException(RsyncErrorKind.Usage, $"{path}: target [{t.Name}] has no 'dest ='");
        }
        return config;
    }

    private void SetGlobal(string key, string value, string path, int lineNo)
    {
        switch (key)
        {
            case "source" or "path": Source = value; break;
            case "statedir": StateDir = value; break;
            case "delay": Delay = ParseDuration(value, path, lineNo); break;
            case "maxdelay": MaxDelay = ParseDuration(value, path, lineNo); break;
            case "maxopenwait": MaxOpenWait = ParseDuration(value, path, lineNo); break;
            case "fallbackscan": FallbackScan = ParseDuration(value, path, lineNo); break;
            case "stalltimeout": StallTimeout = ParseDuration(value, path, lineNo); break;
            case "backend": Backend = TryParseBackend(value, out WatchBackend b) ? b : throw Bad(path, lineNo, $"backend must be auto, fanotify or inotify, not '{value}'"); break;
            case "exclude": AddWords(FilterOptionKind.Exclude, value); break;
            case "include": AddWords(FilterOptionKind.Include, value); break;
            case "filter": Filters.Add(new(FilterOptionKind.Filter, value)); break;
            case "excludefrom": Filters.Add(new(FilterOptionKind.ExcludeFrom, value)); break;
            case "includefrom": Filters.Add(new(FilterOptionKind.IncludeFrom, value)); break;
            case "verbose": Verbose = IsYes(value); break;
            default: throw Bad(path, lineNo, $"unknown global parameter '{key}'");
        }
    }

    /// <summary>auto | fanotify | inotify (`--backend` of watch and inotifywait, `backend =` in the config file).</summary>
    public static bool TryParseBackend(string value, out WatchBackend backend)
    {
        switch (value)
        {
            case "auto": backend = WatchBackend.Auto; return true;
            case "fanotify": backend = WatchBackend.Fanotify; return true;
            case "inotify": backend = WatchBackend.Inotify; return true;
            default: backend = default; return false;
        }
    }

    /// <summary>"exclude = *.swp .cache/": space-separated patterns, as rsyncd.conf's exclude parameter takes them.</summary>
    private void AddWords(FilterOptionKind kind, string value)
    {
        foreach (string word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            Filters.Add(new(kind, word));
    }

    /// <summary>The filter rules, built by the Filters engine a push uses (a bad rule or unreadable file throws).</summary>
    public WatchFilter BuildFilter() => new(BuildList(CommandLine, []), Source!);

    /// <summary>
    /// The shared rules followed by <paramref name="extra"/> (a target's own), with <paramref name="options"/>'
    /// --delete-excluded and --from0, as one command line with both would give them.
    /// </summary>
    public FilterList BuildList(RsyncOptions options, IEnumerable<FilterArgument> extra)
    {
        var builder = new FilterListBuilder { DeleteExcluded = options.DeleteExcluded, From0 = options.From0 };
        foreach (KeyValuePair<FilterOptionKind, string> f in Filters)
            builder.Add(f.Key, f.Value);
        foreach (FilterArgument f in extra)
            builder.Add(f.Option, f.Value);
        return builder.Build();
    }

    private static void SetTarget(WatchTargetConfig t, string key, string value, string path, int lineNo)
    {
        switch (key)
        {
            case "dest" or "destination": t.Dest = value; break;
            case "delete": t.Delete = IsYes(value); break;
            case "passwordfile": t.PasswordFile = value; break;
            case "options": t.RsyncOptions.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)); break;
            default: throw Bad(path, lineNo, $"unknown parameter '{key}' in [{t.Name}]");
        }
    }

    private static bool IsYes(string v) => v.Equals("yes", StringComparison.OrdinalIgnoreCase) || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1";

    /// <summary>"50ms", "2s", "1m", or plain seconds ("0.05") as lsyncd's delay and inotifywait's -t take them.</summary>
    public static TimeSpan ParseDuration(string value, string where, int lineNo = 0)
    {
        string v = value.Trim();
        double scale = 1000;
        if (v.EndsWith("ms", StringComparison.Ordinal)) { scale = 1; v = v[..^2]; }
        else if (v.EndsWith('s')) { v = v[..^1]; }
        else if (v.EndsWith('m')) { scale = 60_000; v = v[..^1]; }
        if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double n) || n < 0 || n > 86_400_000)
            throw Bad(where, lineNo, $"'{value}' is not a duration (e.g. 50ms, 2s)");
        return TimeSpan.FromMilliseconds(n * scale);
    }

    private static RsyncException Bad(string path, int lineNo, string what) =>
        new(RsyncErrorKind.Usage, lineNo > 0 ? $"{path}:{lineNo}: {what}" : $"{path}: {what}");
}
