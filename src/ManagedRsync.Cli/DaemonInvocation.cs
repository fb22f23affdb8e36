using ManagedRsync.Daemon;

namespace ManagedRsync.Cli;

/// <summary>
/// A command line that talks to a daemon, resolved: the parsed options, the daemon address, which paths are
/// remote and which local, and how to open the module (user, password, MOTD printing). Push and pull start here.
/// </summary>
internal sealed class DaemonInvocation(RsyncOptions options, DaemonAddress address, CliContext context)
{
    public RsyncOptions Options { get; } = options;

    /// <summary>The daemon address (of the first remote path).</summary>
    public DaemonAddress Address { get; } = address;

    public CliContext Context { get; } = context;

    /// <summary>The remote paths as rsync sends them to the daemon (<c>module/path</c>), in order.</summary>
    public List<string> RemotePaths { get; } = [];

    /// <summary>Local sources (push) or the local destination (pull; at most one).</summary>
    public List<string> LocalPaths { get; } = [];

    /// <summary>The auth user: <c>USER@</c> of the address, else $USER, else $LOGNAME (rsync clientserver.c).</summary>
    public string? User =>
        Address.User ?? Context.GetEnvironmentVariable("USER") ?? Context.GetEnvironmentVariable("LOGNAME");

    public DaemonConnectOptions ConnectOptions(Action<string>? serverLine = null) =>
        DaemonConnectOptions.For(Address, Options) with { ServerLine = serverLine ?? PrintServerLine };

    /// <summary>The password, read only when the daemon asks (rsync authenticate.c: auth_client).</summary>
    public string? GetPassword() => PasswordSource.Get(Options.PasswordFile, Context);

    /// <summary>
    /// Connects, opens <see cref="Address"/>'s module with <see cref="User"/> and the password, and sends
    /// <paramref name="serverArgs"/> (rsync's server_options(), then ".", then <see cref="RemotePaths"/>).
    /// </summary>
    public async Task<DaemonSession> OpenModuleAsync(IReadOnlyList<string> serverArgs, CancellationToken ct)
    {
        var session = await DaemonSession.ConnectAsync(ConnectOptions(), ct).ConfigureAwait(false);
        try
        {
            await session.StartModuleAsync(Address.Module, User, GetPassword, serverArgs, ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // MOTD and listing lines go to stdout unless --no-motd (rsync clientserver.c: output_motd), as FINFO, which -q
    // silences (log.c: rwrite).
    private void PrintServerLine(string line)
    {
        if (Options.Motd && !Options.Quiet)
        {
            Context.Out.WriteLine(line);
        }
    }
}
