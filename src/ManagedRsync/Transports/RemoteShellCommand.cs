using System.Net.Sockets;
using System.Text;
using ManagedRsync.Session;

namespace ManagedRsync.Transports;

/// <summary>
/// The argument vector of the remote-shell process (rsync main.c: do_cmd): the -e command split into words, "-l USER",
/// "-4"/"-6" for ssh, the host, the rsync path, then the server's words up to where -s ends them.
/// </summary>
internal static class RemoteShellCommand
{
    /// <summary>
    /// The server's words for a daemon reached through the shell (rsync main.c: do_cmd with daemon_connection: the
    /// daemon protocol then runs over the shell's pipes; the transfer's own arguments go in-band after the module).
    /// </summary>
    public static readonly IReadOnlyList<string> DaemonServerWords = ["--server", "--daemon", "."];

    /// <summary>
    /// The whole vector, program first. <paramref name="daemonConnection"/>: the far side is a daemon
    /// (<see cref="DaemonServerWords"/>), which changes when "-l USER" is added.
    /// </summary>
    public static List<string> Build(RemoteShell shell, IReadOnlyList<string> serverWords, bool daemonConnection = false)
    {
        List<string> argv = Split(shell.Command);
        // An empty command leaves the host (or "-l") as the program, as in stock.
        string program = argv.Count == 0 ? "" : argv[0][(argv[0].LastIndexOf('/') + 1)..];
        // rsync main.c: do_cmd: for a daemon over a remote shell, a "-l NAME" already among the command's words (NAME
        // not starting with '-') keeps USER@ for the daemon's login only; a plain remote shell always gets "-l USER".
        bool dashLSet = daemonConnection && Enumerable.Range(0, Math.Max(0, argv.Count - 1))
            .Any(i => argv[i] == "-l" && !argv[i + 1].StartsWith('-'));
        if (shell.User is { } user && !dashLSet)
        {
            argv.Add("-l");
            argv.Add(user);
        }
        // do_cmd compares the command's last path component with "ssh" before adding -4/-6.
        if (program == "ssh" && shell.AddressFamily == AddressFamily.InterNetwork)
            argv.Add("-4");
        else if (program == "ssh" && shell.AddressFamily == AddressFamily.InterNetworkV6)
            argv.Add("-6");
        argv.Add(shell.Host);
        argv.Add(shell.RsyncPath);
        argv.AddRange(serverWords);
        return argv;
    }

    /// <summary>
    /// Splits the -e command as do_cmd does: words end at spaces (only spaces) outside quotes; a single or double quote
    /// starts a quoted run ended by the same quote, inside which a doubled quote stands for one. There is no backslash
    /// escaping. An unclosed quote is "Missing trailing-' in remote-shell command." (RERR_SYNTAX).
    /// </summary>
    public static List<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char quote = '\0';
        int i = 0;
        while (i < command.Length)
        {
            if (command[i] == ' ')
            {
                i++;
                continue;
            }
            word.Clear();
            for (; i < command.Length && (command[i] != ' ' || quote != '\0'); i++)
            {
                char c = command[i];
                if (c is '\'' or '"')
                {
                    if (quote == '\0')
                    {
                        quote = c;
                        continue;
                    }
                    if (c == quote)
                    {
                        if (i + 1 < command.Length && command[i + 1] == quote)
                        {
                            word.Append(c);
                            i++;
                            continue;
                        }
                        quote = '\0';
                        continue;
                    }
                }
                word.Append(c);
            }
            if (quote != '\0')
                throw new RsyncException(RsyncErrorKind.Usage, $"Missing trailing-{quote} in remote-shell command.");
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>The quoting of the server's words for <paramref name="shell"/> (rsync options.c: safe_arg's settings).</summary>
    public static SafeArgument Quoting(RemoteShell shell, TransferOptions options, bool pull) =>
        new(shell.SecludedArgs, shell.OldArgs, TrustSender: shell.OldArgs > 0, ClientSends: !pull, options.Relative);
}
