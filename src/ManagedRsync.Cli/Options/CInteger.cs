namespace ManagedRsync.Cli.Options;

/// <summary>C's strtoll(s, &amp;end, 0) as popt uses it for POPT_ARG_INT: the whole text must be consumed.</summary>
internal static class CInteger
{
    public enum Result { Ok, Invalid, Overflow }

    public static Result TryParse(string text, out long value)
    {
        value = 0;
        int i = SpaceAndSign(text, out bool negative);
        int radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X' && i + 2 < text.Length && Digit(text[i + 2], 16) >= 0)
        {
            radix = 16;
            i += 2;
        }
        else if (i < text.Length && text[i] == '0')
        {
            radix = 8;
        }
        int start = i;
        ulong magnitude = Digits(text, ref i, radix, out bool overflow);
        // strtoll with no digits consumes nothing, so anything but an empty text is left over.
        if (i == start)
            return text.Length == 0 ? Result.Ok : Result.Invalid;
        if (i != text.Length)
            return Result.Invalid;
        if (overflow || magnitude > (negative ? 1UL << 63 : long.MaxValue))
            return Result.Overflow;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return Result.Ok;
    }

    /// <summary>
    /// C's atol (strtol base 10): leading white space, an optional sign, then as many digits as there are; the rest is
    /// ignored, no digits is 0, and a value out of range is long's limit on that side.
    /// </summary>
    public static long Atol(string text)
    {
        int i = SpaceAndSign(text, out bool negative);
        ulong magnitude = Digits(text, ref i, 10, out bool overflow);
        if (negative)
            return overflow || magnitude > 1UL << 63 ? long.MinValue : (long)(0 - magnitude);
        return overflow || magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
    }

    // strtol's prefix: white space (isspace in the C locale), then one optional sign; returns where the digits start.
    private static int SpaceAndSign(string text, out bool negative)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            i++;
        negative = false;
        if (i < text.Length && text[i] is '+' or '-')
            negative = text[i++] == '-';
        return i;
    }

    // As many digits of the radix as follow i (advanced past them); overflow says the value did not fit 64 bits.
    private static ulong Digits(string text, ref int i, int radix, out bool overflow)
    {
        overflow = false;
        ulong magnitude = 0;
        for (; i < text.Length && Digit(text[i], radix) is int d and >= 0; i++)
        {
            if (magnitude > (ulong.MaxValue - (ulong)d) / (ulong)radix)
                overflow = true;
            else
                magnitude = magnitude * (ulong)radix + (ulong)d;
        }
        return magnitude;
    }

    private static int Digit(char c, int radix)
    {
        int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
        return d < radix ? d : -1;
    }
}
