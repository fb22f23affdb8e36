using System.Globalization;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// A parsed rsyncd.conf: the global section and the modules in file order (loadparm.c keeps both; lp_* read them with
/// the defaults of daemon-parm.txt). Values are kept as written; the typed views below apply rsync's defaults.
/// </summary>
public sealed class DaemonConfig
{
    /// <summary>rsync rsync.h: RSYNC_PORT.</summary>
    public const int DefaultPort = 873;

    private readonly IReadOnlyDictionary<string, string> _global;

    internal DaemonConfig(IReadOnlyDictionary<string, string> global, IEnumerable<(string Name, Dictionary<string, string> Values)> modules)
    {
        _global = global;
        Modules = modules.Select(m => new DaemonModule(m.Name, m.Values)).ToList();
    }

    /// <summary>The modules in the order the file names them (the listing's order, clientserver.c: send_listing).</summary>
    public IReadOnlyList<DaemonModule> Modules { get; }

    /// <summary>port: 0 when not set (the listener then takes --port, else 873).</summary>
    public int Port => Int(_global, "port", 0);

    /// <summary>address (bind address).</summary>
    public string? Address => Str(_global, "address");

    /// <summary>motd file.</summary>
    public string? MotdFile => Str(_global, "motdfile");

    /// <summary>pid file.</summary>
    public string? PidFile => Str(_global, "pidfile");

    /// <summary>listen backlog (default 5).</summary>
    public int ListenBacklog => Int(_global, "listenbacklog", 5);

    /// <summary>The global section's log file (each module may name its own).</summary>
    public string? LogFile => Str(_global, "logfile");

    /// <summary>reverse lookup in the global section (default yes).</summary>
    public bool ReverseLookup => Bool(_global, "reverselookup", true);

    /// <summary>The module called <paramref name="name"/> (clientserver.c: lp_number), or null.</summary>
    public DaemonModule? Find(string name) => Modules.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// Every parameter mrsync's daemon would not honour as rsync does, each named (the daemon refuses to start with
    /// any). <paramref name="euid"/> / <paramref name="egid"/> are the ids the daemon runs with: "uid"/"gid" may only
    /// name those, since one process serves every connection (.NET cannot fork a connection into another user).
    /// </summary>
    public IReadOnlyList<string> Validate(uint euid, Func<string, uint?> userId, Func<string, uint?> groupId, uint egid)
    {
        var problems = new List<string>();
        foreach ((string key, string value) in _global)
            Check(problems, "global", key, value, euid, userId, groupId, egid);
        foreach (DaemonModule module in Modules)
        {
            foreach ((string key, string value) in module.Values)
                Check(problems, module.Name, key, value, euid, userId, groupId, egid);
            // log.c: log_formatted's %b, %c and %C (bytes and checksums of each file's transfer) are not kept yet.
            if (module.TransferLogging && "bcC".FirstOrDefault(l => ManagedRsync.LogFormat.Has(module.LogFormat, l)) is var letter and not '\0')
                problems.Add($"module [{module.Name}]: \"log format\" with %{letter} is not supported yet");
            // clientserver.c: rsync_module — as root with no uid, stock drops to "nobody" for the connection.
            if (euid == 0 && Str(module.Values, "uid") is null)
                problems.Add($"module [{module.Name}]: running as root, stock rsync would serve it as user nobody; mrsync cannot change user per connection: set \"uid = root\" and \"use chroot = no\" explicitly, or run mrsync daemon as an ordinary user");
            if (euid == 0 && Str(module.Values, "usechroot") is null)
                problems.Add($"module [{module.Name}]: running as root, stock rsync would chroot into the module; mrsync confines paths without chroot: set \"use chroot = no\" explicitly");
        }
        return problems.Distinct().ToList();
    }

