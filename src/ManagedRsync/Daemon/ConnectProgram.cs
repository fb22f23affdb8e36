using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

/// <summary>
/// <c>RSYNC_CONNECT_PROG</c>: instead of a TCP connection to the daemon, a program run by the shell whose stdin and
/// stdout are one end of a loopback TCP connection (rsync socket.c: open_socket_out_wrapped, sock_exec, socketpair_tcp). rsync's own testsuite
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
        (Socket ours, Socket theirs) = LoopbackPair();
        try
        {
            // Both ends are close-on-exec (.NET opens every socket so), so no other child inherits them; dup2 onto 0
            // and 1 clears the flag there.
            int pid = Spawn(["/bin/sh", "-c",
                "if [ -n \"${RSYNC_SHELL+set}\" ]; then exec \"$RSYNC_SHELL\" -c \"$1\"; else exec /bin/sh -c \"$1\"; fi",
                "sh", command], (int)theirs.SafeHandle.DangerousGetHandle());
            var reaper = new Thread(() => Interop.WaitPid(pid, out _, 0)) { IsBackground = true, Name = "RSYNC_CONNECT_PROG reaper" };
            reaper.Start();
        }
        catch
        {
            ours.Dispose();
            throw;
        }
        finally
        {
            theirs.Dispose();
        }
        return new QuickAckNetworkStream(ours);
    }

    /// <summary>
    /// A connected pair of TCP sockets on 127.0.0.1 (socket.c: socketpair_tcp), not a Unix socket pair: a daemon run
    /// as the program serves its stdin in inetd mode and takes the peer's address from it, so its "hosts allow" sees
    /// 127.0.0.1 as with stock's client. The accepted connection must be the one we made (its peer our connecting
    /// end's address), else a local process raced in on the listener and the pair is refused.
    /// </summary>
    private static (Socket Ours, Socket Theirs) LoopbackPair()
    {
        var theirs = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Socket? ours = null;
        try
        {
            using (var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(1);
                theirs.Connect(listener.LocalEndPoint!);
                // socket.c: SOCKETPAIR_ACCEPT_TIMEOUT bounds the wait for our own connection.
                if (!listener.Poll(TimeSpan.FromSeconds(60), SelectMode.SelectRead))
                    throw new SocketException((int)SocketError.TimedOut);
                ours = listener.Accept();
            }
            if (ours.RemoteEndPoint is not IPEndPoint peer || theirs.LocalEndPoint is not IPEndPoint local
                || !peer.Equals(local) || !IPAddress.IsLoopback(peer.Address))
                throw new RsyncException(RsyncErrorKind.Connection, "socketpair_tcp failed: Operation not permitted (1)");
            return (ours, theirs);
        }
        catch (SocketException e)
        {
            ours?.Dispose();
            theirs.Dispose();
            throw new RsyncException(RsyncErrorKind.Connection, $"socketpair_tcp failed: {SystemError.Describe(e)}");
        }
        catch
        {
            ours?.Dispose();
            theirs.Dispose();
            throw;
        }
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
