using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

/// <summary>
/// <c>RSYNC_CONNECT_PROG</c>: instead of a TCP connection to the daemon, a program run by the shell whose stdin and
/// stdout are one end of a connected socket (rsync socket.c: open_socket_out_wrapped, sock_exec). rsync's own testsuite
/// reaches its daemons this way (<c>rsync --config=F --daemon</c> serves the socket in inetd mode), and so do custom
/// transports. <c>%H</c> in the command is the daemon host, shell-quoted, and <c>%%</c> a single <c>%</c>.
/// </summary>
internal static class ConnectProgram
{
    /// <summary>
    /// The command the shell runs: <paramref name="program"/> with <c>%H</c> and <c>%%</c> replaced (only when it has a
    /// <c>%</c>, as stock); a host that a nested shell could read as syntax is refused.
    /// </summary>
    /// <exception cref="RsyncException">"unsafe host characters for RSYNC_CONNECT_PROG" (exit 10).</exception>
    public static string Command(string program, string host)
    {
        if (!program.Contains('%'))
            return program;
        if (IsUnsafeHost(host))
            throw new RsyncException(RsyncErrorKind.Connection, "unsafe host characters for RSYNC_CONNECT_PROG");
        string quoted = "'" + host.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = new StringBuilder(program.Length + quoted.Length);
        for (int i = 0; i < program.Length; i++)
        {
            if (program[i] == '%' && i + 1 < program.Length && program[i + 1] == '%')
            {
                command.Append('%');
                i++;
            }
            else if (program[i] == '%' && i + 1 < program.Length && program[i + 1] == 'H')
            {
                command.Append(quoted);
                i++;
            }
            else
            {
                command.Append(program[i]); // any other '%' passes through
            }
        }
        return command.ToString();
    }

    /// <summary>
    /// Starts <paramref name="command"/> through the shell (<c>$RSYNC_SHELL -c</c> when set, even empty, else
    /// <c>/bin/sh -c</c>, as main.c: shell_exec) with one end of a socket pair as its stdin and stdout; its stderr is
    /// ours. Returns our end. The program is reaped when it exits; its status is not taken (stock does not wait for it).
    /// </summary>
    /// <exception cref="RsyncException">The socket pair or the shell could not be made (exit 10 / 14).</exception>
    public static Stream Start(string command)
    {
        Span<int> pair = stackalloc int[2];
        if (Interop.SocketPair(Interop.AF_UNIX, Interop.SOCK_STREAM | Interop.SOCK_CLOEXEC, 0, pair) != 0)
        {
            int err = Marshal.GetLastPInvokeError();
            throw new RsyncException(RsyncErrorKind.Connection, $"socketpair_tcp failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
        }
        int ours = pair[0], theirs = pair[1];
        try
        {
            // Both ends are close-on-exec, so no other child inherits them; dup2 onto 0 and 1 clears the flag there.
            int pid = Spawn(["/bin/sh", "-c",
                "if [ -n \"${RSYNC_SHELL+set}\" ]; then exec \"$RSYNC_SHELL\" -c \"$1\"; else exec /bin/sh -c \"$1\"; fi",
                "sh", command], theirs);
            var reaper = new Thread(() => Interop.WaitPid(pid, out _, 0)) { IsBackground = true, Name = "RSYNC_CONNECT_PROG reaper" };
            reaper.Start();
        }
        catch
        {
            Interop.Close(ours);
            throw;
        }
        finally
        {
            Interop.Close(theirs);
        }
        return new QuickAckNetworkStream(new Socket(new SafeSocketHandle(ours, ownsHandle: true)));
    }

    private static int Spawn(string[] argv, int socket)
    {
        int pid = SocketChildProcess.Start(argv, socket, out int err);
        if (pid == 0)
            throw new RsyncException(RsyncErrorKind.ProcessFailed,
                $"Failed to run \"{argv[^1]}\": {Marshal.GetPInvokeErrorMessage(err)} ({err})");
        return pid;
    }

    // socket.c: shell_unsafe_connect_host — letters, digits and "._:-%+~" only, not empty, and not starting with one
    // of "-+~%", which change an argument's meaning (an option, a tilde expansion) whatever the quoting.
    private static bool IsUnsafeHost(string host)
    {
        if (host.Length == 0 || "-+~%".Contains(host[0]))
            return true;
        foreach (char c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "._:-%+~".Contains(c)))
                return true;
        }
        return false;
    }
}
