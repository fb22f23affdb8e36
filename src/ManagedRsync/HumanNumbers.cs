using System.Globalization;

namespace ManagedRsync;

/// <summary>
/// Numbers as stock rsync prints them (lib/compat.c: do_big_num, do_big_dnum; inums.h: human_num, comma_num,
/// human_dnum, comma_dnum). The level is options.c's human_readable: 0 plain digits (--no-h), 1 thousands separated
/// by ',' (the default), 2 with K/M/G/T/P units of 1000 (-h), 3 units of 1024 (-hh).
/// </summary>
/// <param name="Level">rsync's human_readable level, 0 to 3.</param>
public readonly record struct HumanNumbers(int Level)
{
    /// <summary>human_num: a count or size at the chosen level.</summary>
    /// <param name="n">The number.</param>
    /// <returns>It as rsync prints it.</returns>
    public string Human(long n) => BigNum(n, Level, null);

    /// <summary>comma_num: separators unless --no-h, never units.</summary>
    /// <param name="n">The number.</param>
    /// <returns>It as rsync prints it.</returns>
    public string Comma(long n) => BigNum(n, Level != 0 ? 1 : 0, null);

    /// <summary>human_dnum: a rate, "%.Nf" with the integer part shown as <see cref="Human"/> from 1000 up.</summary>
    /// <param name="d">The number.</param>
    /// <param name="digits">Digits after the point.</param>
    /// <returns>It as rsync prints it.</returns>
    public string HumanDecimal(double d, int digits) => BigDecimal(d, Level, digits);

    /// <summary>comma_dnum: <see cref="HumanDecimal"/> with separators, never units.</summary>
    /// <param name="d">The number.</param>
    /// <param name="digits">Digits after the point.</param>
    /// <returns>It as rsync prints it.</returns>
    public string CommaDecimal(double d, int digits) => BigDecimal(d, Level != 0 ? 1 : 0, digits);

    private static string BigNum(long num, int level, string? fraction)
    {
        if (level > 1)
        {
            int mult = level == 2 ? 1000 : 1024;
            if (num >= mult || num <= -mult)
            {
                double d = Math.Abs((double)num) / mult;
                char units = 'K';
                foreach (char next in "MGTP")
                {
                    if (d < mult)
                        break;
                    d /= mult;
                    units = next;
                }
                return (num < 0 ? -d : d).ToString("0.00", CultureInfo.InvariantCulture) + units;
            }
        }
        string digits = num.ToString(level > 0 ? "#,0" : "0", CultureInfo.InvariantCulture);
        return digits + fraction;
    }

    private static string BigDecimal(double d, int level, int digits)
    {
        string plain = d.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (level == 0 || (d < 1000.0 && d > -1000.0))
            return plain;
        int point = plain.IndexOf('.');
        return BigNum((long)d, level, point < 0 ? "" : plain[point..]);
    }
}
