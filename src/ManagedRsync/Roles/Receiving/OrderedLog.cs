
namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The -v reports of a pull in file-list order (lines, and entries as <see cref="ItemizedChange"/>), as stock rsync prints them: the generator settles directories, symlinks
/// and unchanged files at once, while a transferred file's line comes from the receiver later, so lines are held
/// until every entry before them is settled (by the generator and, for a requested file, by the receiver), and until
/// the generator's requests up to them have gone out: stock rsync prints an entry's line when the sender echoes its
/// index back (receiver.c: recv_files, log.c: maybe_log_item), while the generator's own lines ("deleting ...")
/// appear at once (<see cref="AddNow"/>).
/// With incremental recursion the list grows part by part (<see cref="Extend"/>): indexes run on across the parts
/// (each part's directory slot included, flist.c: flist_new), the generator walks them in that order and the sender
/// echoes them in it, so one order over all of them is stock's. Only entries from the first one not yet out are held:
/// what is out is dropped as the cursor moves (issue 16: a pull's memory is not sized by the whole tree).
/// </summary>
internal sealed class OrderedLog
{
    private const byte Generated = 1;
    private const byte Requested = 2;
    private const byte Received = 4;

    /// <summary>Drop what is out once this many entries before the cursor are held (and they are half of all held).</summary>
    private const int TrimAfter = 4096;

    private readonly ITransferLog _log;
    private readonly Lock _gate = new();
    // Entry i's reports and state are at i - _base; each held report is a line (string) or an entry (ItemizedChange).
    // _before has one slot more than there are entries (position count: after every entry so far).
    private readonly List<List<object>?> _lines = [];
    private readonly List<List<object>?> _before = [null];
    private readonly List<byte> _state = [];
    private int _base;
    private int _count;
    private int _cursor;
    private int _released;
    private Dictionary<int, int>? _redirects;

    public OrderedLog(ITransferLog log, int count)
    {
        _log = log;
        Extend(count);
    }

    /// <summary>The list now holds <paramref name="total"/> indexes (a part of an incremental list arrived).</summary>
    public void Extend(int total)
    {
        lock (_gate)
        {
            for (; _count < total; _count++)
            {
                _lines.Add(null);
                _state.Add(0);
                _before.Add(null);
            }
        }
    }

    /// <summary>
    /// From now on entry <paramref name="from"/>'s reports and states count as entry <paramref name="to"/>'s (a hard
    /// link generated again when a later member of its group was skipped: its line comes where that member's would).
    /// </summary>
    public void Redirect(int from, int to)
    {
        lock (_gate)
            (_redirects ??= [])[from] = to;
    }

    private int Slot(int ndx) => _redirects is not null && _redirects.TryGetValue(ndx, out int to) ? to : ndx;

    /// <summary>A report (a line or an entry) for entry <paramref name="ndx"/>; out at once when everything before it is out.</summary>
    public void Add(int ndx, object report)
    {
        lock (_gate)
        {
            ndx = Slot(ndx);
            if (ndx < _cursor || (uint)ndx >= (uint)_count)
            {
                Emit(report);
                return;
            }
            (_lines[ndx - _base] ??= []).Add(report);
        }
    }

    /// <summary>
    /// A report (a line or an entry) out once every entry before <paramref name="position"/> is out, ahead of that
    /// entry's own reports (<paramref name="position"/> = count: after every entry).
    /// </summary>
    public void AddBefore(int position, object report)
    {
        lock (_gate)
        {
            if (position < _cursor || (uint)position > (uint)_count)
            {
                Emit(report);
                return;
            }
            (_before[position - _base] ??= []).Add(report);
            Pump();
        }
    }

    /// <summary>A report out now, ahead of whatever is held (the generator's own output).</summary>
    public void AddNow(object report)
    {
        lock (_gate)
            Emit(report);
    }

    /// <summary>A deletion reported now, ahead of whatever is held (the generator's own output).</summary>
    public void DeletedNow(string name, bool isDirectory, int mode)
    {
        lock (_gate)
            _log.Deleted(name, isDirectory, mode);
    }

    /// <summary>The generator's output up to entry <paramref name="ndx"/> (exclusive) has been sent.</summary>
    public void Release(int ndx)
    {
        lock (_gate)
        {
            _released = Math.Max(_released, Math.Min(ndx, _count));
            Pump();
        }
    }

    /// <summary>
    /// The receiver starts on entry <paramref name="ndx"/>: its lines go out now if everything before it is out
    /// (the name comes before the data, log.c: log_before_transfer), while what follows waits for its end.
    /// </summary>
    public void Announce(int ndx)
    {
        lock (_gate)
        {
            ndx = Slot(ndx);
            Pump();
            if (_cursor == ndx && ndx < _count && _lines[ndx - _base] is { } lines)
            {
                foreach (object report in lines)
                    Emit(report);
                _lines[ndx - _base] = null;
            }
        }
    }

    /// <summary>The generator asked the sender for entry <paramref name="ndx"/>: it is settled once received.</summary>
    public void ExpectTransfer(int ndx) => Mark(ndx, Requested);

    /// <summary>The generator is done with entry <paramref name="ndx"/>.</summary>
    public void GeneratorDone(int ndx) => Mark(ndx, Generated);

    /// <summary>The receiver is done with entry <paramref name="ndx"/> (received, failed, or not sent).</summary>
    public void TransferDone(int ndx) => Mark(ndx, Received);

    /// <summary>Prints whatever is still held, in order (end of phase 1, or a failed session).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            while (_cursor < _count)
                PrintNext();
            PrintBefore();
        }
    }

    private void Mark(int ndx, byte flag)
    {
        lock (_gate)
        {
            ndx = Slot(ndx);
            if ((uint)ndx >= (uint)_count)
                return;
            if (ndx < _cursor)
                return;
            _state[ndx - _base] |= flag;
            Pump();
        }
    }

    private void Pump()
    {
        while (true)
        {
            PrintBefore();
            if (!(_cursor < _released && (_state[_cursor - _base] & Generated) != 0
                  && (_state[_cursor - _base] & (Requested | Received)) != Requested))
                break;
            PrintNext();
        }
        Trim();
    }

    // The entries before the cursor are out for good: their slots go (their lists were emptied as they went out).
    private void Trim()
    {
        int done = _cursor - _base;
        if (done < TrimAfter || done * 2 < _state.Count)
            return;
        _lines.RemoveRange(0, done);
        _state.RemoveRange(0, done);
        _before.RemoveRange(0, done);
        _base = _cursor;
    }

    private void PrintBefore()
    {
        if (_before[_cursor - _base] is { } reports)
        {
            foreach (object report in reports)
                Emit(report);
            _before[_cursor - _base] = null;
        }
    }

    private void PrintNext()
    {
        PrintBefore();
        if (_lines[_cursor - _base] is { } lines)
        {
            foreach (object report in lines)
                Emit(report);
            _lines[_cursor - _base] = null;
        }
        _cursor++;
    }

    /// <summary>A line that is printed but never logged (rsync log.c: FCLIENT).</summary>
    public sealed record ClientLine(string Text);

    private void Emit(object report)
    {
        if (report is ItemizedChange change)
            _log.Item(change);
        else if (report is ClientLine client)
            _log.Client(client.Text);
        else
            _log.Info((string)report);
    }
}
