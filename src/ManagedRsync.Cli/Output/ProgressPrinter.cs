using System.Diagnostics;
using System.Globalization;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// rsync --progress (progress.c: show_progress, rprint_progress): one line per file, rewritten in place with '\r' at
/// most once a second while the file goes ("     1,048,576  50%   10.00MB/s    0:00:01  "), then finished with
/// the totals and a newline ("     2,097,152 100%   10.00MB/s    0:00:02 (xfr#1, to-chk=3/5)").
/// </summary>
internal sealed class ProgressPrinter(TextWriter w, HumanNumbers numbers, Func<TimeSpan>? clock = null) : IProgress<TransferProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Func<TimeSpan> _now = clock ?? StartClock();
    private string? _current;
    private TimeSpan _start;
    private TimeSpan _lastShown;
    private long _lastOffset;
    private int _transferred;

    public void Report(TransferProgress p)
    {
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
            w.Write(Line(p.BytesDone, p.FileSize, rate, took)
                + $" (xfr#{_transferred}, to-chk={p.FilesTotal - p.FileNumber - 1}/{p.FilesTotal})\n");
            _current = null;
            return;
        }
        if (now - _lastShown < Interval)
            return;
        // rsync uses the rate of the last few seconds and the time still to go at that rate.
        double recent = (p.BytesDone - _lastOffset) / Math.Max((now - _lastShown).TotalSeconds, 0.001);
        if (_lastOffset == 0)
            recent = p.BytesDone / Math.Max((now - _start).TotalSeconds, 0.001);
        TimeSpan remaining = recent > 0 ? TimeSpan.FromSeconds((p.FileSize - p.BytesDone) / recent) : TimeSpan.Zero;
        w.Write(Line(p.BytesDone, p.FileSize, recent, remaining) + "  ");
        w.Flush();
        _lastShown = now;
        _lastOffset = p.BytesDone;
    }

    private static Func<TimeSpan> StartClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    // "\r%15s %3d%% %7.2f%s %4u:%02u:%02u", the offset as human_num prints it, the rate in kB/MB/GB per second.
    private string Line(long offset, long size, double bytesPerSecond, TimeSpan time)
    {
        int pct = offset == size || size == 0 ? 100 : (int)(100.0 * offset / size);
        double kb = bytesPerSecond / 1024;
        (double value, string units) = kb > 1024 * 1024 ? (kb / 1024 / 1024, "GB/s") : kb > 1024 ? (kb / 1024, "MB/s") : (kb, "kB/s");
        var inv = CultureInfo.InvariantCulture;
        string clock = $"{(int)time.TotalHours,4}:{time.Minutes:00}:{time.Seconds:00}";
        return "\r" + numbers.Human(offset).PadLeft(15) + " " + pct.ToString(inv).PadLeft(3) + "% "
            + value.ToString("0.00", inv).PadLeft(7) + units + " " + clock;
    }
}
