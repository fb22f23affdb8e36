using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>inotifywait's output settings.</summary>
public sealed class InotifywaitFormat
{
    /// <summary>The events to print (-e); all events when not given.</summary>
    public InotifyMask Events { get; init; } = InotifyMask.IN_ALL_EVENTS;

    /// <summary>--format; null for the default "%w %e %f".</summary>
    public string? Format { get; init; }

    /// <summary>--timefmt, the strftime format of %T; null when not given.</summary>
    public string? TimeFormat { get; init; }
    /// <summary>--csv: fields quoted and separated as CSV.</summary>
    public bool Csv { get; init; }
    /// <summary>--no-newline: no newline after each event.</summary>
    public bool NoNewline { get; init; }

    /// <summary>--exclude/--excludei and --include/--includei, matched against %w%f.</summary>
    public Regex? Exclude { get; init; }
    /// <summary>--include/--includei: only paths (%w%f) that match are printed.</summary>
    public Regex? Include { get; init; }
}

/// <summary>
/// Prints kernel events as inotifywait(1) does: "%w %e %f" by default (%w the watched directory with a trailing slash,
/// %f the name, empty for events on the directory itself), --format conversions %w %f %e %Xe %T %0 %n, and --csv
/// quoting. Names are written as their raw bytes. IN_IGNORED is never printed (inotifywait does not print it either).
/// </summary>
public sealed class InotifywaitPrinter : ITreeWatchObserver
{
    private readonly InotifywaitFormat _format;
    private readonly byte[] _prefix;
    private readonly Stream _output;
    private readonly Lock _lock;
    private readonly Action<string> _warn;
    private readonly List<byte> _line = new(256);
    private readonly StringBuilder _text = new();

    /// <summary>
    /// A printer for one watched directory, <paramref name="root"/> as given on the command line; the printers of all
    /// roots share <paramref name="output"/> and <paramref name="outputLock"/>.
    /// </summary>
    public InotifywaitPrinter(string root, InotifywaitFormat format, Stream output, Lock outputLock, Action<string> warn)
    {
        _format = format;
        _prefix = Encoding.UTF8.GetBytes(root.EndsWith('/') ? root : root + "/");
        _output = output;
        _lock = outputLock;
        _warn = warn;
    }

    /// <summary>Events printed so far.</summary>
    public int Printed { get; private set; }

    /// <summary>Raised after each printed event (the first one ends a run without -m).</summary>
    public event Action? EventPrinted;

    /// <inheritdoc/>
    public void OnEvent(RawPath directory, in InotifyEvent e)
    {
        if ((e.Mask & InotifyMask.IN_IGNORED) != 0)
            return;
        if ((e.Mask & (_format.Events | InotifyMask.IN_Q_OVERFLOW | InotifyMask.IN_UNMOUNT)) == 0)
            return;
        byte[] w = WatchedPath(directory);
        ReadOnlySpan<byte> f = e.Name;
        if (_format.Exclude is not null || _format.Include is not null)
        {
            string full = Encoding.UTF8.GetString([.. w, .. f]);
            if (_format.Exclude?.IsMatch(full) == true || _format.Include?.IsMatch(full) == false)
                return;
        }
        _line.Clear();
        if (_format.Format is { } fmt)
            Render(fmt, w, f, e.Mask);
        else if (_format.Csv)
        {
            Csv(w);
            _line.Add((byte)',');
            Csv(Encoding.UTF8.GetBytes(InotifyEventNames.ToString(e.Mask)));
            _line.Add((byte)',');
            Csv(f);
        }
        else
        {
            _line.AddRange(w);
            _line.Add((byte)' ');
            AddText(InotifyEventNames.ToString(e.Mask));
            _line.Add((byte)' ');
            _line.AddRange(f);
        }
        if (_format.Format is null || !_format.NoNewline)
            _line.Add((byte)'\n');
        lock (_lock)
        {
            _output.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_line));
            Printed++;
        }
        EventPrinted?.Invoke();
    }

    /// <inheritdoc/>
    public void OnIdle()
    {
        lock (_lock)
            _output.Flush();
    }

    /// <inheritdoc/>
    public void OnChange(in WatchChange change)
    {
    }

    /// <inheritdoc/>
    public void OnWarning(string message) => _warn(message);

    private byte[] WatchedPath(RawPath directory)
    {
        if (directory.IsRoot)
            return _prefix;
        byte[] w = new byte[_prefix.Length + directory.ByteCount + 1];
        _prefix.CopyTo(w, 0);
        directory.CopyTo(w.AsSpan(_prefix.Length));
        w[^1] = (byte)'/';
        return w;
    }

    private void Render(string fmt, byte[] w, ReadOnlySpan<byte> f, InotifyMask mask)
    {
        for (int i = 0; i < fmt.Length; i++)
        {
            char ch = fmt[i];
            if (ch != '%' || i + 1 >= fmt.Length)
            {
                AddText(ch.ToString());
                continue;
            }
            char c = fmt[++i];
            switch (c)
            {
                case 'w': _line.AddRange(w); break;
                case 'f': _line.AddRange(f); break;
                case 'e': AddText(InotifyEventNames.ToString(mask)); break;
                case 'T': AddText(_format.TimeFormat is { } tf ? Strftime.Format(tf, DateTime.Now) : ""); break;
                case '0': _line.Add(0); break;
                case 'n': _line.Add((byte)'\n'); break;
                case '%': _line.Add((byte)'%'); break;
                default:
                    // %Xe: the event names separated by the character X.
                    if (i + 1 < fmt.Length && fmt[i + 1] == 'e')
                    {
                        AddText(InotifyEventNames.ToString(mask, c));
                        i++;
                    }
                    else
                        AddText("%" + c);
                    break;
            }
        }
    }

    private void Csv(ReadOnlySpan<byte> field)
    {
        if (field.IndexOfAny(",\"\n"u8) < 0)
        {
            _line.AddRange(field);
            return;
        }
        _line.Add((byte)'"');
        foreach (byte b in field)
        {
            if (b == '"')
                _line.Add((byte)'"');
            _line.Add(b);
        }
        _line.Add((byte)'"');
    }

    private void AddText(string s) => _line.AddRange(Encoding.UTF8.GetBytes(s));
}
