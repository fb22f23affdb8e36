using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Modules with the rsyncd.conf parameters of <see cref="ModuleParameterTests"/>, served by stock rsync and by mrsync
/// from the same generated config. The pre-/post-xfer commands write the RSYNC_ variables they see beside the config
/// (pre-env.MODULE, post-env.MODULE) and the pre-xfer one fails while the module holds a file called "refuse".
/// </summary>
public static class ParameterModules
{
    public const string Munge = "munge";
    public const string Plain = "plain";
    public const string Numeric = "numeric";
    public const string IgnoreErrors = "ignerr";
    public const string Exec = "exec";
    public const string TransferLog = "xferlog";
    public const string TransferLogItemized = "xferlogi";
    public const string Filtered = "filtered";

    /// <summary>"early exec": the command writes its variables and stdin beside the config; fails while the module holds "refuse".</summary>
    public const string Early = "early";

    /// <summary>"name converter": answers "convname" for any id, 4242 for "convname", 4343 for any other name.</summary>
    public const string Converter = "conv";

    /// <summary>Transfer logging with %C (rsync's testsuite: scanner-daemon-log-checksum), %i for every entry.</summary>
    public const string TransferLogChecksum = "xferlogc";

    /// <summary>Transfer logging with %b and %c: the bytes of each file's transfer.</summary>
    public const string TransferLogBytes = "xferlogb";

    /// <summary>A log format with every escape both daemons fill alike (not %p, %t, %P, which differ by nature).</summary>
    public const string ItemizedLogFormat = "%i %h [%a] %m (%u) %o %l %'l %10n| %-8B %U %G %M %f%L";
    public const string DontCompress = "nocomp";
    public const string Glob = "glob";
    public const string HookQuoting = "hookq";
    public const string IncomingChmod = "inchmod";
    public const string OutgoingChmod = "outchmod";
    public const string BadChmod = "badchmod";
    public const string FakeSuper = "fakesuper";
    public const string XattrFiltered = "xfiltered";

    /// <summary>"timeout = 300": a daemon tells a protocol-31 client its timeout (main.c: start_server, MSG_IO_TIMEOUT).</summary>
    public const string Timed = "timed";

    /// <summary>
    /// The global "socket options" both daemons are started with: settable ones, one that takes no value given one,
    /// and an unknown name (socket.c: set_socket_options reports those and goes on).
    /// </summary>
    public static readonly IReadOnlyList<string> GlobalLines = ["socket options = SO_KEEPALIVE SO_RCVBUF=65536,TCP_NODELAY NOSUCHOPT"];

    /// <summary>A user name that is shell syntax (command substitution), and one that is not, for <see cref="HookQuoting"/>.</summary>
    public const string HostileUser = "$(touch${IFS}HOOKMARK)x", BenignUser = "alice.b-1_x", HookPassword = "pw";

    public static readonly IReadOnlyList<DaemonModule> All =
    [
        new(Munge, Comment: "munge symlinks", Extra: ["munge symlinks = yes"]),
        new(Plain, Comment: "no munging, no chroot: sanitized"),
        new(Numeric, Comment: "numeric ids", Extra: ["numeric ids = yes"]),
        new(IgnoreErrors, Comment: "ignore errors", Extra: ["ignore errors = yes"]),
        new(Exec, Comment: "pre/post-xfer exec", Extra: ["pre-xfer exec = {root}/pre-xfer.sh", "post-xfer exec = {root}/post-xfer.sh"]),
        new(TransferLog, Comment: "transfer logging, default format", Extra: ["transfer logging = yes"]),
        new(TransferLogItemized, Comment: "transfer logging with %i", Extra: ["transfer logging = yes", "log format = " + ItemizedLogFormat]),
        new(Early, Comment: "early exec", Extra: ["early exec = {root}/early.sh %RSYNC_MODULE_NAME%"]),
        new(Converter, Comment: "name converter", Extra: ["name converter = {root}/conv.sh", "numeric ids = no"]),
        new(TransferLogBytes, Comment: "transfer logging with %b and %c", Extra: ["transfer logging = yes", "log format = %i %o %b %c %f"]),
        new(TransferLogChecksum, Comment: "transfer logging with %C", Extra: ["transfer logging = yes", "log format = %i %o [%C] %f %l"]),
        new(Filtered, Comment: "writable, with the module's own rules", Extra: ["exclude = ? foobar.baz *.tmp /secret/", "filter = - locked/"]),
        new(DontCompress, Comment: "dont compress", Extra: ["dont compress = * *.txt *.[gx]z"]),
        new(Glob, Comment: "wildcards in pulled paths", ReadOnly: true, Extra: ["exclude = secret*"]),
        // %RSYNC_*% in each quoting a command can have (unquoted, '...', "...", a ' inside "...", a second shell),
        // %RSYNC_PID% (not set yet when stock first reads the command) and a variable of the daemon's own environment.
        new(IncomingChmod, Comment: "incoming chmod", Extra: ["incoming chmod = Fu+x,g-w,o=r,Dg+s,Do-rwx"]),
        new(OutgoingChmod, Comment: "outgoing chmod", Extra: ["outgoing chmod = F-x,o-rwx,Dg-w", "incoming chmod = Fa+w"]),
        // chmod.c: parse_chmod refuses "g=ur" (a "who" letter after a permission): logged, nothing applied.
        new(BadChmod, Comment: "malformed incoming chmod", Extra: ["incoming chmod = g=ur"]),
        // clientserver.c: rsync_module sets am_root = -1 (xattrs.c: set_stat_xattr, get_stat_xattr).
        new(FakeSuper, Comment: "fake super", Extra: ["fake super = yes"]),
        // exclude.c: name_is_excluded checks daemon_filter_list for xattr names too; "-x NAME" is one rule, its
        // modifier straight after the short name (parse_rule_tok).
        new(XattrFiltered, Comment: "xattr rules", Extra: ["filter = -x user.secret +,x user.kept* -x user.k*"]),
        new(Timed, Comment: "module timeout", Extra: ["timeout = 300"]),
        new(HookQuoting, Comment: "exec hook quoting", Extra:
        [
            "auth users = *", "secrets file = {root}/hook.secrets",
            "pre-xfer exec = printf '[%s]' %RSYNC_USER_NAME% '%RSYNC_MODULE_NAME%' \"%RSYNC_USER_NAME%\" \"it's %RSYNC_MODULE_NAME%\" %RSYNC_PID% %HOOKQ_PLAIN% >{root}/hookq.out; sh -c 'printf [%s] %RSYNC_USER_NAME%' >>{root}/hookq.out",
        ]),
    ];

