using System.Net.Sockets;

namespace ManagedRsync.Transports;

/// <summary>
/// How to start the rsync server on another host, as <c>rsync -e COMMAND [USER@]HOST:PATH</c> does (rsync main.c:
/// do_cmd): the remote-shell command, split into words as rsync splits it, then <c>-l USER</c>, the host, the rsync
/// program on the far side and the server's arguments. The command runs once per transfer, so the user's ssh setup
/// (config, agent, known_hosts, ProxyJump, ControlMaster) applies as it does for stock rsync.
/// </summary>
public sealed record RemoteShell
{
    /// <summary>
    /// The remote-shell command (-e/--rsh): words split at spaces, with single or double quotes grouping and a doubled
    /// quote inside quotes standing for itself. rsync falls back to $RSYNC_RSH and then "ssh"; a command line does that
    /// before it gets here.
    /// </summary>
    public string Command { get; init; } = "ssh";

    /// <summary>The host, without brackets for an IPv6 literal.</summary>
    public required string Host { get; init; }

    /// <summary>USER@ of the address: passed as "-l USER" after the command's own words.</summary>
    public string? User { get; init; }

    /// <summary>--rsync-path: the program (or shell text) run on the far side, as written.</summary>
    public string RsyncPath { get; init; } = "rsync";

    /// <summary>-4 / -6: passed on to the command when it is ssh (rsync main.c: do_cmd adds "-4"/"-6" for ssh).</summary>
    public AddressFamily AddressFamily { get; init; } = AddressFamily.Unspecified;

    /// <summary>-s / --secluded-args: only the server's first words go on the remote command line, the rest on the connection.</summary>
    public bool SecludedArgs { get; init; }

    /// <summary>--old-args, counted: 1 leaves file names unescaped for the remote shell to split, 2 option values too.</summary>
    public int OldArgs { get; init; }
}
