using System.Globalization;
using System.Text;

namespace ManagedRsync;

/// <summary>
/// Who writes a log line and about which session: what rsync's daemon-only escapes (%h, %a, %m, %u, %P) and the
/// id escapes (%U, %G) show (log.c: log_formatted).
/// </summary>
public sealed record LogLineContext
{
    /// <summary>Owners are preserved (-o): %U shows the uid, else 0.</summary>
    public bool Owners { get; init; }

    /// <summary>Groups are preserved (-g): %G shows the gid, else "DEFAULT".</summary>
    public bool Groups { get; init; }

    /// <summary>%m: the module's name ("" for a client, which has none).</summary>
    public string Module { get; init; } = "";

    /// <summary>%h: the client's host name, as the daemon determined it; null outside a daemon (the escape stays).</summary>
    public string? Host { get; init; }

    /// <summary>%a: the client's address; null outside a daemon (the escape stays).</summary>
    public string? Address { get; init; }

    /// <summary>%u: the authenticated user ("" when the module needs none); null leaves the escape.</summary>
    public string? User { get; init; }

    /// <summary>%P: the module's path; null leaves the escape.</summary>
    public string? ModulePath { get; init; }

    /// <summary>
    /// The spaces of a %C with no checksum on a line that carries no width of its own (a deletion): twice the length of
    /// the transfer checksum, or of the file-list one with --checksum (log.c: csum_len_for_type).
    /// </summary>
    public int BlankChecksumDigits { get; init; } = 32;
}

/// <summary>
/// One format of rsync's per-entry lines (--out-format, a daemon's "log format"; log.c: log_formatted) applied to the
/// entries a transfer reports and to deletions. %b, %c and %C show what <see cref="ItemizedChange"/> carries of the
/// transfer (its byte counts and whole-file checksum); a deletion's are 0 and a blank checksum.
/// </summary>
public sealed class LogLine
{
    private readonly string _format;
    private readonly LogLineContext _context;

