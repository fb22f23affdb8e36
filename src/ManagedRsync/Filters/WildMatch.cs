namespace ManagedRsync.Filters;

/// <summary>
/// rsync's shell-style pattern matcher (rsync lib/wildmatch.c semantics, own implementation).
/// </summary>
/// <remarks>
/// Patterns and names are matched as bytes, not chars: rsync compares bytes, file names on Linux are bytes
/// with no guaranteed encoding, and the file list and inotify events both hand us bytes, so nothing needs
/// decoding on the hot path. Character classes (<c>[[:alpha:]]</c>, ...) are ASCII-only, as rsync's ISASCII
/// guards make them in a UTF-8 locale.
/// <list type="bullet">
/// <item><c>?</c> and <c>[...]</c> never match <c>/</c>; <c>*</c> matches within one path component;
/// <c>**</c> (any run of two or more stars) matches across <c>/</c>.</item>
/// <item><c>[!...]</c> and <c>[^...]</c> negate; <c>a-z</c> ranges; <c>\</c> escapes in and out of classes;
/// an unknown <c>[:name:]</c> class makes the whole match fail.</item>
/// </list>
/// Matching is recursive only at stars, allocation-free, and span-based.
/// </remarks>
public static class WildMatch
{
    // dowild's three-valued result (rsync lib/wildmatch.c): a plain "no", a "no, and no later start
    // position can match either", and a "no, but a '**' further left may still stretch".
    private const int NoMatch = 0;
    private const int Matched = 1;
    private const int AbortAll = -1;
    private const int AbortToStarStar = -2;

    /// <summary>Whether <paramref name="pattern"/> matches all of <paramref name="text"/> (rsync wildmatch).</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text) =>
        DoWild(pattern, text) == Matched;

