using System.Globalization;
using System.Text;

namespace ManagedRsync.Watch;

/// <summary>The strftime(3) conversions inotifywait's --timefmt is used with (C locale).</summary>
internal static class Strftime
{
    public static string Format(string format, DateTime local)
    {
        var sb = new StringBuilder(format.Length + 16);
        CultureInfo c = CultureInfo.InvariantCulture;
        for (int i = 0; i < format.Length; i++)
        {
            char ch = format[i];
            if (ch != '%' || i + 1 >= format.Length)
            {
                sb.Append(ch);
                continue;
            }
            char f = format[++i];
            switch (f)
            {
                case 'a': sb.Append(local.ToString("ddd", c)); break;
                case 'A': sb.Append(local.ToString("dddd", c)); break;
                case 'b' or 'h': sb.Append(local.ToString("MMM", c)); break;
                case 'B': sb.Append(local.ToString("MMMM", c)); break;
                case 'c': sb.Append(local.ToString("ddd MMM ", c)).Append(local.Day.ToString(c).PadLeft(2)).Append(local.ToString(" HH:mm:ss yyyy", c)); break;
                case 'C': sb.Append((local.Year / 100).ToString("00", c)); break;
                case 'd': sb.Append(local.ToString("dd", c)); break;
                case 'D': sb.Append(local.ToString("MM/dd/yy", c)); break;
                case 'e': sb.Append(local.Day.ToString(c).PadLeft(2)); break;
                case 'F': sb.Append(local.ToString("yyyy-MM-dd", c)); break;
                case 'H': sb.Append(local.ToString("HH", c)); break;
                case 'I': sb.Append(local.ToString("hh", c)); break;
                case 'j': sb.Append(local.DayOfYear.ToString("000", c)); break;
                case 'k': sb.Append(local.Hour.ToString(c).PadLeft(2)); break;
                case 'l': sb.Append((local.Hour % 12 == 0 ? 12 : local.Hour % 12).ToString(c).PadLeft(2)); break;
                case 'm': sb.Append(local.ToString("MM", c)); break;
                case 'M': sb.Append(local.ToString("mm", c)); break;
                case 'n': sb.Append('\n'); break;
                case 'p': sb.Append(local.Hour < 12 ? "AM" : "PM"); break;
                case 'r': sb.Append(local.ToString("hh:mm:ss ", c)).Append(local.Hour < 12 ? "AM" : "PM"); break;
                case 'R': sb.Append(local.ToString("HH:mm", c)); break;
                case 's': sb.Append(new DateTimeOffset(local).ToUnixTimeSeconds().ToString(c)); break;
                case 'S': sb.Append(local.ToString("ss", c)); break;
                case 't': sb.Append('\t'); break;
                case 'T': sb.Append(local.ToString("HH:mm:ss", c)); break;
                case 'u': sb.Append(local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek); break;
                case 'w': sb.Append((int)local.DayOfWeek); break;
                case 'y': sb.Append(local.ToString("yy", c)); break;
                case 'Y': sb.Append(local.Year.ToString(c)); break;
                case 'z': sb.Append(local.ToString("zzz", c).Replace(":", "", StringComparison.Ordinal)); break;
                case 'Z': sb.Append(TimeZoneInfo.Local.IsDaylightSavingTime(local) ? TimeZoneInfo.Local.DaylightName : TimeZoneInfo.Local.StandardName); break;
                case '%': sb.Append('%'); break;
                default: sb.Append('%').Append(f); break;
            }
        }
        return sb.ToString();
    }
}
