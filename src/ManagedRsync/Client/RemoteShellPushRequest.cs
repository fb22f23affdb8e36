using ManagedRsync.Transports;

namespace ManagedRsync.Client;

/// <summary>
/// A push through a remote shell, as <c>rsync [options] SRC... [USER@]HOST:DEST</c>: the sources (or a root with
/// relative paths) as for <see cref="PushRequest"/>, the shell that starts the server on the host, and the path there.
/// </summary>
public sealed record RemoteShellPushRequest : SendRequest
{
    /// <summary>How to reach the host.</summary>
    public required RemoteShell Shell { get; init; }

    /// <summary>The destination on the host, as written after "HOST:" (empty: the remote home directory, sent as ".").</summary>
    public string Destination { get; init; } = "";
}