    internal static void WriteScripts(string root)
    {
        string secrets = Path.Combine(root, "hook.secrets");
        File.WriteAllText(secrets, $"{HostileUser}:{HookPassword}\n{BenignUser}:{HookPassword}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(Path.Combine(root, "pre-xfer.sh"), """
            #!/bin/sh
            env | grep '^RSYNC_' | sort > "$(dirname "$0")/pre-env.$RSYNC_MODULE_NAME"
            if [ -e "$RSYNC_MODULE_PATH/refuse" ]; then
                echo "refused by the pre-xfer exec"
                printf 'second line\r\n'
                exit 3
            fi
            echo "not shown when it succeeds"
            """);
        Write(Path.Combine(root, "early.sh"), """
            #!/bin/sh
            out="$(dirname "$0")/early.$1"
            env | grep '^RSYNC_' | sort > "$out"
            echo "stdin:" >> "$out"
            cat >> "$out"
            [ -e "$RSYNC_MODULE_PATH/refuse" ] && exit 3
            exit 0
            """);
        Write(Path.Combine(root, "conv.sh"), """
            #!/bin/sh
            dir="$(dirname "$0")"
            env | grep '^RSYNC_' | sort > "$dir/conv-env.$RSYNC_MODULE_NAME"
            while IFS= read -r line; do
                printf '%s\n' "$line" >> "$dir/conv-req.$RSYNC_MODULE_NAME"
                case "$line" in
                    "uid "*|"gid "*) echo convname ;;
                    "usr convname"|"grp convname") echo 4242 ;;
                    *) echo 4343 ;;
                esac
            done
            """);
        Write(Path.Combine(root, "post-xfer.sh"), """
            #!/bin/sh
            out="$(dirname "$0")/post-env.$RSYNC_MODULE_NAME"
            env | grep '^RSYNC_' | sort > "$out.tmp" && mv "$out.tmp" "$out"
            """);
    }

    private static void Write(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }
}

public sealed class StockParameterDaemonFixture : RsyncDaemonFixture
{
    public StockParameterDaemonFixture() => ParameterModules.WriteScripts(Root);

    protected override IReadOnlyList<DaemonModule> Modules => ParameterModules.All;

    protected override IEnumerable<string> GlobalLines => ParameterModules.GlobalLines;
}

public sealed class MrsyncParameterDaemonFixture : RsyncDaemonFixture
{
    public MrsyncParameterDaemonFixture() => ParameterModules.WriteScripts(Root);

    public override string DaemonPath => MrsyncDaemonFixture.Executable;

    protected override IReadOnlyList<DaemonModule> Modules => ParameterModules.All;

    protected override IEnumerable<string> GlobalLines => ParameterModules.GlobalLines;
}

[CollectionDefinition(Name)]
public sealed class ModuleParameterCollection : ICollectionFixture<StockParameterDaemonFixture>, ICollectionFixture<MrsyncParameterDaemonFixture>
{
    public const string Name = "module parameters: stock daemon beside mrsync daemon";
}
