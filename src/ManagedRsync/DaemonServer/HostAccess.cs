using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.Filters;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// "hosts allow" / "hosts deny" as rsync decides them (access.c: allow_access, access_match, match_hostname,
/// match_address): a matching allow item always admits; an allow list alone refuses the rest; then a matching deny item
/// refuses; anyone else is admitted. Items (split on space, comma and tab, compared in lower case) are an address, an
/// address/bits or address/mask, or a host-name wildcard matched against the client's reverse-looked-up name; a plain
/// host name is also resolved forward and compared with the client's address, and a deny item whose name does not
/// resolve counts as a match (fails closed, access.c: match_hostname "return deny").
/// </summary>
internal static class HostAccess
{
    private static readonly TimeSpan LookupLimit = TimeSpan.FromSeconds(5);

    public static async Task<bool> IsAllowedAsync(string? allow, string? deny, string address, string? host,
        bool forwardLookup, CancellationToken ct)
    {
        if (allow is not null)
        {
            if (await MatchesAsync(allow, address, host, forwardLookup, deny: false, ct).ConfigureAwait(false))
                return true;
            if (deny is null)
                return false;
        }
        if (deny is not null && await MatchesAsync(deny, address, host, forwardLookup, deny: true, ct).ConfigureAwait(false))
            return false;
        return true;
    }

    /// <summary>
    /// access.c: allow_proxy_protocol_peer — the direct peer may send a PROXY header when "proxy protocol hosts" has an
    /// item matching it (no forward lookup; an empty or unset list trusts nobody).
    /// </summary>
    public static Task<bool> IsTrustedProxyAsync(string? list, string address, CancellationToken ct) =>
        string.IsNullOrEmpty(list) ? Task.FromResult(false)
            : MatchesAsync(list, address, "UNDETERMINED", forwardLookup: false, deny: false, ct);

    private static async Task<bool> MatchesAsync(string list, string address, string? host, bool forwardLookup, bool deny,
        CancellationToken ct)
    {
        foreach (string token in list.ToLowerInvariant().Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (MatchesAddress(address, token))
                return true;
            if (await MatchesHostNameAsync(host, address, token, forwardLookup, deny, ct).ConfigureAwait(false))
                return true;
        }
        return false;
    }

    private static async Task<bool> MatchesHostNameAsync(string? host, string address, string token, bool forwardLookup,
        bool deny, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(host))
            return false;
        if (WildMatch.IsMatch(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(host.ToLowerInvariant())))
            return true;
        if (!forwardLookup)
            return false;
        // An address or a wildcard is not a host name to look up.
        if (token.All(c => c == '.' || char.IsAsciiDigit(c)) || token.IndexOfAny([':', '/', '*', '?', '[']) >= 0)
            return false;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(LookupLimit);
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(token, limit.Token).ConfigureAwait(false);
            return addresses.Any(a => a.ToString() == address);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return deny;
        }
    }

    // access.c: match_address — the item must be a numeric address (digits and dots, or holding ':'), optionally with
    // /bits or /mask; families must agree. An IPv4-mapped IPv6 address is IPv6 here: the socket's own peer address
    // is already IPv4 (clientname.c: client_sockaddr converts it), and one a PROXY header reports stays as written, so
    // "::ffff:10.1.1.1" does not match 10.0.0.0/8 (stock's daemon denies it).
    internal static bool MatchesAddress(string address, string token)
    {
        int slash = token.IndexOf('/');
        string item = slash < 0 ? token : token[..slash];
        if (!item.All(c => c == '.' || char.IsAsciiDigit(c)) && !item.Contains(':'))
            return false;
        if (!IPAddress.TryParse(address, out IPAddress? peer) || !IPAddress.TryParse(item, out IPAddress? want))
            return false;
        if (peer.AddressFamily != want.AddressFamily)
            return false;
        byte[] a = peer.GetAddressBytes();
        byte[] t = want.GetAddressBytes();
        byte[] mask = new byte[a.Length];
        if (slash < 0)
        {
            Array.Fill(mask, (byte)0xFF);
        }
        else
        {
            string m = token[(slash + 1)..];
            if (m.All(char.IsAsciiDigit) && int.TryParse(m, out int bits))
            {
                if (bits < 0 || bits > a.Length * 8)
                    return false;
                for (int i = 0; i < a.Length; i++)
                    mask[i] = (byte)(bits >= (i + 1) * 8 ? 0xFF : bits <= i * 8 ? 0 : 0xFF << (8 - (bits - i * 8)));
            }
            else if (IPAddress.TryParse(m, out IPAddress? dotted) && dotted.AddressFamily == peer.AddressFamily)
            {
                mask = dotted.GetAddressBytes();
            }
            else
            {
                return false;
            }
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (((a[i] ^ t[i]) & mask[i]) != 0)
                return false;
        }
        return true;
    }
}
