using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The PROXY protocol header a load balancer puts before the client's greeting ("proxy protocol = yes"; clientname.c:
/// read_proxy_protocol_header), version 1 (one text line) or 2 (binary). The daemon reads it only from a peer "proxy
/// protocol hosts" lists, and a header it does not accept ends the connection without a word (start_daemon returns -1).
/// Every length is bounded before anything is read for it: a v1 line ends within 107 bytes, a v2 address block is at
/// most 216 bytes (the size of stock's header union less the 16 fixed bytes).
/// </summary>
internal static class ProxyProtocolHeader
{
    /// <summary>clientname.c: proxyv2sig, the first 12 bytes of a v2 header.</summary>
    private static ReadOnlySpan<byte> V2Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    private const int SignatureSize = 12;

    /// <summary>The v2 header before its address block: signature, version/command, family, length (big endian).</summary>
    private const int V2FixedSize = SignatureSize + 4;

    /// <summary>sizeof stock's header union: the v2 fixed part and two 108-byte unix paths.</summary>
    private const int HeaderUnionSize = V2FixedSize + 2 * 108;

    /// <summary>clientname.c: the v1 line buffer (108 bytes, the last kept for the NUL).</summary>
    private const int V1LineLimit = 107;

    private const int CommandLocal = 0;
    private const int CommandProxy = 1;
    private const byte FamilyTcp4 = 0x11;
    private const byte FamilyTcp6 = 0x21;

    /// <summary>What a header said.</summary>
    /// <param name="Accepted">False: the connection ends.</param>
    /// <param name="SourceAddress">The client's address the proxy reported; null keeps the socket's peer address.</param>
    internal readonly record struct Result(bool Accepted, string? SourceAddress)
    {
        public static Result Refused => new(false, null);
    }

