namespace ManagedRsync.DaemonServer;

/// <summary>
/// How `mrsync daemon` was started (rsync options.c: the --daemon options): the config file, -M parameters, and the
/// command line's --port / --address / --log-file, which win over the config's.
/// </summary>
public sealed record DaemonOptions
{
    /// <summary>rsync rsync.h: RSYNCD_SYSCONF.</summary>
    public const string DefaultConfigFile = "/etc/rsyncd.conf";

    /// <summary>rsync.h: RSYNCD_USERCONF, in the working directory.</summary>
    public const string UserConfigFile = "rsyncd.conf";

    /// <summary>
    /// The config a daemon over a remote shell reads without --config (clientserver.c: load_config): an ordinary
    /// user's "rsyncd.conf" in the directory the shell starts in (the home), root's the system one.
    /// </summary>
    public static string RemoteShellConfigFile => Platform.Interop.GetEffectiveUserId() == 0 ? DefaultConfigFile : UserConfigFile;

    /// <summary>--config.</summary>
    public string ConfigFile { get; init; } = DefaultConfigFile;

    /// <summary>-M / --dparam PARAM=VALUE, applied at the end of the global section.</summary>
    public IReadOnlyList<string> ConfigParameters { get; init; } = [];

    /// <summary>--port (wins over "port").</summary>
    public int? Port { get; init; }

    /// <summary>--address (wins over "address").</summary>
    public string? Address { get; init; }

    /// <summary>--log-file (wins over every "log file").</summary>
    public string? LogFile { get; init; }

    /// <summary>Receives the config parser's warnings (unknown parameters), as rsync logs them.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>
    /// The command (executable first) that serves one connection on its stdin/stdout, as inetd would start it: the
    /// listener of a daemon running as root starts it for every connection when some module is served as another
    /// user or group (stock forks a child per connection, which takes the module's uid/gid). Null: every connection is
    /// served in this process, and a "uid"/"gid" other than the daemon's own is refused at start.
    /// </summary>
    public IReadOnlyList<string>? ConnectionCommand { get; init; }

    /// <summary>
    /// This process serves one connection only (inetd, a remote shell, or a listener's <see cref="ConnectionCommand"/>):
    /// as root it takes the module's "uid"/"gid" as stock's per-connection child does.
    /// </summary>
    public bool OwnProcess { get; init; }

    internal DaemonConfig LoadConfig() => DaemonConfigParser.Load(ConfigFile, ConfigParameters, Warn);
}
