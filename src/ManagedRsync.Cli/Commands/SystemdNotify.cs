using System.Net.Sockets;
using System.Text;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per state to the unix socket named by $NOTIFY_SOCKET (a leading
/// '@' names an abstract socket). READY=1 once the watches are set, WATCHDOG=1 every half of $WATCHDOG_USEC,
/// STOPPING=1 when a signal starts the shutdown, STATUS= with the queue depths. A no-op outside systemd.
/// </summary>
internal sealed class SystemdNotify : IDisposable
{
    /// <summary>Longest a state may wait for room in systemd's queue before it is dropped.</summary>
    public static readonly TimeSpan SendLimit = TimeSpan.FromSeconds(1);

    private readonly Socket? _socket;

    public SystemdNotify(Func<string, string?> env)
    {
        string? path = env("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
            return;
        if (path[0] == '@')
            path = "\0" + path[1..];
        try
        {
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            _socket.Connect(new UnixDomainSocketEndPoint(path));
            // A unix datagram send blocks while the reader's queue is full (net.unix.max_dgram_qlen). A systemd that
            // stops reading must not stall the watcher: the watchdog loop, or the STOPPING=1 sent from the shutdown's
            // cancellation callback (which would hold the shutdown itself). A state not sent in time is dropped.
            _socket.SendTimeout = (int)SendLimit.TotalMilliseconds;
        }
        catch (SocketException)
        {
            _socket?.Dispose();
            _socket = null;
        }
        if (long.TryParse(env("WATCHDOG_USEC"), out long usec) && usec > 0)
            WatchdogInterval = TimeSpan.FromMicroseconds(usec / 2);
    }

    public bool Enabled => _socket is not null;

    /// <summary>How often WATCHDOG=1 is due (half of WatchdogSec), or null when the unit has no watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public void Send(string state)
    {
        if (_socket is null)
            return;
        try
        {
            _socket.Send(Encoding.UTF8.GetBytes(state));
        }
        catch (SocketException)
        {
            // systemd went away, or its queue stayed full for SendLimit; nothing to tell.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
