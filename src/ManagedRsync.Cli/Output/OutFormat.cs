using System.Globalization;
using System.Text;
using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// rsync's per-entry line from a format (log.c: log_formatted): --out-format's, else options.c's own ("%i %n%L" with
/// -i, "%n%L" with -v or --progress), for the entries the library reports and for deletions (log.c: log_delete,
/// which uses the format only when it has %i or %o, else "deleting %n").
/// </summary>
internal sealed class OutFormat
{
    private readonly string _format;
    private readonly bool _deletionsFormatted;
    private readonly RsyncOptions _options;

    public OutFormat(RsyncOptions options)
    {
        _options = options;
        _format = options.OutFormat ?? (options.ItemizeChanges > 0 ? "%i %n%L" : "%n%L");
        // options.c: stdout_format_has_o_or_i.
        _deletionsFormatted = options.OutFormat is null
            ? options.ItemizeChanges > 0
            : LogFormat.Has(_format, 'i') || LogFormat.Has(_format, 'o');
    }

    /// <summary>The line for a reported entry.</summary>
    public string Item(ItemizedChange change) => Expand(_format, new Subject(change, null));

    /// <summary>log.c: log_delete — the line for a deletion.</summary>
    public string Deletion(TransferDeletion deletion) =>
        Expand(_deletionsFormatted ? _format : "deleting %n", new Subject(null, deletion));

    // One entry as log_formatted sees it: an item, or the bare file struct log_delete fills with the mode only.
    private readonly record struct Subject(ItemizedChange? Change, TransferDeletion? Deletion)
    {
        public bool IsDirectory => Change is { } c ? c.Kind == EntryKind.Directory : Deletion!.Value.IsDirectory;
    }

    private string Expand(string format, Subject s)
    {
        var line = new StringBuilder();
        int copied = 0;
        foreach (LogFormat.Escape e in LogFormat.Escapes(format))
        {
            line.Append(format, copied, e.Start - copied);
            copied = e.Start + e.Length;
            if (Value(e, s) is { } value)
                line.Append(value);
            else
                line.Append(format, e.Start, e.Length); // log.c: an escape with no value stays as written
        }
        return line.Append(format, copied, format.Length - copied).ToString();
    }

    // log.c: log_formatted, case by case; null leaves the escape in the line.
    private string? Value(LogFormat.Escape e, Subject s)
    {
        ItemizedChange? c = s.Change;
        switch (e.Letter)
        {
            case 'l':
                return Pad(e, new HumanNumbers(Math.Min(e.Humanize, 3)).Human(c?.Size ?? 0));
            case 'U':
                // %U prints 0 unless owners are preserved (uid_ndx).
                return Pad(e, Unsigned(_options.Owner ? c?.Uid ?? 0 : 0));
            case 'G':
                return _options.Group ? Pad(e, Unsigned(c?.Gid ?? 0)) : Pad(e, "DEFAULT");
            case 'p':
                return Pad(e, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            case 'M':
                return Pad(e, TimeString(c?.ModTime ?? DateTimeOffset.UnixEpoch).Replace(' ', '-'));
            case 'B':
                return Pad(e, ItemLine.Permissions(c?.Mode ?? s.Deletion!.Value.Mode)[1..]);
            case 'o':
                return Pad(e, c is null ? "del." : c.ReportedBySender ? "send" : "recv");
            case 'f':
                return Pad(e, c is null ? s.Deletion!.Value.Name : c.FullPath ?? c.Name);
            case 'n':
            {
                string name = c?.Name ?? s.Deletion!.Value.Name;
                return Pad(e, s.IsDirectory ? name + "/" : name);
            }
            case 'L':
            {
                // " => leader" or " -> target" with the width on the name only; with a width and neither, four spaces
                // and the padding.
                string? prefix = c?.HardLinkLeader is not null ? " => " : c?.LinkTarget is not null ? " -> " : null;
                string target = c?.HardLinkLeader ?? c?.LinkTarget ?? "";
                if (prefix is null && e.Width == 0 && !e.LeftAlign)
                    return "";
                return (prefix ?? "    ") + Pad(e, target);
            }
            case 'm':
                // A client has no module (lp_name of no section is "").
                return Pad(e, "");
            case 't':
                return Pad(e, TimeString(DateTimeOffset.Now));
            case 'i':
                return Pad(e, c is null ? "*deleting  " : ItemLine.Itemize(c));
            case '%':
                return Pad(e, "%");
            default:
                // %h, %a, %P, %u are a daemon's; %b, %c, %C are refused on the command line; anything else is no escape.
                return null;
        }
    }

    // printf's "%-Ns" / "%Ns": padding only, never truncation. printf counts the name's bytes before rsync escapes
    // what is not printable on output (log.c: rwrite), so "\#ooo" counts one and a UTF-8 character its bytes.
    private static string Pad(LogFormat.Escape e, string value)
    {
        int width = RawWidth(value);
        if (e.Width <= width)
            return value;
        var padding = new string(' ', e.Width - width);
        return e.LeftAlign ? value + padding : padding + value;
    }

    private static int RawWidth(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        for (int i = value.IndexOf("\\#", StringComparison.Ordinal); i >= 0 && i + 5 <= value.Length;
             i = value.IndexOf("\\#", i + 1, StringComparison.Ordinal))
        {
            if (value.AsSpan(i + 2, 3).ContainsAnyExceptInRange('0', '7'))
                continue;
            bytes -= 4;
        }
        return bytes;
    }

    private static string Unsigned(int id) => ((uint)id).ToString(CultureInfo.InvariantCulture);

    // log.c: timestring — local time as "%Y/%m/%d %H:%M:%S".
    private static string TimeString(DateTimeOffset t) =>
        t.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
}
