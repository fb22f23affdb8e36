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

    /// <summary>socket options: set on the listening socket, which its connections inherit (socket.c: open_socket_in).</summary>
    public string? SocketOptions => Str(_global, "socketoptions");

    /// <summary>The global section's timeout (0 when unset): it bounds a client's handshake before it names a module.</summary>
    public int Timeout => Int(_global, "timeout", 0);

    /// <summary>proxy protocol (default no): a PROXY v1/v2 header comes before the client's greeting.</summary>
    public bool ProxyProtocol => Bool(_global, "proxyprotocol", false);

    /// <summary>proxy protocol hosts: the peers allowed to send that header (none: every connection is refused).</summary>
    public string? ProxyProtocolHosts => Str(_global, "proxyprotocolhosts");

    /// <summary>daemon chroot: each connection's process chroots here before it reads anything of a module.</summary>
    public string? DaemonChroot => Str(_global, "daemonchroot");

    /// <summary>reverse lookup in the global section (default yes).</summary>
    public bool ReverseLookup => Bool(_global, "reverselookup", true);

    /// <summary>The module called <paramref name="name"/> (clientserver.c: lp_number), or null.</summary>
    public DaemonModule? Find(string name) => Modules.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// Every parameter mrsync's daemon would not honour as rsync does, each named (the daemon refuses to start with
    /// any). <paramref name="euid"/> / <paramref name="egid"/> are the ids the daemon runs with. With
    /// <paramref name="ownProcesses"/> (root, each connection served by a process of its own, as stock forks one)
    /// "uid"/"gid" are taken per connection as stock takes them; otherwise they may only name the daemon's own ids.
    /// </summary>
    public IReadOnlyList<string> Validate(uint euid, Func<string, uint?> userId, Func<string, uint?> groupId, uint egid,
        bool ownProcesses = false, bool canChroot = false)
    {
        bool identities = ownProcesses && euid == 0;
        bool chroots = identities && canChroot;
        var problems = new List<string>();
        foreach ((string key, string value) in _global)
            Check(problems, "global", key, value, euid, userId, groupId, egid, identities, chroots);
        foreach (DaemonModule module in Modules)
        {
            foreach ((string key, string value) in module.Values)
                Check(problems, module.Name, key, value, euid, userId, groupId, egid, identities, chroots);
            if (identities)
            {
                // clientserver.c: rsync_module starts the exec hooks before it drops to the module's user; mrsync runs
                // them from the connection's process after that.
                if ((module.PreXferExec ?? module.PostXferExec) is not null
                    && ModuleIdentity.Resolve(module, euid).Identity?.IsCurrent(euid, egid) != true)
                    problems.Add($"module [{module.Name}]: \"pre-xfer exec\" / \"post-xfer exec\" with a \"uid\"/\"gid\" other than the daemon's are not supported yet (stock runs them before it drops to the module's user)");
            }
            // clientserver.c: rsync_module — as root with no uid, stock drops to "nobody" for the connection.
            else if (euid == 0 && Str(module.Values, "uid") is null)
                problems.Add($"module [{module.Name}]: running as root, stock rsync would serve it as user nobody; mrsync cannot change user per connection: set \"uid = root\" and \"use chroot = no\" explicitly, or run mrsync daemon as an ordinary user");
            if (euid == 0 && !chroots && Str(module.Values, "usechroot") is null)
                problems.Add($"module [{module.Name}]: running as root, stock rsync would chroot into the module; only the NativeAOT mrsync can (one process per connection), this one confines paths without chroot: set \"use chroot = no\" explicitly");
        }
        return problems.Distinct().ToList();
    }

    /// <summary>
    /// True when a daemon running as <paramref name="euid"/>/<paramref name="egid"/> serves some module as another
    /// user or group (root: any module without "uid = root" and "gid = root") or, as root, chrooted: either takes a
    /// process per connection.
    /// </summary>
    public bool NeedsOwnProcesses(uint euid, uint egid) =>
        (euid == 0 && DaemonChroot is not null) || Modules.Any(m => ModuleIdentity.Resolve(m, euid).Identity?.IsCurrent(euid, egid) != true
            || (euid == 0 && ModuleEntry.UsesChroot(m)));

    private static void Check(List<string> problems, string where, string key, string value, uint euid,
        Func<string, uint?> userId, Func<string, uint?> groupId, uint egid, bool identities, bool chroots)
    {
        if (DaemonParameters.IsHonoured(key))
            return;
        string? problem = key switch
        {
            "usechroot" when chroots => null,
            "daemonchroot" when chroots => null,
            "daemonchroot" => value.Length == 0 ? null
                : "\"daemon chroot\" is supported only by the NativeAOT mrsync running as root (each connection's own process chroots, as stock's forked child does)",
            "usechroot" => IsFalse(value) ? null : "\"use chroot\" is supported only by the NativeAOT mrsync running as root (mrsync confines every path beneath the module without chroot): set \"use chroot = no\"",
            "uid" when identities => null,
            "gid" when identities => null,
            "uid" => userId(value) == euid ? null : $"\"uid = {value}\" is not supported: mrsync serves every connection as the user it runs as (uid {euid}); run it as that user instead",
            "gid" => value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) is [var g] && groupId(g) == egid ? null
                : $"\"gid = {value}\" is not supported: mrsync serves every connection with the group it runs as (gid {egid})",
            "insecurelinks" =>
                IsFalse(value) || IsUnset(value) ? null : $"\"{Spelled(key)} = {value}\" is not supported yet",
            _ => value.Length == 0 ? null : $"\"{Spelled(key)}\" is not supported yet",
        };
        if (problem is not null)
            problems.Add($"[{where}]: {problem}");
    }

    private static string Spelled(string key) => DaemonParameters.Label(key);

    private static bool IsFalse(string v) => v.Equals("no", StringComparison.OrdinalIgnoreCase)
        || v.Equals("false", StringComparison.OrdinalIgnoreCase) || v == "0";

    // loadparm.c: FN_GLOBAL_STRING / FN_LOCAL_STRING expand %VAR% as the value is read (RETURN_EXPANDED).
    // loadparm.c: set_boolean with allow_unset — "unset" or -1 leaves a BOOL3 unset.
    internal static bool IsUnset(string v) => v.Equals("unset", StringComparison.OrdinalIgnoreCase) || v == "-1";

    internal static string? Str(IReadOnlyDictionary<string, string> values, string key,
        IReadOnlyDictionary<string, string>? variables = null) =>
        values.TryGetValue(key, out string? v) && v.Length > 0 ? DaemonVariables.Expand(v, variables) : null;

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
    internal DaemonModule(string name, IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, string>? variables = null)
    {
        Name = name;
        Values = values;
        _variables = variables;
    }

    private readonly IReadOnlyDictionary<string, string>? _variables;

    internal IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>
    /// The module as one connection reads it: its strings expand %RSYNC_MODULE_NAME% and the other variables stock's
    /// rsync_module has set by then (clientserver.c: set_env_str) from <paramref name="variables"/>.
    /// </summary>
    internal DaemonModule ForConnection(IReadOnlyDictionary<string, string> variables) => new(Name, Values, variables);

    private string? Str(string key) => DaemonConfig.Str(Values, key, _variables);

    /// <summary>The section name.</summary>
    public string Name { get; }

    /// <summary>path, trailing slashes trimmed (loadparm.c: P_PATH).</summary>
    public string? Path => Str("path") is { } p ? (p.TrimEnd('/') is { Length: > 0 } t ? t : "/") : null;

    /// <summary>comment.</summary>
    public string Comment => Str("comment") ?? "";

    /// <summary>read only (default yes).</summary>
    public bool ReadOnly => DaemonConfig.Bool(Values, "readonly", true);

    /// <summary>write only (default no).</summary>
    public bool WriteOnly => DaemonConfig.Bool(Values, "writeonly", false);

    /// <summary>list (default yes).</summary>
    public bool List => DaemonConfig.Bool(Values, "list", true);

    /// <summary>uid: the user the module is served as.</summary>
    public string? Uid => Str("uid");

    /// <summary>gid: the groups the module is served with.</summary>
    public string? Gid => Str("gid");

    /// <summary>auth users.</summary>
    public string? AuthUsers => Str("authusers");

    /// <summary>secrets file.</summary>
    public string? SecretsFile => Str("secretsfile");

    /// <summary>strict modes (default yes).</summary>
    public bool StrictModes => DaemonConfig.Bool(Values, "strictmodes", true);

    /// <summary>auth digest: the weakest digest accepted.</summary>
    public string? AuthDigest => Str("authdigest");

    /// <summary>hosts allow.</summary>
    public string? HostsAllow => Str("hostsallow");

    /// <summary>hosts deny.</summary>
    public string? HostsDeny => Str("hostsdeny");

    /// <summary>reverse lookup (default yes).</summary>
    public bool ReverseLookup => DaemonConfig.Bool(Values, "reverselookup", true);

    /// <summary>max connections (0: no limit).</summary>
    public int MaxConnections => DaemonConfig.Int(Values, "maxconnections", 0);

    /// <summary>lock file (rsync.h: DEFAULT_LOCK_FILE).</summary>
    public string LockFile => Str("lockfile") ?? "/var/run/rsyncd.lock";

    /// <summary>log file.</summary>
    public string? LogFile => Str("logfile");

    /// <summary>timeout in seconds (0: none).</summary>
    public int Timeout => DaemonConfig.Int(Values, "timeout", 0);

    /// <summary>incoming chmod: rules for the modes of what a client pushes (chmod.c syntax).</summary>
    public string? IncomingChmod => Str("incomingchmod");

    /// <summary>outgoing chmod: rules for the modes of what a client pulls.</summary>
    public string? OutgoingChmod => Str("outgoingchmod");

    /// <summary>refuse options.</summary>
    public string? RefuseOptions => Str("refuseoptions");

    /// <summary>filter.</summary>
    public string? Filter => Str("filter");

    /// <summary>include.</summary>
    public string? Include => Str("include");

    /// <summary>exclude.</summary>
    public string? Exclude => Str("exclude");

    /// <summary>include from.</summary>
    public string? IncludeFrom => Str("includefrom");

    /// <summary>exclude from.</summary>
    public string? ExcludeFrom => Str("excludefrom");

    /// <summary>use chroot: yes, no, or null when unset (daemon-parm.txt: BOOL3).</summary>
    public bool? UseChroot => Values.ContainsKey("usechroot") && !DaemonConfig.IsUnset(Values["usechroot"])
        ? DaemonConfig.Bool(Values, "usechroot", true) : null;

    /// <summary>
    /// munge symlinks: unset means yes for a module that is not chrooted, or chrooted with an inner module directory
    /// (clientserver.c: rsync_module, "munge_symlinks = !use_chroot || module_dirlen").
    /// </summary>
    public bool MungeSymlinksWhen(bool chrooted, string root) =>
        Values.TryGetValue("mungesymlinks", out string? v) && !DaemonConfig.IsUnset(v)
            ? DaemonConfig.Bool(Values, "mungesymlinks", true) : !chrooted || root != "/";

    /// <summary>
    /// numeric ids: unset means yes in a chroot (where the names of the host are not to be seen) and no otherwise
    /// (clientserver.c: rsync_module, "use_chroot ? lp_numeric_ids != False, unless a name converter is set; else == True").
    /// </summary>
    public bool NumericIdsWhen(bool chrooted) =>
        Values.TryGetValue("numericids", out string? v) && !DaemonConfig.IsUnset(v)
            ? DaemonConfig.Bool(Values, "numericids", false) && (!chrooted || NameConverter is null)
            : chrooted && NameConverter is null;


    /// <summary>open noatime: unset (null) leaves it to the client's --open-noatime (loadparm.c: open_noatime = -1).</summary>
    public bool? OpenNoAtime =>
        Values.TryGetValue("opennoatime", out string? v) && !DaemonConfig.IsUnset(v) ? DaemonConfig.Bool(Values, "opennoatime", false) : null;

    /// <summary>
    /// dont compress has the word "*" (token.c: init_set_compression splits it at spaces; any other word matters only
    /// to the compiled-out per-file choice).
    /// </summary>
    public bool DontCompressAll => (Str("dontcompress") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("*");

    /// <summary>max verbosity (default 1, loadparm.c): the cap on a connection's --info levels.</summary>
    public int MaxVerbosity => DaemonConfig.Int(Values, "maxverbosity", 1);

    /// <summary>ignore errors (default no).</summary>
    public bool IgnoreErrors => DaemonConfig.Bool(Values, "ignoreerrors", false);

    /// <summary>ignore nonreadable (default no): a pull's list leaves out what the daemon cannot read (flist.c: make_file).</summary>
    public bool IgnoreNonreadable => DaemonConfig.Bool(Values, "ignorenonreadable", false);

    /// <summary>fake super: am_root -1 for the module's transfers (clientserver.c: rsync_module).</summary>
    public bool FakeSuper => DaemonConfig.Bool(Values, "fakesuper", false);

    /// <summary>pre-xfer exec: a shell command run before the transfer, which can refuse it.</summary>
    // As written: XferExec.Expand expands it for the shell, with the connection's variables quoted.
    public string? PreXferExec => Raw("pre-xferexec");

    /// <summary>early exec: a shell command run before "@RSYNCD: OK" with the client's --early-input as its stdin.</summary>
    public string? EarlyExec => Raw("earlyexec");

    /// <summary>name converter: a program that answers the daemon's id and name lookups (uidlist.c: namecvt_call).</summary>
    public string? NameConverter => Raw("nameconverter");

    /// <summary>post-xfer exec: a shell command run after the connection ends.</summary>
    public string? PostXferExec => Raw("post-xferexec");

    // A shell hook's text with its %VAR% still in it: XferExec.Expand expands it as stock does for a shell.
    private string? Raw(string key) => Values.TryGetValue(key, out string? v) && v.Length > 0 ? v : null;

    /// <summary>temp dir.</summary>
    public string? TempDir => Str("tempdir");

    /// <summary>transfer logging: each entry sent, received or deleted gets a line in the log file (default no).</summary>
    public bool TransferLogging => DaemonConfig.Bool(Values, "transferlogging", false);

    /// <summary>log format: the line of transfer logging (daemon-parm.txt: "%o %h [%a] %m (%u) %f %l").</summary>
    public string LogFormat => Values.TryGetValue("logformat", out string? f) ? f : "%o %h [%a] %m (%u) %f %l";
}