    /// <summary>
    /// rsync wildmatch_array: <paramref name="where"/> = 0 matches the whole text; &gt; 0 matches only the
    /// trailing <paramref name="where"/> slash-separated elements; &lt; 0 matches at the start or right after
    /// any slash.
    /// </summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, int where)
    {
        if (where > 0)
        {
            if (!TrailingElements(text, where, out int start))
                return false;
            text = text[start..];
        }

        int matched = DoWild(pattern, text);
        if (matched == Matched || where >= 0 || matched == AbortAll)
            return matched == Matched;

        // Retry after every slash; stop at the first start that is not a plain "no".
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != (byte)'/')
                continue;
            matched = DoWild(pattern, text[(i + 1)..]);
            if (matched != NoMatch && matched != AbortToStarStar)
                return matched == Matched;
        }
        return false;
    }

    /// <summary>rsync litmatch_array: a literal comparison with the same <paramref name="where"/> rule (0 or &gt; 0).</summary>
    public static bool IsLiteralMatch(ReadOnlySpan<byte> literal, ReadOnlySpan<byte> text, int where)
    {
        if (where > 0)
        {
            if (!TrailingElements(text, where, out int start))
                return false;
            text = text[start..];
        }
        return text.SequenceEqual(literal);
    }

    /// <summary>
    /// rsync wildmatch.c trailing_N_elements: where the last <paramref name="count"/> path elements start.
    /// With exactly count-1 slashes that is the whole text; with fewer there is no such suffix.
    /// </summary>
    private static bool TrailingElements(ReadOnlySpan<byte> text, int count, out int start)
    {
        for (int i = text.Length - 1; i >= 0; i--)
        {
            if (text[i] == (byte)'/' && --count == 0)
            {
                start = i + 1;
                return true;
            }
        }
        start = 0;
        return count == 1;
    }

    private static byte At(ReadOnlySpan<byte> s, int i) => (uint)i < (uint)s.Length ? s[i] : (byte)0;

    private static int DoWild(ReadOnlySpan<byte> p, ReadOnlySpan<byte> text)
    {
        int pi = 0, ti = 0;
        for (; pi < p.Length; pi++, ti++)
        {
            byte pch = p[pi];
            if (ti >= text.Length && pch != (byte)'*')
                return AbortAll;
            byte tch = At(text, ti);
            switch (pch)
            {
                case (byte)'\\':
                    // A trailing backslash compares against NUL, which no name byte equals.
                    if (tch != At(p, ++pi))
                        return NoMatch;
                    continue;
                case (byte)'?':
                    if (tch == (byte)'/')
                        return NoMatch;
                    continue;
                case (byte)'*':
                    return MatchStar(p, pi, text, ti);
                case (byte)'[':
                    int r = MatchClass(p, ref pi, tch);
                    if (r != Matched)
                        return r;
                    continue;
                default:
                    if (tch != pch)
                        return NoMatch;
                    continue;
            }
        }
        return ti >= text.Length ? Matched : NoMatch;
    }

    private static int MatchStar(ReadOnlySpan<byte> p, int pi, ReadOnlySpan<byte> text, int ti)
    {
        bool doubled = false;
        while (++pi < p.Length && p[pi] == (byte)'*')
            doubled = true;

        if (pi >= p.Length)
        {
            // Trailing "**" takes everything; a trailing "*" only the rest of this component.
            return doubled || text[ti..].IndexOf((byte)'/') < 0 ? Matched : NoMatch;
        }

        ReadOnlySpan<byte> rest = p[pi..];
        for (; ti < text.Length; ti++)
        {
            int matched = DoWild(rest, text[ti..]);
            if (matched != NoMatch)
            {
                if (!doubled || matched != AbortToStarStar)
                    return matched;
            }
            else if (!doubled && text[ti] == (byte)'/')
            {
                return AbortToStarStar;
            }
        }
        return AbortAll;
    }

    /// <summary>
    /// A bracket expression starting at p[pi] == '['. Leaves pi on the closing ']' and returns
    /// <see cref="Matched"/> when <paramref name="tch"/> is in the set (never for '/').
    /// </summary>
    private static int MatchClass(ReadOnlySpan<byte> p, ref int pi, byte tch)
    {
        byte pch = At(p, ++pi);
        if (pch == (byte)'^')
            pch = (byte)'!';
        bool negated = pch == (byte)'!';
        if (negated)
            pch = At(p, ++pi);

        byte prev = 0;
        bool matched = false;
        do
        {
            if (pch == 0)
                return AbortAll;
            if (pch == (byte)'\\')
            {
                pch = At(p, ++pi);
                if (pch == 0)
                    return AbortAll;
                if (tch == pch)
                    matched = true;
            }
            else if (pch == (byte)'-' && prev != 0 && At(p, pi + 1) != 0 && At(p, pi + 1) != (byte)']')
            {
                pch = At(p, ++pi);
                if (pch == (byte)'\\')
                {
                    pch = At(p, ++pi);
                    if (pch == 0)
                        return AbortAll;
                }
                if (tch <= pch && tch >= prev)
                    matched = true;
                pch = 0; // a range end cannot start another range
            }
            else if (pch == (byte)'[' && At(p, pi + 1) == (byte)':')
            {
                int nameStart = pi += 2;
                while ((pch = At(p, pi)) != 0 && pch != (byte)']')
                    pi++;
                if (pch == 0)
                    return AbortAll;
                int nameLength = pi - nameStart - 1;
                if (nameLength < 0 || p[pi - 1] != (byte)':')
                {
                    // No ":]": the '[' was an ordinary member of the set.
                    pi = nameStart - 2;
                    pch = (byte)'[';
                    if (tch == pch)
                        matched = true;
                    continue;
                }
                int inClass = InNamedClass(p.Slice(nameStart, nameLength), tch);
                if (inClass < 0)
                    return AbortAll;
                if (inClass > 0)
                    matched = true;
                pch = 0;
            }
            else if (tch == pch)
            {
                matched = true;
            }
        }
        while (Advance(ref prev, ref pch, p, ref pi) != (byte)']');

        return matched == negated || tch == (byte)'/' ? NoMatch : Matched;
    }

    private static byte Advance(ref byte prev, ref byte pch, ReadOnlySpan<byte> p, ref int pi)
    {
        prev = pch;
        pch = At(p, ++pi);
        return pch;
    }

    /// <summary>1 when <paramref name="c"/> is in the POSIX class, 0 when not, -1 for an unknown class name.</summary>
    private static int InNamedClass(ReadOnlySpan<byte> name, byte c)
    {
        bool r;
        if (name.SequenceEqual("alnum"u8)) r = char.IsAsciiLetterOrDigit((char)c);
        else if (name.SequenceEqual("alpha"u8)) r = char.IsAsciiLetter((char)c);
        else if (name.SequenceEqual("blank"u8)) r = c is (byte)' ' or (byte)'\t';
        else if (name.SequenceEqual("cntrl"u8)) r = c < 0x20 || c == 0x7f;
        else if (name.SequenceEqual("digit"u8)) r = char.IsAsciiDigit((char)c);
        else if (name.SequenceEqual("graph"u8)) r = c > 0x20 && c < 0x7f;
        else if (name.SequenceEqual("lower"u8)) r = char.IsAsciiLetterLower((char)c);
        else if (name.SequenceEqual("print"u8)) r = c >= 0x20 && c < 0x7f;
        else if (name.SequenceEqual("punct"u8)) r = c > 0x20 && c < 0x7f && !char.IsAsciiLetterOrDigit((char)c);
        else if (name.SequenceEqual("space"u8)) r = c is (byte)' ' or >= 0x09 and <= 0x0d;
        else if (name.SequenceEqual("upper"u8)) r = char.IsAsciiLetterUpper((char)c);
        else if (name.SequenceEqual("xdigit"u8)) r = char.IsAsciiHexDigit((char)c);
        else return -1;
        return r ? 1 : 0;
    }
}