    /// <summary>
    /// Reads one header through <paramref name="readExactly"/> (which throws at the end of the stream, as read_buf
    /// ends the connection) and decides it.
    /// </summary>
    public static async Task<Result> ReadAsync(Func<Memory<byte>, CancellationToken, Task> readExactly, CancellationToken ct)
    {
        byte[] header = new byte[HeaderUnionSize];
        await readExactly(header.AsMemory(0, SignatureSize), ct).ConfigureAwait(false);
        if (header.AsSpan(0, SignatureSize).SequenceEqual(V2Signature))
        {
            await readExactly(header.AsMemory(SignatureSize, V2FixedSize - SignatureSize), ct).ConfigureAwait(false);
            int version = header[12] >> 4;
            int size = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(14, 2));
            if (version != 2 || size + V2FixedSize > HeaderUnionSize)
                return Result.Refused;
            await readExactly(header.AsMemory(V2FixedSize, size), ct).ConfigureAwait(false);
            return ParseV2(header[12] & 0x0F, header[13], header.AsSpan(V2FixedSize, size));
        }
        if (!header.AsSpan(0, 5).SequenceEqual("PROXY"u8))
            return Result.Refused;
        // v1: a line ending in "\r\n"; the first 12 bytes are in, the rest comes a byte at a time up to its '\n'.
        int length = SignatureSize;
        if (CString(header.AsSpan(0, length)).IndexOf((byte)'\n') < 0)
        {
            while (true)
            {
                await readExactly(header.AsMemory(length, 1), ct).ConfigureAwait(false);
                if (header[length++] == '\n')
                    break;
                if (length >= V1LineLimit)
                    return Result.Refused;
            }
        }
        return ParseV1(CString(header.AsSpan(0, length)));
    }

    // The v2 address block (clientname.c: CMD_PROXY with TCPv4 / TCPv6 sources; another family is accepted and its
    // address ignored, as is a LOCAL command; any other command refuses).
    internal static Result ParseV2(int command, byte family, ReadOnlySpan<byte> addresses)
    {
        switch (command)
        {
            case CommandLocal:
                return new Result(true, null);
            case CommandProxy when family == FamilyTcp4:
                return addresses.Length == 12 ? new Result(true, FormatIPv4(addresses[..4])) : Result.Refused;
            case CommandProxy when family == FamilyTcp6:
                return addresses.Length == 36 ? new Result(true, FormatIPv6(addresses[..16])) : Result.Refused;
            case CommandProxy:
                return new Result(true, null);
            default:
                return Result.Refused;
        }
    }

    // "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN...": the line as C reads it (up to a NUL).
    internal static Result ParseV1(ReadOnlySpan<byte> line)
    {
        int cr = line.IndexOf((byte)'\r');
        if (cr < 0 || cr + 2 != line.Length || line[cr + 1] != '\n')
            return Result.Refused;
        string text = Encoding.Latin1.GetString(line[..cr]);
        int p = 5;
        if (p >= text.Length || !IsSpace(text[p++]))
            return Result.Refused;
        string rest = text[p..];
        if (rest.StartsWith("UNKNOWN", StringComparison.Ordinal))
            return new Result(true, null);
        if (!rest.StartsWith("TCP4", StringComparison.Ordinal) && !rest.StartsWith("TCP6", StringComparison.Ordinal))
            return Result.Refused;
        p += 4;
        if (p >= text.Length || !IsSpace(text[p++]))
            return Result.Refused;
        // Source, destination and source port each end at a space; the destination port is the rest.
        string[] fields = new string[4];
        for (int i = 0; i < 3; i++)
        {
            int space = text.IndexOf(' ', p);
            if (space < 0)
                return Result.Refused;
            fields[i] = text[p..space];
            p = space + 1;
        }
        fields[3] = text[p..];
        if (!IsValidAddress(fields[0]) || !IsValidAddress(fields[1]) || !IsPort(fields[2]) || !IsPort(fields[3]))
            return Result.Refused;
        return new Result(true, fields[0]);
    }

    // clientname.c: the ports only have to be a whole strtol number other than 0 (leading white space and a sign
    // allowed, no trailing bytes).
    private static bool IsPort(string s)
    {
        int i = 0;
        while (i < s.Length && IsSpace(s[i]))
            i++;
        if (i < s.Length && s[i] is '+' or '-')
            i++;
        int digits = i;
        bool nonZero = false;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
            nonZero |= s[i++] != '0';
        return i > digits && i == s.Length && nonZero;
    }

    /// <summary>clientname.c: valid_ipaddr without a scope: a dotted quad, or IPv6 text (an IPv4 tail allowed).</summary>
    internal static bool IsValidAddress(string s)
    {
        int p = 0;
        if (s.Contains(':'))
        {
            bool doubleColon = false, ipv4Tail = false;
            if (s[0] == ':')
            {
                if (s.Length < 2 || s[1] != ':')
                    return false;
                doubleColon = true;
                p = 2;
            }
            for (int count = 0; count < 8; count++)
            {
                if (p == s.Length)
                    return doubleColon;
                if (s.IndexOf(':', p) < 0 && s.IndexOf('.', p) >= 0)
                {
                    if ((!doubleColon && count != 6) || (doubleColon && count > 6))
                        return false;
                    ipv4Tail = true;
                    break;
                }
                // One to four hex digits.
                int start = p;
                while (p < s.Length && char.IsAsciiHexDigit(s[p]) && p - start < 5)
                    p++;
                if (p == start || p - start > 4)
                    return false;
                if (p < s.Length && s[p] == ':')
                {
                    if (++p == s.Length)
                        return false;
                    if (s[p] == ':')
                    {
                        if (doubleColon)
                            return false;
                        doubleColon = true;
                        p++;
                    }
                }
            }
            if (!ipv4Tail)
                return p == s.Length;
        }
        for (int i = 0; i < 4; i++)
        {
            if (i > 0 && (p >= s.Length || s[p++] != '.'))
                return false;
            // strtol: white space, a sign, digits; the whole field (all of it counted) at most 3 characters.
            int start = p, q = p;
            while (q < s.Length && IsSpace(s[q]))
                q++;
            bool negative = false;
            if (q < s.Length && s[q] is '+' or '-')
                negative = s[q++] == '-';
            int digitsStart = q;
            long n = 0;
            while (q < s.Length && char.IsAsciiDigit(s[q]) && n <= 255)
                n = n * 10 + (s[q++] - '0');
            if (q == digitsStart)
                return false;
            if (negative)
                n = -n;
            if (n is > 255 or < 0 || q - start > 3)
                return false;
            p = q;
        }
        return p == s.Length;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    // C string semantics: the bytes before the first NUL.
    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        return nul < 0 ? bytes : bytes[..nul];
    }

    private static string FormatIPv4(ReadOnlySpan<byte> a) =>
        string.Create(CultureInfo.InvariantCulture, $"{a[0]}.{a[1]}.{a[2]}.{a[3]}");

    /// <summary>inet_ntop(AF_INET6): the longest run of two or more zero groups (the first of equals) as "::", lower-case
    /// hex, and a dotted IPv4 tail for the mapped (::ffff:0:0/96) and compatible (::/96 but :: and ::1) forms.</summary>
    internal static string FormatIPv6(ReadOnlySpan<byte> a)
    {
        Span<int> words = stackalloc int[8];
        for (int i = 0; i < 8; i++)
            words[i] = (a[2 * i] << 8) | a[2 * i + 1];
        int bestStart = -1, bestLength = 0;
        for (int i = 0; i < 8;)
        {
            if (words[i] != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0)
                j++;
            if (j - i > bestLength)
                (bestStart, bestLength) = (i, j - i);
            i = j;
        }
        if (bestLength < 2)
            bestStart = -1;
        var text = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLength)
            {
                if (i == bestStart)
                    text.Append(':');
                continue;
            }
            if (i != 0)
                text.Append(':');
            if (i == 6 && bestStart == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)))
            {
                text.Append(FormatIPv4(a[12..16]));
                break;
            }
            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }
        if (bestStart >= 0 && bestStart + bestLength == 8)
            text.Append(':');
        return text.ToString();
    }
}