    private static void Check(List<string> problems, string where, string key, string value, uint euid,
        Func<string, uint?> userId, Func<string, uint?> groupId, uint egid)
    {
        if (DaemonParameters.IsHonoured(key))
            return;
        string? problem = key switch
        {
            "usechroot" => IsFalse(value) ? null : "\"use chroot\" is not supported (mrsync confines every path beneath the module without chroot): set \"use chroot = no\"",
            "uid" => userId(value) == euid ? null : $"\"uid = {value}\" is not supported: mrsync serves every connection as the user it runs as (uid {euid}); run it as that user instead",
            "gid" => value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) is [var g] && groupId(g) == egid ? null
                : $"\"gid = {value}\" is not supported: mrsync serves every connection with the group it runs as (gid {egid})",
            "fakesuper" or "proxyprotocol" or "insecurelinks" or "opennoatime" =>
                IsFalse(value) || IsUnset(value) ? null : $"\"{Spelled(key)} = {value}\" is not supported yet",
            _ => value.Length == 0 ? null : $"\"{Spelled(key)}\" is not supported yet",
        };
        if (problem is not null)
            problems.Add($"[{where}]: {problem}");
    }

    private static string Spelled(string key) => DaemonParameters.Label(key);

    private static bool IsFalse(string v) => v.Equals("no", StringComparison.OrdinalIgnoreCase)
        || v.Equals("false", StringComparison.OrdinalIgnoreCase) || v == "0";

    private static bool IsUnset(string v) => v.Equals("unset", StringComparison.OrdinalIgnoreCase) || v == "-1";

    internal static string? Str(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out string? v) && v.Length > 0 ? v : null;

    // loadparm.c: P_INTEGER is atoi of the value.
    internal static int Int(IReadOnlyDictionary<string, string> values, string key, int fallback)
    {
        if (!values.TryGetValue(key, out string? v))
            return fallback;
        int end = 0;
        while (end < v.Length && (char.IsAsciiDigit(v[end]) || (end == 0 && v[end] is '-' or '+')))
            end++;
        return int.TryParse(v.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : 0;
    }

    // loadparm.c: set_boolean — yes/true/1, no/false/0; anything else keeps the default (with a logged complaint).
    internal static bool Bool(IReadOnlyDictionary<string, string> values, string key, bool fallback)
    {
        if (!values.TryGetValue(key, out string? v))
            return fallback;
        if (v.Equals("yes", StringComparison.OrdinalIgnoreCase) || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1")
            return true;
        if (IsFalse(v))
            return false;
        return fallback;
    }
}

/// <summary>One module section with rsync's defaults (daemon-parm.txt "Locals").</summary>
public sealed class DaemonModule
{
    internal DaemonModule(string name, IReadOnlyDictionary<string, string> values)
    {
        Name = name;
        Values = values;
    }

    internal IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The section name.</summary>
    public string Name { get; }

    /// <summary>path, trailing slashes trimmed (loadparm.c: P_PATH).</summary>
    public string? Path => DaemonConfig.Str(Values, "path") is { } p ? (p.TrimEnd('/') is { Length: > 0 } t ? t : "/") : null;

    /// <summary>comment.</summary>
    public string Comment => DaemonConfig.Str(Values, "comment") ?? "";

    /// <summary>read only (default yes).</summary>
    public bool ReadOnly => DaemonConfig.Bool(Values, "readonly", true);

    /// <summary>write only (default no).</summary>
    public bool WriteOnly => DaemonConfig.Bool(Values, "writeonly", false);

    /// <summary>list (default yes).</summary>
    public bool List => DaemonConfig.Bool(Values, "list", true);

    /// <summary>auth users.</summary>
    public string? AuthUsers => DaemonConfig.Str(Values, "authusers");

    /// <summary>secrets file.</summary>
    public string? SecretsFile => DaemonConfig.Str(Values, "secretsfile");

    /// <summary>strict modes (default yes).</summary>
    public bool StrictModes => DaemonConfig.Bool(Values, "strictmodes", true);

    /// <summary>auth digest: the weakest digest accepted.</summary>
    public string? AuthDigest => DaemonConfig.Str(Values, "authdigest");

    /// <summary>hosts allow.</summary>
    public string? HostsAllow => DaemonConfig.Str(Values, "hostsallow");

    /// <summary>hosts deny.</summary>
    public string? HostsDeny => DaemonConfig.Str(Values, "hostsdeny");

    /// <summary>reverse lookup (default yes).</summary>
    public bool ReverseLookup => DaemonConfig.Bool(Values, "reverselookup", true);

    /// <summary>max connections (0: no limit).</summary>
    public int MaxConnections => DaemonConfig.Int(Values, "maxconnections", 0);

    /// <summary>lock file (rsync.h: DEFAULT_LOCK_FILE).</summary>
    public string LockFile => DaemonConfig.Str(Values, "lockfile") ?? "/var/run/rsyncd.lock";

    /// <summary>log file.</summary>
    public string? LogFile => DaemonConfig.Str(Values, "logfile");

    /// <summary>timeout in seconds (0: none).</summary>
    public int Timeout => DaemonConfig.Int(Values, "timeout", 0);

    /// <summary>refuse options.</summary>
    public string? RefuseOptions => DaemonConfig.Str(Values, "refuseoptions");

    /// <summary>filter.</summary>
    public string? Filter => DaemonConfig.Str(Values, "filter");

    /// <summary>include.</summary>
    public string? Include => DaemonConfig.Str(Values, "include");

    /// <summary>exclude.</summary>
    public string? Exclude => DaemonConfig.Str(Values, "exclude");

    /// <summary>include from.</summary>
    public string? IncludeFrom => DaemonConfig.Str(Values, "includefrom");

    /// <summary>exclude from.</summary>
    public string? ExcludeFrom => DaemonConfig.Str(Values, "excludefrom");

    /// <summary>
    /// munge symlinks: unset means yes for a module that is not chrooted (clientserver.c: rsync_module,
    /// "munge_symlinks = !use_chroot || module_dirlen"), and mrsync's never are.
    /// </summary>
    public bool MungeSymlinks => DaemonConfig.Bool(Values, "mungesymlinks", true);

    /// <summary>
    /// numeric ids: with "use chroot = no" (mrsync's modules) only an explicit yes turns it on (clientserver.c:
    /// rsync_module, "lp_numeric_ids(module_id) == True").
    /// </summary>
    public bool NumericIds => DaemonConfig.Bool(Values, "numericids", false);

    /// <summary>ignore errors (default no).</summary>
    public bool IgnoreErrors => DaemonConfig.Bool(Values, "ignoreerrors", false);

    /// <summary>ignore nonreadable (default no): a pull's list leaves out what the daemon cannot read (flist.c: make_file).</summary>
    public bool IgnoreNonreadable => DaemonConfig.Bool(Values, "ignorenonreadable", false);

    /// <summary>pre-xfer exec: a shell command run before the transfer, which can refuse it.</summary>
    public string? PreXferExec => DaemonConfig.Str(Values, "pre-xferexec");

    /// <summary>post-xfer exec: a shell command run after the connection ends.</summary>
    public string? PostXferExec => DaemonConfig.Str(Values, "post-xferexec");

    /// <summary>temp dir.</summary>
    public string? TempDir => DaemonConfig.Str(Values, "tempdir");

    /// <summary>transfer logging: each entry sent, received or deleted gets a line in the log file (default no).</summary>
    public bool TransferLogging => DaemonConfig.Bool(Values, "transferlogging", false);

    /// <summary>log format: the line of transfer logging (daemon-parm.txt: "%o %h [%a] %m (%u) %f %l").</summary>
    public string LogFormat => Values.TryGetValue("logformat", out string? f) ? f : "%o %h [%a] %m (%u) %f %l";
}
