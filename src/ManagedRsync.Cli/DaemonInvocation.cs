using ManagedRsync.Cli.Commands;
using ManagedRsync.Daemon;
using ManagedRsync.Transports;

namespace ManagedRsync.Cli;

/// <summary>
/// A command line that talks to a daemon, resolved: the parsed options, the daemon address, which paths are remote
/// and which local, and what the library needs to log in (connect options, user, password). Push and pull start here.
/// </summary>
internal sealed class DaemonInvocation(RsyncOptions options, DaemonAddress address, CliContext context)
{
    public RsyncOptions Options { get; } = options;

    /// <summary>The daemon address (of the first remote path).</summary>
    public DaemonAddress Address { get; } = address;

    public CliContext Context { get; } = context;

    /// <summary>The remote shell the daemon is reached through (-e with a daemon address), or null for TCP.</summary>
    public RemoteShell? Shell { get; init; }

    /// <summary>The remote paths as rsync sends them to the daemon (<c>module/path</c>), in order.</summary>
    public List<string> RemotePaths { get; } = [];

    /// <summary>Local sources (push) or the local destination (pull; at most one).</summary>
    public List<string> LocalPaths { get; } = [];

    /// <summary>The auth user: <c>USER@</c> of the address, else $USER, else $LOGNAME (rsync clientserver.c).</summary>
    public string? User =>
        Address.User ?? Context.GetEnvironmentVariable("USER") ?? Context.GetEnvironmentVariable("LOGNAME");

    /// <summary>
    /// How to reach the daemon: --port, --address, -4/-6, --contimeout, --timeout, --protocol, and from the environment
    /// $RSYNC_PROXY and $RSYNC_CONNECT_PROG (rsync socket.c reads both at each connection; set but empty, the proxy
    /// is off and the program is run as it is), -s as it settles with $RSYNC_PROTECT_ARGS and $RSYNC_OLD_ARGS, and
    /// --sockopts.
    /// </summary>
    public DaemonConnectOptions Connection => Options.ConnectOptionsFor(Address) with
    {
        Proxy = Context.GetEnvironmentVariable("RSYNC_PROXY"),
        ConnectProgram = Context.GetEnvironmentVariable("RSYNC_CONNECT_PROG"),
        SecludedArgs = RsyncCommand.ArgumentStyle(Options, Context).Secluded,
        SocketOptions = Options.SocketOptions,
        SocketOptionProblem = line => Context.Error.WriteLine(line),
        // A push names the daemon last; a pull or a listing first.
        Role = DaemonAddress.TryParse(Options.Args[0], out _) ? "Receiver" : "sender",
    };

    /// <summary>The password, read only when the daemon asks (rsync authenticate.c: auth_client).</summary>
    public string? GetPassword() => PasswordPrompt.Get(Options.PasswordFile, Context);
}
