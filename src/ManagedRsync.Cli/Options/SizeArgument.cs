using System.Globalization;

namespace ManagedRsync.Cli.Options;

/// <summary>
/// rsync's SIZE arguments (options.c: parse_size_arg): digits with an optional fraction, then an optional unit
/// letter b/k/m/g/t/p (the option's default when absent), then "b" for powers of 1000 or nothing/"ib" for powers of
/// 1024, then an optional "+1"/"-1" adjustment. Errors use stock's words: "--bwlimit=abc is invalid",
/// "--bwlimit=511b is too small (min: 512 or 0 for unlimited)".
/// </summary>
internal static class SizeArgument
{
    /// <summary>rsync protocol.h MAX_BLOCK_SIZE (protocol 30+) and OLD_MAX_BLOCK_SIZE.</summary>
    private const long MaxBlockSize = 1 << 17, OldMaxBlockSize = 1 << 29;

    /// <summary>
    /// --bwlimit=RATE: bytes with a default unit of K, at least 512 unless 0, then rounded to whole KiB as stock
    /// keeps it (options.c OPT_BWLIMIT: bwlimit = (size + 512) / 1024, an int). The result is what stock sends the
    /// server and paces at (KiB per second).
    /// </summary>
    public static int BandwidthLimit(OptionValue v) => unchecked((int)((Parse(v, 'K', "bwlimit", 512, -1, unlimitedZero: true) + 512) / 1024));

    /// <summary>-B/--block-size=SIZE: bytes, at most 128 KiB (512 MiB when --protocol below 30 was given first).</summary>
    public static int BlockSize(OptionValue v, int? protocol) =>
        (int)Parse(v, 'b', "block-size", 0, protocol < 30 ? OldMaxBlockSize : MaxBlockSize, unlimitedZero: false);

    public static long Parse(OptionValue v, char defaultUnit, string name, long min, long max, bool unlimitedZero)
    {
        string arg = v.Required;
        long sizeMax = max >= 0 ? max : long.MaxValue / 2;
        int at = 0;
        while (at < arg.Length && char.IsAsciiDigit(arg[at]))
            at++;
        if (at < arg.Length && arg[at] == '.')
        {
            at++;
            while (at < arg.Length && char.IsAsciiDigit(arg[at]))
                at++;
        }
        char unit = at < arg.Length && arg[at] is not ('+' or '-') ? arg[at++] : defaultUnit;
        int powers = char.ToLowerInvariant(unit) switch
        {
            'b' => 0,
            'k' => 1,
            'm' => 2,
            'g' => 3,
            't' => 4,
            'p' => 5,
            _ => -1,
        };
        if (powers < 0)
            throw Failure(name, arg, "invalid");
        long mult;
        if (at < arg.Length && arg[at] is 'b' or 'B')
        {
            mult = 1000;
            at++;
        }
        else if (at == arg.Length || arg[at] is '+' or '-')
        {
            mult = 1024;
        }
        else if (string.Compare(arg, at, "ib", 0, 2, StringComparison.OrdinalIgnoreCase) == 0 && at + 2 <= arg.Length)
        {
            mult = 1024;
            at += 2;
        }
        else
        {
            throw Failure(name, arg, "invalid");
        }
        long scale = 1;
        for (; powers > 0; powers--)
        {
            if (scale > sizeMax / mult)
                throw TooLarge(name, arg, max);
            scale *= mult;
        }
        // strtod over the same text: the leading number (possibly empty, which is 0).
        double number = LeadingNumber(arg);
        if (number > (double)sizeMax / scale || (max < 0 && number >= (double)sizeMax / scale))
            throw TooLarge(name, arg, max);
        long size = (long)(number * scale);
        if (at < arg.Length && arg[at] is '+' or '-' && at + 1 < arg.Length && arg[at + 1] == '1' && at != 0)
        {
            if (arg[at] == '+')
            {
                if (size == sizeMax)
                    throw TooLarge(name, arg, max);
                size++;
            }
            else
            {
                size--;
            }
            at += 2;
        }
        if (at != arg.Length)
            throw Failure(name, arg, "invalid");
        if (size < 0 || (max >= 0 && size > max))
            throw TooLarge(name, arg, max);
        if (size < min && (!unlimitedZero || size != 0))
            throw Failure(name, arg, $"too small (min: {BigNum(min)}{(unlimitedZero ? " or 0 for unlimited" : "")})");
        return size;
    }

    private static double LeadingNumber(string arg)
    {
        int end = 0;
        while (end < arg.Length && (char.IsAsciiDigit(arg[end]) || arg[end] == '.'))
            end++;
        return double.TryParse(arg.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d) ? d : 0;
    }

    private static OptionException TooLarge(string name, string arg, long max) =>
        Failure(name, arg, max >= 0 ? $"too large (max: {BigNum(max)})" : "too large");

    private static OptionException Failure(string name, string arg, string what) => new($"--{name}={arg} is {what}");

    // rsync lib/compat.c do_big_num(n, 3, NULL): powers of 1024 with two decimals and a unit letter from 1024 up.
    private static string BigNum(long n)
    {
        if (n < 1024)
            return n.ToString(CultureInfo.InvariantCulture);
        double d = n / 1024.0;
        char unit = 'K';
        foreach (char next in "MGTP")
        {
            if (d < 1024)
                break;
            d /= 1024;
            unit = next;
        }
        return d.ToString("0.00", CultureInfo.InvariantCulture) + unit;
    }
}
