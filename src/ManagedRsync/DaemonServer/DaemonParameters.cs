namespace ManagedRsync.DaemonServer;

/// <summary>
/// rsyncd.conf's parameters as rsync 3.5.0 knows them (daemon-parm.txt, loadparm.c: parm_table), keyed by the name
/// without case or white space, and which of them mrsync's daemon honours. A known parameter that mrsync does not
/// honour is refused at start with its name (<see cref="DaemonConfig.Validate"/>), never ignored; an unknown one is
/// warned about and ignored, as rsync does.
/// </summary>
internal static class DaemonParameters
{
    // Globals (daemon-parm.txt "Globals"): only in the global section. Labels as rsync spells them.
    private static readonly string[] s_globalLabels =
    [
        "address", "daemon chroot", "daemon gid", "daemon uid", "motd file", "pid file", "proxy protocol hosts",
        "socket options", "listen backlog", "port", "proxy protocol",
    ];

    // Module parameters (daemon-parm.txt "Locals").
    private static readonly string[] s_localLabels =
    [
        "auth digest", "auth users", "charset", "comment", "dont compress", "early exec", "exclude", "exclude from",
        "filter", "gid", "hosts allow", "hosts deny", "include", "include from", "incoming chmod", "lock file",
        "log file", "log format", "name", "name converter", "outgoing chmod", "post-xfer exec", "pre-xfer exec",
        "refuse options", "secrets file", "syslog tag", "uid", "path", "temp dir", "max connections", "max verbosity",
        "timeout", "syslog facility", "fake super", "forward lookup", "ignore errors", "ignore nonreadable",
        "insecure links", "list", "read only", "reverse lookup", "strict modes", "transfer logging", "write only",
        "munge symlinks", "numeric ids", "open noatime", "use chroot",
    ];

    private static readonly Dictionary<string, string> s_labels =
        s_globalLabels.Concat(s_localLabels).ToDictionary(DaemonConfigParser.NameKey, l => l);

    private static readonly HashSet<string> s_globals = s_globalLabels.Select(DaemonConfigParser.NameKey).ToHashSet();

    // daemon-parm.txt aliases: "bind address|address", "rsync port|port".
    private static readonly Dictionary<string, string> s_aliases = new()
    {
        ["bindaddress"] = "address",
        ["rsyncport"] = "port",
    };

    /// <summary>
    /// What mrsync honours exactly as rsync does, whatever the value (the others are accepted only with the values
    /// <see cref="DaemonConfig.Validate"/> names, e.g. "use chroot = no"). "dont compress" among them: rsync 3.5.0
    /// reads only whether it has the word "*" (token.c: init_set_compression: zlib's level then the least, stored
    /// blocks; <see cref="DaemonModule.DontCompressAll"/>); its per-file suffix choice is compiled out with "#if 0" (no
    /// codec can change its level mid-stream), so every other value compresses as the client asked.
    /// </summary>
    private static readonly HashSet<string> s_honoured =
    [
        "address", "port", "pidfile", "listenbacklog", "motdfile", "path", "comment", "readonly", "writeonly", "list",
        "authusers", "secretsfile", "strictmodes", "authdigest", "hostsallow", "hostsdeny", "reverselookup",
        "forwardlookup", "maxconnections", "lockfile", "logfile", "timeout", "refuseoptions", "filter", "include",
        "exclude", "includefrom", "excludefrom", "maxverbosity", "name", "syslogtag", "syslogfacility", "logformat",
        "tempdir", "mungesymlinks", "numericids", "ignoreerrors", "pre-xferexec", "post-xferexec", "transferlogging",
        "ignorenonreadable", "dontcompress", "incomingchmod", "outgoingchmod", "socketoptions", "proxyprotocol", "earlyexec", "nameconverter",
        "proxyprotocolhosts", "fakesuper", "opennoatime",
    ];

    // daemon-parm.txt: the INTEGER, ENUM, BOOL and BOOL3 parameters; every other one is a STRING or PATH.
    private static readonly HashSet<string> s_notStrings =
    [
        "listenbacklog", "port", "proxyprotocol", "maxconnections", "maxverbosity", "timeout", "syslogfacility",
        "fakesuper", "forwardlookup", "ignoreerrors", "ignorenonreadable", "insecurelinks", "list", "readonly",
        "reverselookup", "strictmodes", "transferlogging", "writeonly", "mungesymlinks", "numericids", "opennoatime",
        "usechroot",
    ];

    /// <summary>
    /// loadparm.c: do_parameter — a STRING or PATH keeps its %VAR% until it is read; the others are expanded as the
    /// file is read.
    /// </summary>
    public static bool ExpandsWhenRead(string key) => !s_notStrings.Contains(key);

    public static bool IsKnown(string key) => s_labels.ContainsKey(key) || s_aliases.ContainsKey(key);

    /// <summary>The parameter's name as rsync's documentation spells it.</summary>
    public static string Label(string key) => s_labels.TryGetValue(key, out string? l) ? l : key;

    public static string Canonical(string key) => s_aliases.TryGetValue(key, out string? c) ? c : key;

    public static bool IsGlobalOnly(string key) => s_globals.Contains(Canonical(key));

    public static bool IsHonoured(string key) => s_honoured.Contains(key);
}