    /// <summary>A formatter for <paramref name="format"/> in <paramref name="context"/>.</summary>
    /// <param name="format">The format, e.g. "%i %n%L".</param>
    /// <param name="context">Who writes the lines.</param>
    public LogLine(string format, LogLineContext context)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(context);
        _format = format;
        _context = context;
    }

    /// <summary>The format.</summary>
    public string Format => _format;

    /// <summary>Who writes the lines.</summary>
    public LogLineContext Context => _context;

    /// <summary>The line for a reported entry (log.c: log_item).</summary>
    /// <param name="change">The entry.</param>
    /// <returns>The line, without a newline.</returns>
    public string Item(ItemizedChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Expand(new Subject(change, null, null, false, 0, change.ChecksumDigits));
    }

    /// <summary>
    /// The line for a deletion with this format (log.c: log_delete, op "del."; the caller decides, as log_delete does,
    /// whether a deletion gets the format at all or "deleting %n").
    /// </summary>
    /// <param name="name">The deleted entry's path in the transfer (%n).</param>
    /// <param name="isDirectory">It was a directory.</param>
    /// <param name="mode">Its st_mode (or only its type).</param>
    /// <param name="fullPath">Its path as %f shows it (a daemon's: beneath the module); null for <paramref name="name"/>.</param>
    /// <param name="checksumDigits">The spaces of its %C; null for the context's <see cref="LogLineContext.BlankChecksumDigits"/>.</param>
    /// <returns>The line, without a newline.</returns>
    public string Deletion(string name, bool isDirectory, int mode, string? fullPath = null, int? checksumDigits = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Expand(new Subject(null, name, fullPath ?? name, isDirectory, mode, checksumDigits ?? _context.BlankChecksumDigits));
    }

    /// <summary>log.c: log_delete's line when the format has neither %i nor %o.</summary>
    /// <param name="format">The format that would otherwise be used.</param>
    /// <returns>Whether deletions are written with it.</returns>
    public static bool FormatsDeletions(string format) => LogFormat.Has(format, 'i') || LogFormat.Has(format, 'o');

    /// <summary>rsync log.c %i: the change string ("&gt;f+++++++++", "cd..t......", "*deleting  ").</summary>
    /// <param name="change">The entry.</param>
    /// <returns>Its 11 characters.</returns>
    public static string Itemize(ItemizedChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        ItemChanges f = change.Changes;
        if ((f & ItemChanges.Deleted) != 0)
            return "*deleting  ";
        Span<char> c = stackalloc char[11];
        c[0] = (f & ItemChanges.LocalChange) != 0 ? ((f & ItemChanges.OtherNameFollows) != 0 ? 'h' : 'c')
            : (f & ItemChanges.Transfer) == 0 ? '.' : change.Sent ? '<' : '>';
        if (change.Kind == EntryKind.Symlink)
        {
            // For a symlink the size bit is ITEM_REPORT_TIMEFAIL: its time could not be set.
            c[1] = 'L';
            c[3] = '.';
            c[4] = (f & ItemChanges.ModTime) == 0 ? '.' : !change.TimesPreserved || (f & ItemChanges.Size) != 0 ? 'T' : 't';
        }
        else
        {
            c[1] = change.Kind switch
            {
                EntryKind.Directory => 'd', EntryKind.Special => 'S', EntryKind.Device => 'D', _ => 'f',
            };
            c[3] = (f & ItemChanges.Size) == 0 ? '.' : 's';
            c[4] = (f & ItemChanges.ModTime) == 0 ? '.' : !change.TimesPreserved ? 'T' : 't';
        }
        c[2] = (f & ItemChanges.Checksum) == 0 ? '.' : 'c';
        c[5] = (f & ItemChanges.Permissions) == 0 ? '.' : 'p';
        c[6] = (f & ItemChanges.Owner) == 0 ? '.' : 'o';
        c[7] = (f & ItemChanges.Group) == 0 ? '.' : 'g';
        c[8] = (f & (ItemChanges.AccessTime | ItemChanges.CreateTime)) switch
        {
            0 => '.',
            ItemChanges.AccessTime | ItemChanges.CreateTime => 'b',
            ItemChanges.AccessTime => 'u',
            _ => 'n',
        };
        c[9] = (f & ItemChanges.Acl) == 0 ? '.' : 'a';
        c[10] = (f & ItemChanges.Xattr) == 0 ? '.' : 'x';
        if ((f & (ItemChanges.IsNew | ItemChanges.MissingData)) != 0)
        {
            c[2..].Fill((f & ItemChanges.IsNew) != 0 ? '+' : '?');
        }
        else if (c[0] is '.' or 'h' or 'c' && !c[2..].ContainsAnyExcept('.'))
        {
            c[2..].Fill(' ');
        }
        return new string(c);
    }

    /// <summary>rsync lib/permstring.c: permstring ("drwxr-xr-x", with s/S/t/T for the set-id and sticky bits).</summary>
    /// <param name="mode">An st_mode.</param>
    /// <returns>Its ten characters.</returns>
    public static string Permissions(int mode)
    {
        Span<char> p = stackalloc char[10];
        p[0] = (mode & 0xF000) switch
        {
            0x4000 => 'd', 0xA000 => 'l', 0x2000 => 'c', 0x6000 => 'b',
            0x1000 => 'p', 0xC000 => 's', _ => '-',
        };
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
            p[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx[i] : '-';
        if ((mode & 0x800) != 0) p[3] = (mode & 0x40) != 0 ? 's' : 'S';
        if ((mode & 0x400) != 0) p[6] = (mode & 0x8) != 0 ? 's' : 'S';
        if ((mode & 0x200) != 0) p[9] = (mode & 0x1) != 0 ? 't' : 'T';
        return new string(p);
    }

    // One entry as log_formatted sees it: an item, or the bare file struct log_delete fills with the mode only.
    private readonly record struct Subject(ItemizedChange? Change, string? DeletedName, string? DeletedPath, bool DeletedDirectory,
        int DeletedMode, int BlankDigits)
    {
        public bool IsDirectory => Change is { } c ? c.Kind == EntryKind.Directory : DeletedDirectory;
    }

    private string Expand(Subject s)
    {
        var line = new StringBuilder();
        int copied = 0;
        foreach (LogFormat.Escape e in LogFormat.Escapes(_format))
        {
            line.Append(_format, copied, e.Start - copied);
            copied = e.Start + e.Length;
            if (Value(e, s) is { } value)
                line.Append(value);
            else
                line.Append(_format, e.Start, e.Length); // log.c: an escape with no value stays as written
        }
        return line.Append(_format, copied, _format.Length - copied).ToString();
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
                return Pad(e, Unsigned(_context.Owners ? c?.Uid ?? 0 : 0));
            case 'G':
                return _context.Groups ? Pad(e, Unsigned(c?.Gid ?? 0)) : Pad(e, "DEFAULT");
            case 'p':
                return Pad(e, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            case 'M':
                return Pad(e, TimeString(c?.ModTime ?? DateTimeOffset.UnixEpoch).Replace(' ', '-'));
            case 'B':
                return Pad(e, Permissions(c?.Mode ?? s.DeletedMode)[1..]);
            case 'o':
                return Pad(e, c is null ? "del." : c.ReportedBySender ? "send" : "recv");
            case 'f':
                return Pad(e, c is null ? s.DeletedPath! : c.FullPath ?? c.Name);
            case 'n':
            {
                string name = c?.Name ?? s.DeletedName!;
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
                return Pad(e, _context.Module);
            case 'h':
                return _context.Host is { } host ? Pad(e, host) : null;
            case 'a':
                return _context.Address is { } address ? Pad(e, address) : null;
            case 'u':
                return _context.User is { } user ? Pad(e, user) : null;
            case 'P':
                return _context.ModulePath is { } path ? Pad(e, path) : null;
            case 't':
                return Pad(e, TimeString(DateTimeOffset.Now));
            case 'i':
                return Pad(e, c is null ? "*deleting  " : Itemize(c));
            case '%':
                return Pad(e, "%");
            case 'b' or 'c':
            {
                // The side that reports the entry: a sender's %b is what it wrote, a receiver's what it read; %c the other.
                long bytes = c is null || (c.Changes & ItemChanges.Transfer) == 0 ? 0
                    : c.ReportedBySender ^ (e.Letter == 'c') ? c.BytesWritten : c.BytesRead;
                return Pad(e, new HumanNumbers(Math.Min(e.Humanize, 3)).Human(bytes));
            }
            case 'C':
                // A blank %C is not padded: log_formatted pads only a value that is not already in its buffer.
                return c is { Kind: EntryKind.File, Checksum: { } sum } ? Pad(e, sum) : new string(' ', s.BlankDigits);
            default:
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
    /// <summary>
    /// The bytes a line of this library's text stands for: names that are not UTF-8 are shown with "\#ooo" escapes
    /// (as stock shows them); a writer of raw bytes (-8, a log file) gets each escape from <paramref name="lowest"/> up
    /// as the byte itself.
    /// </summary>
    /// <param name="text">A line as the library reports it.</param>
    /// <param name="lowest">The lowest escaped value to turn back into its byte.</param>
    /// <returns>UTF-8 with those escapes undone.</returns>
    public static byte[] DisplayedBytes(string text, byte lowest)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Platform.FileNameEncoding.DisplayedBytes(text, lowest);
    }

    // log.c: timestring — local time as "YYYY/MM/DD HH:MM:SS" (%t, and the head of every log-file line).
    internal static string TimeString(DateTimeOffset t) =>
        t.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
}
