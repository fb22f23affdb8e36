using ManagedRsync.Transports;

namespace ManagedRsync.Client;

/// <summary>
/// A pull through a remote shell, as <c>rsync [options] [USER@]HOST:SRC... DEST</c>, or with no
/// <see cref="ReceiveRequest.Destination"/> a listing (<c>rsync [USER@]HOST:SRC</c>).
/// </summary>
public sealed record RemoteShellPullRequest : ReceiveRequest
{
    /// <summary>How to reach the host.</summary>
    public required RemoteShell Shell { get; init; }

    /// <summary>The sources on the host, as written after "HOST:" (an empty one is sent as ".").</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
}
