using System.Diagnostics.CodeAnalysis;

namespace ManagedRsync.Daemon;

/// <summary>
/// A daemon address as rsync takes it on the command line: <c>[USER@]HOST::MODULE[/PATH]</c> or
/// <c>rsync://[USER@]HOST[:PORT]/MODULE[/PATH]</c>, the host possibly an IPv6 literal in brackets
/// (rsync options.c: check_for_hostspec, parse_hostspec).
/// </summary>
public sealed class DaemonAddress
{
    private const string UrlPrefix = "rsync://";

    private DaemonAddress(string? user, string host, int? port, string module, string path, bool hadSlash, bool isUrl)
    {
        _hadSlash = hadSlash;
        User = user;
        Host = host;
        Port = port;
        Module = module;
        Path = path;
        IsUrl = isUrl;
    }

    /// <summary>The <c>USER@</c> part, or null when none was given.</summary>
    public string? User { get; }

    /// <summary>Host name or address, IPv6 literals without their brackets.</summary>
    public string Host { get; }

    /// <summary>The port of an <c>rsync://HOST:PORT/</c> URL; null means "--port or 873".</summary>
    public int? Port { get; }

    /// <summary>The module name; empty when the address names the daemon only (a module listing).</summary>
    public string Module { get; }

    /// <summary>What follows <c>MODULE/</c>, possibly empty.</summary>
    public string Path { get; }

    /// <summary>The whole remote path, <c>MODULE[/PATH]</c>, as rsync sends it to the daemon.</summary>
    public string ModulePath => Path.Length == 0 && !_hadSlash ? Module : Module + "/" + Path;

    private readonly bool _hadSlash;

    /// <summary>Whether it was written as an <c>rsync://</c> URL.</summary>
    public bool IsUrl { get; }

    /// <summary>The port to connect to: the URL's, else <paramref name="optionPort"/>, else 873.</summary>
    public int EffectivePort(int? optionPort) => Port ?? optionPort ?? DaemonConnectOptions.DefaultPort;

    /// <summary>Parses a daemon address; throws a usage <see cref="RsyncException"/> when it is not one.</summary>
    public static DaemonAddress Parse(string text) =>
        TryParse(text, out var address)
            ? address
            : throw new RsyncException(RsyncErrorKind.Usage, $"not an rsync daemon address: {text}");

    /// <summary>Parses a daemon address, or returns false (a local path, or a remote-shell <c>HOST:PATH</c>).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out DaemonAddress? address)
    {
        address = null;
        if (text.StartsWith(UrlPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (TrySplitHost(text.AsSpan(UrlPrefix.Length), url: true, out var user, out var host, out var port, out var rest))
            {
                address = Create(user, host, port, rest, isUrl: true);
                return true;
            }
        }
        if (TrySplitHost(text.AsSpan(), url: false, out var u, out var h, out _, out var r) && r.StartsWith(':'))
        {
            // HOST::PATH is a daemon; HOST:PATH (one colon) is a remote shell and not ours.
            address = Create(u, h, null, r[1..], isUrl: false);
            return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="text"/> is rsync's remote-shell form <c>[USER@]HOST:PATH</c>.</summary>
    public static bool IsRemoteShellSpec(string text) =>
        !TryParse(text, out _) && TrySplitHost(text.AsSpan(), url: false, out _, out _, out _, out _);

    /// <summary>
    /// Splits rsync's remote-shell form <c>[USER@]HOST:PATH</c> (options.c: check_for_hostspec with one colon; main.c:
    /// start_client splits the user at the last '@'). A further source may leave the host empty (<c>:PATH</c>).
    /// False for a daemon address or a local path.
    /// </summary>
    public static bool TrySplitRemoteShell(string text, out string? user, out string host, out string path)
    {
        path = "";
        if (TryParse(text, out _) || !TrySplitHost(text.AsSpan(), url: false, out user, out host, out _, out var rest))
        {
            user = null;
            host = "";
            return false;
        }
        path = rest.ToString();
        return true;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string host = Host.Contains(':') ? $"[{Host}]" : Host;
        string user = User is null ? "" : User + "@";
        return IsUrl
            ? $"rsync://{user}{host}{(Port is int p ? ":" + p : "")}/{ModulePath}"
            : $"{user}{host}::{ModulePath}";
    }

    private static DaemonAddress Create(string? user, string host, int? port, ReadOnlySpan<char> rest, bool isUrl)
    {
        int slash = rest.IndexOf('/');
        string module = slash < 0 ? rest.ToString() : rest[..slash].ToString();
        string path = slash < 0 ? "" : rest[(slash + 1)..].ToString();
        return new DaemonAddress(user, host, port, module, path, slash >= 0, isUrl);
    }

    // rsync options.c: parse_hostspec. The user ends at the last '@' before the host; a bracketed host must be
    // followed by nothing, '/' or ':'. For a URL, ":PORT" may follow and the path starts after '/', and running out
    // of string is fine; otherwise the host must end at ':' (the caller then looks for the second ':').
    private static bool TrySplitHost(ReadOnlySpan<char> s, bool url, out string? user, out string host, out int? port,
        out ReadOnlySpan<char> rest)
    {
        user = null;
        host = "";
        port = null;
        rest = default;
        int hostStart = 0;
        int hostEnd = -1;
        int i = 0;
        for (; ; i++)
        {
            if (i == s.Length)
            {
                if (!url)
                {
                    return false;
                }
                if (hostEnd < 0)
                {
                    hostEnd = i;
                }
                break;
            }
            char c = s[i];
            if (c is ':' or '/')
            {
                if (hostEnd < 0)
                {
                    hostEnd = i;
                }
                i++;
                if (c == '/')
                {
                    if (!url)
                    {
                        return false;
                    }
                }
                else if (url)
                {
                    int digits = i;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                    if (i > digits)
                    {
                        // rsync takes atoi of the digits: 0 means the default port, and a number past 65535 is
                        // still a URL (getaddrinfo then keeps the low 16 bits: ":65536" connects to port 0).
                        long p = 0;
                        foreach (char d in s[digits..i])
                        {
                            p = Math.Min(p * 10 + (d - '0'), int.MaxValue);
                        }
                        port = p == 0 ? null : (int)p;
                    }
                    if (i < s.Length && s[i++] != '/')
                    {
                        return false;
                    }
                }
                break;
            }
            if (c == '@')
            {
                user = s[..i].ToString();
                hostStart = i + 1;
            }
            else if (c == '[')
            {
                if (i != hostStart)
                {
                    return false;
                }
                hostStart++;
                while (i < s.Length && s[i] != ']' && s[i] != '/')
                {
                    i++;
                }
                hostEnd = i;
                if (i >= s.Length || s[i] != ']' || hostEnd == hostStart
                    || (i + 1 < s.Length && s[i + 1] != '/' && s[i + 1] != ':'))
                {
                    return false;
                }
            }
        }
        // An empty host is still a host (parse_hostspec returns ""): `rsync:///m`, `::m` and `:path` are remote, and
        // the connection then fails (getaddrinfo, or RSYNC_CONNECT_PROG's unsafe-host check) as stock's does.
        host = s[hostStart..hostEnd].ToString();
        rest = i <= s.Length ? s[i..] : default;
        return true;
    }
}
