namespace ManagedRsync;

/// <summary>
/// rsync's per-entry format strings (--out-format, --log-file-format; log.c: log_formatted): text with escapes
/// <c>%[']*[-][WIDTH][']*X</c>, where X is one of rsync's letters (<c>%n</c> name, <c>%i</c> itemized changes, ...),
/// '-' left-aligns in WIDTH columns, and each apostrophe makes numbers more human (separators, then K/M/G units).
/// </summary>
public static class LogFormat
{
    /// <summary>
    /// Whether <paramref name="format"/> shows what is known only once a file is transferred (%b, %c, %C): options.c
    /// then clears log_before_transfer, and the entry's line comes after its data.
    /// </summary>
    public static bool HasTransferFigures(string? format) => Has(format, 'b') || Has(format, 'c') || Has(format, 'C');

    // log.c: LOG_FMT_SIZE 32 — the flags and width of one escape are copied into fmt[32], and the scan stops at 8
    // bytes short of it; the character there is taken as the escape letter.
    private const int MaxWidthChars = 32 - 8;

    /// <summary>One escape of a format: where it is and what it says.</summary>
    /// <param name="Start">Index of its '%'.</param>
    /// <param name="Length">Its length, the letter included.</param>
    /// <param name="Letter">The escape letter.</param>
    /// <param name="Width">The minimum width (0: none).</param>
    /// <param name="LeftAlign">'-' before the width: padded on the right.</param>
    /// <param name="Humanize">How many apostrophes (rsync's human_flag for numbers).</param>
    public readonly record struct Escape(int Start, int Length, char Letter, int Width, bool LeftAlign, int Humanize);

    /// <summary>
    /// The escapes of <paramref name="format"/> in order, as rsync scans them (log.c: log_formatted, log_format_has);
    /// a '%' at the very end is none.
    /// </summary>
    /// <param name="format">The format string.</param>
    /// <returns>The escapes.</returns>
    public static IEnumerable<Escape> Escapes(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        int p = 0;
        while ((p = format.IndexOf('%', p)) >= 0)
        {
            int start = p++;
            int humanize = 0;
            while (p < format.Length && format[p] == '\'')
            {
                humanize++;
                p++;
            }
            int widthChars = 0;
            bool left = false;
            if (p < format.Length && format[p] == '-')
            {
                left = true;
                widthChars++;
                p++;
            }
            int width = 0;
            while (p < format.Length && char.IsAsciiDigit(format[p]) && widthChars < MaxWidthChars - 1)
            {
                width = Math.Min(width * 10 + (format[p] - '0'), MaxPadding);
                widthChars++;
                p++;
            }
            while (p < format.Length && format[p] == '\'')
            {
                humanize++;
                p++;
            }
            if (p >= format.Length)
                yield break;
            yield return new Escape(start, p - start + 1, format[p], width, left, humanize);
            p++;
        }
    }

    /// <summary>Whether <paramref name="format"/> has the escape <paramref name="letter"/> (log.c: log_format_has; "%%" is none).</summary>
    /// <param name="format">The format string, or null (none).</param>
    /// <param name="letter">The escape letter.</param>
    /// <returns>True when one of its escapes is that letter.</returns>
    public static bool Has(string? format, char letter)
    {
        if (format is null)
            return false;
        foreach (Escape e in Escapes(format))
        {
            if (e.Letter == letter)
                return true;
        }
        return false;
    }

    // log.c: each expansion is printed into buf2[MAXPATHLEN] (1024 bytes with its NUL): no padding goes past it.
    private const int MaxPadding = 1023;
}
