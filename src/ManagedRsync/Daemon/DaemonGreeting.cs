using System.Globalization;

namespace ManagedRsync.Daemon;

/// <summary>
/// The first line each side of a daemon connection sends: <c>@RSYNCD: VER.SUB [DIGEST ...]</c>
/// (rsync compat.c: output_daemon_greeting; clientserver.c: exchange_protocols).
/// </summary>
/// <param name="Protocol">Protocol version.</param>
/// <param name="SubProtocol">Subprotocol (non-zero only for pre-release builds); null when omitted (before 30).</param>
/// <param name="DigestList">Space-separated auth digest names (rsync 3.2+); null when absent.</param>
public readonly record struct DaemonGreeting(int Protocol, int? SubProtocol, string? DigestList)
{
    /// <summary>The keyword every greeting starts with.</summary>
    public const string Prefix = "@RSYNCD: ";

    // Beyond this many digits the number is not a protocol version but garbage we must not overflow on.
    private const int MaxVersionDigits = 6;

    /// <summary>The line as sent, without the newline.</summary>
    public string Format()
    {
        string version = SubProtocol is int sub
            ? string.Create(CultureInfo.InvariantCulture, $"{Protocol}.{sub}")
            : Protocol.ToString(CultureInfo.InvariantCulture);
        return DigestList is null ? Prefix + version : $"{Prefix}{version} {DigestList}";
    }

    /// <summary>
    /// Parses a greeting line (newline already stripped). Like rsync's <c>sscanf("@RSYNCD: %d.%d")</c> plus the
    /// digest list that follows the first space after the version (clientserver.c: exchange_protocols).
    /// </summary>
    public static bool TryParse(string line, out DaemonGreeting greeting)
    {
        greeting = default;
        if (!line.StartsWith("@RSYNCD:", StringComparison.Ordinal))
        {
            return false;
        }
        var s = line.AsSpan(8).TrimStart(' ');
        int digits = CountDigits(s);
        if (digits == 0 || digits > MaxVersionDigits)
        {
            return false;
        }
        int protocol = int.Parse(s[..digits], CultureInfo.InvariantCulture);
        s = s[digits..];
        int? sub = null;
        if (s.StartsWith('.'))
        {
            int subDigits = CountDigits(s[1..]);
            if (subDigits is > 0 and <= MaxVersionDigits)
            {
                sub = int.Parse(s.Slice(1, subDigits), CultureInfo.InvariantCulture);
                s = s[(1 + subDigits)..];
            }
        }
        // rsync takes everything after the first space past "@RSYNCD: " as the list.
        int space = line.IndexOf(' ', Math.Min(9, line.Length));
        string? list = space < 0 ? null : line[(space + 1)..];
        greeting = new DaemonGreeting(protocol, sub, list);
        return true;
    }

    /// <summary>
    /// The protocol both sides then speak (rsync clientserver.c: exchange_protocols): the lower version, and one
    /// less when the side with the higher or equal version is a pre-release with a different subprotocol.
    /// </summary>
    public static int Negotiate(int ours, int ourSub, int remote, int remoteSub)
    {
        if (ours > remote)
        {
            return remoteSub != 0 ? remote - 1 : remote;
        }
        if (ours == remote)
        {
            return remoteSub != ourSub ? ours - 1 : ours;
        }
        return ourSub != 0 ? ours - 1 : ours;
    }

    private static int CountDigits(ReadOnlySpan<char> s)
    {
        int n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n]))
        {
            n++;
        }
        return n;
    }
}
