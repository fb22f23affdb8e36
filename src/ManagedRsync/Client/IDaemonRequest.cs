using ManagedRsync.Daemon;

namespace ManagedRsync.Client;

/// <summary>
/// What a push to a daemon and a pull from one both say about reaching it (the address, a remote shell, --port,
/// --contimeout, the full connection options, the user and the password), read in one place when the module is opened.
/// </summary>
internal interface IDaemonRequest
{
    /// <summary>The daemon, module and path inside it: a push's destination, a pull's source.</summary>
    DaemonAddress Address { get; }

    Transports.RemoteShell? Shell { get; }

    int? Port { get; }

    Func<string?>? Password { get; }

    TimeSpan? ConnectTimeout { get; }

    DaemonConnectOptions? Connection { get; }

    string? User { get; }
}
