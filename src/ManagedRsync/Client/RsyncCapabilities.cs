using ManagedRsync.Daemon;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Client;

/// <summary>What this library can negotiate with a peer (what <c>rsync -VV</c> reports of an rsync build).</summary>
public static class RsyncCapabilities
{
    /// <summary>Checksum names offered to a peer, strongest first, as rsync orders them (checksum.c: valid_checksums_items).</summary>
    public static IReadOnlyList<string> Checksums => SessionSetup.Checksums;

    /// <summary>Compression names offered to a peer, preferred first (compat.c: valid_compressions_items); "none" is not offered.</summary>
    public static IReadOnlyList<string> Compressions => SessionSetup.Compressions;

    /// <summary>Daemon authentication digests, strongest first (as rsync 3.2+ prefers them).</summary>
    public static IReadOnlyList<AuthDigest> AuthDigests => AuthDigestNegotiation.DefaultPreference;

    /// <summary>The lowest protocol version spoken.</summary>
    public const int MinProtocolVersion = DaemonConnectOptions.MinProtocolVersion;

    /// <summary>The highest protocol version spoken (rsync 3.x).</summary>
    public const int MaxProtocolVersion = DaemonConnectOptions.MaxProtocolVersion;
}
