using System.Diagnostics;
using System.Globalization;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// rsync --progress (progress.c: show_progress, rprint_progress): one line per file, rewritten in place with '\r' at
/// most once a second while the file goes ("     1,048,576  50%   10.00MB/s    0:00:01  "), then finished with
/// the totals and a newline ("     2,097,152 100%   10.00MB/s    0:00:02 (xfr#1, to-chk=3/5)"; "ir-chk" while
/// incremental recursion's lists are still coming). With <paramref name="wholeTransfer"/> (--info=progress2) one line
/// for the whole transfer instead: the bytes of the files transferred so far against the size of everything listed,
/// rewritten in place at each file's end and at each end-of-list index, never ended by a newline of its own.
/// </summary>
internal sealed class ProgressPrinter(TextWriter w, HumanNumbers numbers, Func<TimeSpan>? clock = null,
    bool wholeTransfer = false, OwedNewline? owed = null) : IProgress<TransferProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // progress.c: PROGRESS_HISTORY_SECS.
    private const int HistorySeconds = 5;

    private readonly Func<TimeSpan> _now = clock ?? StartClock();
    private string? _current;
    private TimeSpan _start;
    private TimeSpan _lastShown;
    private long _lastOffset;
    private int _transferred;

    // --info=progress2 (progress.c: ph_start, ph_list, newest_hpos, oldest_hpos, rprint_progress's last_len).
    private (TimeSpan Time, long Offset)? _phStart;
    private readonly (TimeSpan Time, long Offset)[] _history = new (TimeSpan, long)[HistorySeconds];
    private bool _historySet;
    private int _newest;
    private int _oldest;
    private int _lastEnd;

    public void Report(TransferProgress p)
    {
        if (wholeTransfer)
        {
            ReportWhole(p);
            return;
        }
        // receiver.c / sender.c: end_progress(0) at an end-of-list index is shown only at level 2.
        if (p.EndOfList)
            return;
        TimeSpan now = _now();
        if (p.Name != _current)
        {
            _current = p.Name;
            _start = now;
            _lastShown = now - Interval;
            _lastOffset = 0;
        }
        if (p.BytesDone >= p.FileSize)
        {
            // The last line: the rate over the whole file and the time it took.
            _transferred++;
            TimeSpan took = now - _start;
            double rate = p.BytesDone / Math.Max(took.TotalSeconds, 0.001);
            Write(Line(p.BytesDone, p.FileSize, rate / 1024, took.TotalSeconds) + EndOfLine(p) + "\n", owing: false);
            _current = null;
            return;
        }
        if (now - _lastShown < Interval)
            return;
        // rsync uses the rate of the last few seconds and the time still to go at that rate.
        double recent = (p.BytesDone - _lastOffset) / Math.Max((now - _lastShown).TotalSeconds, 0.001);
        if (_lastOffset == 0)
            recent = p.BytesDone / Math.Max((now - _start).TotalSeconds, 0.001);
        double remaining = recent > 0 ? (p.FileSize - p.BytesDone) / recent : 0;
        Write(Line(p.BytesDone, p.FileSize, recent / 1024, remaining) + "  ", owing: true);
        _lastShown = now;
        _lastOffset = p.BytesDone;
    }

    // progress.c with INFO_GTE(PROGRESS, 2): show_progress counts a file's offset on top of what the files before it
    // brought (stats.total_transferred_size less this file's size) against stats.total_size; end_progress prints the
    // totals with rprint_progress's is_last rates (since the first shown line) and, instead of a newline, spaces to the
    // previous end's length.
    private void ReportWhole(TransferProgress p)
    {
        TimeSpan now = _now();
        if (!p.EndOfList)
        {
            // A sender's match_sums shows the file's last offset before end_progress (match.c: matched); a
            // receiver's last show is at its last token, and a further one here is at most once a second.
            if (p.BytesDone > 0 || p.BytesDone < p.FileSize)
                ShowWhole(p.TransferredSize - p.FileSize + p.BytesDone, p.TotalSize, now);
            if (p.BytesDone < p.FileSize)
                return;
            _transferred++;
        }
        long offset = p.TransferredSize, size = p.TotalSize;
        // rprint_progress pads to the previous end's length (a shorter count leaves no stale digits) and then
        // remembers this end's.
        string end = EndOfLine(p);
        int padded = Math.Max(_lastEnd, end.Length);
        _lastEnd = end.Length;
        long diff = _phStart is { } start ? Milliseconds(now - start.Time) : 0;
        if (diff == 0)
            diff = 1;
        double rate = (offset - (_phStart?.Offset ?? 0)) * 1000.0 / diff / 1024.0;
        Write(Line(offset, size, rate, diff / 1000.0) + end.PadRight(padded), owing: true);
    }

    // progress.c: show_progress — the first line sets the start (from the last history entry when it is under 1.5 s
    // old); later ones come at most once a second and take the rate over the last five.
    private void ShowWhole(long offset, long size, TimeSpan now)
    {
        if (_phStart is null)
        {
            _phStart = _historySet && Milliseconds(now - _history[_newest].Time) <= 1500
                ? (_history[_newest].Time, 0) : (now, offset);
            Array.Fill(_history, _phStart.Value);
            _historySet = true;
        }
        else
        {
            if (Milliseconds(now - _history[_newest].Time) < 1000)
                return;
            _newest = _oldest;
            _oldest = (_oldest + 1) % HistorySeconds;
            _history[_newest] = (now, offset);
        }
        long diff = Milliseconds(now - _history[_oldest].Time);
        if (diff == 0)
            diff = 1;
        double rate = (offset - _history[_oldest].Offset) * 1000.0 / diff / 1024.0;
        double remain = rate != 0 ? (size - offset) / rate / 1000.0 : 0.0;
        Write(Line(offset, size, rate, remain) + "  ", owing: true);
    }

    private static long Milliseconds(TimeSpan t) => (long)t.TotalMilliseconds;

    // " (xfr#N, to-chk=R/T)": the files still to check after this one among all listed so far.
    private string EndOfLine(TransferProgress p) => string.Create(CultureInfo.InvariantCulture,
        $" (xfr#{_transferred}, {(p.ListsIncomplete ? "ir" : "to")}-chk={p.FilesTotal - p.FileNumber - 1}/{p.FilesTotal})");

    // progress.c: rprint_progress — output_needs_newline is cleared for the line, and set again after one that is
    // rewritten in place (the next message starts on a new line).
    private void Write(string line, bool owing)
    {
        if (owed is not null)
            owed.Owed = false;
        w.Write(line);
        if (owing)
        {
            w.Flush();
            if (owed is not null)
                owed.Owed = true;
        }
    }

    private static Func<TimeSpan> StartClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    // "\r%15s %3d%% %7.2f%s %4u:%02u:%02u", the offset as human_num prints it, the rate in kB/MB/GB per second, the
    // time as whole hours, minutes and seconds ("  ??:??:??" when negative or past 9999 hours).
    private string Line(long offset, long size, double kbPerSecond, double seconds)
    {
        int pct = offset == size || size == 0 ? 100 : (int)(100.0 * offset / size);
        double kb = kbPerSecond;
        (double value, string units) = kb > 1024 * 1024 ? (kb / 1024 / 1024, "GB/s") : kb > 1024 ? (kb / 1024, "MB/s") : (kb, "kB/s");
        var inv = CultureInfo.InvariantCulture;
        string clock = seconds < 0 || seconds > 9999.0 * 3600.0 ? "  ??:??:??"
            : string.Create(inv, $"{(uint)(seconds / 3600.0),4}:{(uint)(seconds / 60.0) % 60:00}:{(uint)seconds % 60:00}");
        return "\r" + numbers.Human(offset).PadLeft(15) + " " + pct.ToString(inv).PadLeft(3) + "% "
            + value.ToString("0.00", inv).PadLeft(7) + units + " " + clock;
    }
}
